// A reconcile is one transaction: when any write fails midway, nothing of the
// run is applied, no event of it is in the outbox, and the run can be
// retried once the cause is gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "events/outbox.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

class AlertManagerAtomicityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    tenant_ = AddTenant(db_.get(), "contoso");
    clock_ = NewFixedClock(kT0);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
    // Open alerts of two types, with tags, to be changed by NextRun().
    Result<ReconcileSummary> first = manager_->Reconcile(
        MakeRun(tenant_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                  MakeFinding(std::string(kMfaUserNotRegistered), "u2"),
                                  MakeFinding(std::string(kMfaUserNotRegistered), "u4")}),
                 Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
  }

  // Opens, updates, resolves and keeps alerts of both types: every kind of write.
  AnalysisRun NextRun() {
    return MakeRun(
        tenant_, "run-2", kT0 + kDay,
        {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u2", Severity::kHigh),
                          MakeFinding(std::string(kMfaUserNotRegistered), "u3"),
                          MakeFinding(std::string(kMfaUserNotRegistered), "u4")}),
         Complete("license", {})});
  }

  // Makes `event` on `table` fail where `condition` (SQL over NEW/OLD) holds.
  void Refuse(const std::string& table, const std::string& event, const std::string& condition) {
    Status s = testing::InstallFailingTrigger(db_.get(), "refuse", event, table, condition,
                                              "refused by test");
    ASSERT_TRUE(s.ok()) << s.ToString();
    refused_table_ = table;
  }

  std::vector<Event> Outbox() {
    Result<std::vector<Event>> events = ListEvents(db_.get(), EventFilter(), 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }

  void ExpectNothingAppliedThenRetry(const std::string& failing_statement) {
    const std::string before = DumpTables(db_.get());
    const size_t events_before = Outbox().size();
    ASSERT_EQ(events_before, 5u);  // run-1: 4 alert.opened, analysis.completed
    Result<ReconcileSummary> failed = manager_->Reconcile(NextRun());
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().message().find("refused by test"), std::string::npos)
        << failed.status().ToString();
    EXPECT_NE(failed.status().message().find(failing_statement), std::string::npos)
        << failed.status().ToString();
    EXPECT_EQ(failed.status().message().rfind("reconciling run run-2 of tenant 1", 0), 0u)
        << failed.status().ToString();
    EXPECT_EQ(DumpTables(db_.get()), before);
    EXPECT_EQ(Outbox().size(), events_before);  // no event of the failed run
    EXPECT_EQ(testing::Count(db_.get(),
                             "SELECT COUNT(*) FROM event_outbox WHERE trace_id ="
                             " 'trace-run-2'"),
              0);

    ASSERT_TRUE(testing::RemoveFailingTrigger(db_.get(), "refuse", refused_table_).ok());
    Result<ReconcileSummary> retried = manager_->Reconcile(NextRun());
    ASSERT_TRUE(retried.ok()) << retried.status().ToString();
    EXPECT_EQ(retried->opened, 1);
    EXPECT_EQ(retried->updated, 1);
    EXPECT_EQ(retried->resolved, 2);
    EXPECT_EQ(retried->unchanged, 1);
    EXPECT_TRUE(TenantConsistent(db_.get(), tenant_));
    // The retry announces its changes exactly once.
    std::vector<Event> events = Outbox();
    ASSERT_EQ(events.size(), events_before + retried->changes.size() + 1);
    for (size_t i = 0; i < retried->changes.size(); ++i) {
      EXPECT_EQ(events[events_before + i].type, "alert." + retried->changes[i].transition);
      EXPECT_EQ(events[events_before + i].trace_id, "trace-run-2");
    }
    EXPECT_EQ(events.back().type, "analysis.completed");
  }

  std::unique_ptr<Db> db_;
  std::string refused_table_;  // of the trigger Refuse installed
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t tenant_ = 0;
};

TEST_F(AlertManagerAtomicityTest, FailingLedgerWriteUndoesEveryAlertChange) {
  Refuse("analysis_ledger", "UPDATE", "");
  ExpectNothingAppliedThenRetry("INSERT INTO analysis_ledger");
}

TEST_F(AlertManagerAtomicityTest, FailingTagProjectionUndoesEveryAlertChange) {
  Refuse("entity_tags", "INSERT", "");
  ExpectNothingAppliedThenRetry("INSERT INTO entity_tags");
}

TEST_F(AlertManagerAtomicityTest, FailingHistoryOfALaterResolveUndoesEarlierChanges) {
  Refuse("alert_history", "INSERT", "NEW.transition = 'resolved'");
  ExpectNothingAppliedThenRetry("INSERT INTO alert_history");
}

TEST_F(AlertManagerAtomicityTest, FailingLastSeenUpdateUndoesEveryAlertChange) {
  // Only the set-based UPDATE moves last_seen of an alert whose severity stays (u4).
  Refuse("alerts", "UPDATE OF last_seen", "OLD.severity = NEW.severity");
  ExpectNothingAppliedThenRetry("UPDATE alerts");
}

TEST_F(AlertManagerAtomicityTest, FailingEventAppendUndoesEveryAlertChange) {
  Refuse("event_outbox", "INSERT", "");
  ExpectNothingAppliedThenRetry("INSERT INTO event_outbox");
}

TEST_F(AlertManagerAtomicityTest, UnknownTenantFailsWithoutWritingAnything) {
  const std::string before = DumpTables(db_.get());
  Result<ReconcileSummary> r = manager_->Reconcile(
      MakeRun(tenant_ + 41, "run-x", kT0,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})}));
  ASSERT_FALSE(r.ok());
  const std::string id = std::to_string(tenant_ + 41);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "reconciling run run-x of tenant " + id + ": no tenant with id " + id);
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_EQ(Outbox().size(), 5u);
}

}  // namespace
}  // namespace vigil
