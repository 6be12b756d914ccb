// A reconcile is one transaction: when any write fails midway, nothing of the
// run is applied, and the run can be retried once the cause is gone.
#include <gtest/gtest.h>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"

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

  void Refuse(const std::string& table, const std::string& event, const std::string& when) {
    Status s = db_->ExecScript("CREATE TRIGGER refuse BEFORE " + event + " ON " + table + " " +
                               when + " BEGIN SELECT RAISE(ABORT, 'refused by test'); END;");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void ExpectNothingAppliedThenRetry(const std::string& failing_statement) {
    const std::string before = DumpTables(db_.get());
    Result<ReconcileSummary> failed = manager_->Reconcile(NextRun());
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().message().find("refused by test"), std::string::npos)
        << failed.status().ToString();
    EXPECT_NE(failed.status().message().find(failing_statement), std::string::npos)
        << failed.status().ToString();
    EXPECT_EQ(failed.status().message().rfind("reconciling run run-2 of tenant 1", 0), 0u)
        << failed.status().ToString();
    EXPECT_EQ(DumpTables(db_.get()), before);

    ASSERT_TRUE(db_->ExecScript("DROP TRIGGER refuse").ok());
    Result<ReconcileSummary> retried = manager_->Reconcile(NextRun());
    ASSERT_TRUE(retried.ok()) << retried.status().ToString();
    EXPECT_EQ(retried->opened, 1);
    EXPECT_EQ(retried->updated, 1);
    EXPECT_EQ(retried->resolved, 2);
    EXPECT_EQ(retried->unchanged, 1);
    EXPECT_TRUE(TenantConsistent(db_.get(), tenant_));
  }

  std::unique_ptr<Db> db_;
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
  Refuse("alert_history", "INSERT", "WHEN NEW.transition = 'resolved'");
  ExpectNothingAppliedThenRetry("INSERT INTO alert_history");
}

TEST_F(AlertManagerAtomicityTest, FailingLastSeenUpdateUndoesEveryAlertChange) {
  // Only the set-based UPDATE moves last_seen of an alert whose severity stays (u4).
  Refuse("alerts", "UPDATE OF last_seen", "WHEN OLD.severity = NEW.severity");
  ExpectNothingAppliedThenRetry("UPDATE alerts SET last_seen");
}

TEST_F(AlertManagerAtomicityTest, UnknownTenantFailsWithoutWritingAnything) {
  const std::string before = DumpTables(db_.get());
  Result<ReconcileSummary> r = manager_->Reconcile(
      MakeRun(tenant_ + 41, "run-x", kT0,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("FOREIGN KEY constraint failed"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(DumpTables(db_.get()), before);
}

}  // namespace
}  // namespace vigil
