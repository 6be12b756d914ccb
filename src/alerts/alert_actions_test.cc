#include "alerts/alert_actions.h"

#include <gtest/gtest.h>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

class AlertActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    clock_ = NewFixedClock(kT0 + kDay);
    AlertManager manager(db_.get(), clock_.get());
    Result<ReconcileSummary> r = manager.Reconcile(
        MakeRun(contoso_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                  MakeFinding(std::string(kMfaUserNotRegistered), "u2")})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->changes.size(), 2u);
    alert_id_ = r->changes[0].alert_id;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  int64_t contoso_ = 0;
  int64_t alert_id_ = 0;
};

TEST_F(AlertActionsTest, AcknowledgingTwiceKeepsTheFirstAcknowledgement) {
  Result<AlertRow> first = AcknowledgeAlert(db_.get(), alert_id_, "alice", kT0 + 2 * kDay);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->acknowledged_at, kT0 + 2 * kDay);
  EXPECT_EQ(first->acknowledged_by, "alice");
  Result<AlertRow> second = AcknowledgeAlert(db_.get(), alert_id_, "bob", kT0 + 3 * kDay);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->acknowledged_at, kT0 + 2 * kDay);
  EXPECT_EQ(second->acknowledged_by, "alice");
  // The other alert is untouched.
  Result<std::optional<AlertRow>> other = GetAlert(db_.get(), alert_id_ + 1);
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_FALSE((*other)->acknowledged_at.has_value());
}

TEST_F(AlertActionsTest, SnoozeSetsAndUnsnoozeClearsTheTime) {
  Result<AlertRow> snoozed = SnoozeAlert(db_.get(), alert_id_, kT0 + 9 * kDay, kT0 + kDay);
  ASSERT_TRUE(snoozed.ok()) << snoozed.status().ToString();
  EXPECT_EQ(snoozed->snoozed_until, kT0 + 9 * kDay);
  snoozed = SnoozeAlert(db_.get(), alert_id_, kT0 + 5 * kDay, kT0 + kDay);  // replaces
  ASSERT_TRUE(snoozed.ok());
  EXPECT_EQ(snoozed->snoozed_until, kT0 + 5 * kDay);
  Result<AlertRow> cleared = UnsnoozeAlert(db_.get(), alert_id_, "alice", kT0 + kDay);
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  EXPECT_FALSE(cleared->snoozed_until.has_value());
  cleared = UnsnoozeAlert(db_.get(), alert_id_, "alice", kT0 + kDay);  // not snoozed: still fine
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared->snoozed_until.has_value());
}

TEST_F(AlertActionsTest, ActionsChangeNeitherStateNorSeverityNorDetailsNorHistoryNorTags) {
  // DumpTables covers every column the finding decides, history, tags and
  // the ledger -- and none of the operator's columns.
  const std::string before = DumpTables(db_.get());
  ASSERT_TRUE(AcknowledgeAlert(db_.get(), alert_id_, "alice", kT0 + 2 * kDay).ok());
  ASSERT_TRUE(SnoozeAlert(db_.get(), alert_id_, kT0 + 9 * kDay, kT0 + 2 * kDay).ok());
  ASSERT_TRUE(UnsnoozeAlert(db_.get(), alert_id_, "alice", kT0 + 2 * kDay).ok());
  ASSERT_TRUE(SnoozeAlert(db_.get(), alert_id_ + 1, kT0 + 9 * kDay, kT0 + 2 * kDay).ok());
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_TRUE(TenantConsistent(db_.get(), contoso_));
}

TEST_F(AlertActionsTest, RefusesASnoozeThatIsNotInTheFuture) {
  for (TimeMs until : {kT0 + kDay, kT0}) {
    Result<AlertRow> r = SnoozeAlert(db_.get(), alert_id_, until, kT0 + kDay);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
  Result<AlertRow> r = SnoozeAlert(db_.get(), alert_id_, kT0, kT0 + kDay);
  EXPECT_EQ(r.status().message(),
            "snooze until 2026-01-01T00:00:00Z: not after now (2026-01-02T00:00:00Z)");
  Result<std::optional<AlertRow>> row = GetAlert(db_.get(), alert_id_);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_FALSE((*row)->snoozed_until.has_value());
}

TEST_F(AlertActionsTest, AnUnknownAlertIsNotFoundAndNothingChanges) {
  const std::string before = DumpTables(db_.get());
  for (Result<AlertRow> r :
       {AcknowledgeAlert(db_.get(), 999, "alice", kT0),
        SnoozeAlert(db_.get(), 999, kT0 + 9 * kDay, kT0), UnsnoozeAlert(db_.get(), 999, "alice", kT0)}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kNotFound);
    EXPECT_EQ(r.status().message(), "no alert with id 999");
  }
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_FALSE(db_->InTransaction());
}

// Every request is one log row, oldest first, with who, when, the snooze's
// end and the reason -- a second acknowledgement too, though the alert
// keeps its first.
TEST_F(AlertActionsTest, EveryActionIsLoggedWithWhoWhenUntilAndWhy) {
  ASSERT_TRUE(AcknowledgeAlert(db_.get(), alert_id_, "alice", kT0 + 2 * kDay, "seen").ok());
  ASSERT_TRUE(AcknowledgeAlert(db_.get(), alert_id_, "bob", kT0 + 3 * kDay).ok());
  ASSERT_TRUE(
      SnoozeAlert(db_.get(), alert_id_, kT0 + 9 * kDay, kT0 + 3 * kDay, "bob", "holiday").ok());
  ASSERT_TRUE(UnsnoozeAlert(db_.get(), alert_id_, "carol", kT0 + 4 * kDay, "back").ok());
  Result<std::vector<AlertActionRow>> log = ListAlertActions(db_.get(), alert_id_);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 4u);
  std::vector<std::string> lines;
  for (const AlertActionRow& a : *log) {
    EXPECT_EQ(a.alert_id, alert_id_);
    EXPECT_EQ(a.tenant_id, contoso_);
    lines.push_back(std::to_string((a.at - kT0) / kDay) + " " + a.action + " " + a.by + " " +
                    (a.until ? std::to_string((*a.until - kT0) / kDay) : "-") + " [" + a.reason +
                    "]");
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"2 acknowledged alice - [seen]",
                                             "3 acknowledged bob - []",
                                             "3 snoozed bob 9 [holiday]",
                                             "4 unsnoozed carol - [back]"}));
  EXPECT_LT((*log)[0].id, (*log)[1].id);
  // The alert keeps its first acknowledgement; the other alert has no log.
  Result<std::optional<AlertRow>> row = GetAlert(db_.get(), alert_id_);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->acknowledged_by, "alice");
  EXPECT_TRUE(ListAlertActions(db_.get(), alert_id_ + 1)->empty());
}

class AlertBulkActionTest : public AlertActionsTest {
 protected:
  void SetUp() override {
    AlertActionsTest::SetUp();
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    AlertManager manager(db_.get(), clock_.get());
    Result<ReconcileSummary> r = manager.Reconcile(MakeRun(
        fabrikam_, "run-f", kT0,
        {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "f1")})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    theirs_ = r->changes[0].alert_id;
  }

  AlertActionRequest Snooze(std::optional<int64_t> tenant = std::nullopt) {
    AlertActionRequest request;
    request.action = AlertAction::kSnooze;
    request.by = "ops";
    request.now = kT0 + kDay;
    request.until = kT0 + 5 * kDay;
    request.reason = "onboarding";
    request.tenant_id = tenant;
    return request;
  }

  // The operator's columns and the log: what an action may change.
  std::string Operated() {
    return DumpTables(db_.get()) + "|" +
           std::to_string(testing::Count(db_.get(), "SELECT COUNT(*) FROM alert_actions")) + "|" +
           std::to_string(testing::Count(
               db_.get(), "SELECT COUNT(*) FROM alerts WHERE snoozed_until IS NOT NULL OR "
                          "acknowledged_at IS NOT NULL"));
  }

  int64_t fabrikam_ = 0;
  int64_t theirs_ = 0;
};

TEST_F(AlertBulkActionTest, AppliesToEveryAlertInTheOrderGivenAndLogsEach) {
  const std::vector<int64_t> ids = {alert_id_ + 1, alert_id_, theirs_};
  const uint64_t before = db_->statements_executed();
  Result<std::vector<AlertRow>> snoozed = ApplyAlertAction(db_.get(), ids, Snooze());
  // The tenants read, the UPDATE, the log's INSERT, the alerts read back.
  EXPECT_EQ(db_->statements_executed() - before, 4u);
  ASSERT_TRUE(snoozed.ok()) << snoozed.status().ToString();
  ASSERT_EQ(snoozed->size(), 3u);
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ((*snoozed)[i].id, ids[i]);
    EXPECT_EQ((*snoozed)[i].snoozed_until, kT0 + 5 * kDay);
    EXPECT_EQ((*snoozed)[i].state, "open");
    Result<std::vector<AlertActionRow>> log = ListAlertActions(db_.get(), ids[i]);
    ASSERT_TRUE(log.ok() && log->size() == 1u);
    EXPECT_EQ((*log)[0].action, "snoozed");
    EXPECT_EQ((*log)[0].reason, "onboarding");
    EXPECT_EQ((*log)[0].until, kT0 + 5 * kDay);
  }
  EXPECT_EQ(ListAlertActions(db_.get(), theirs_)->at(0).tenant_id, fabrikam_);
  AlertActionRequest ack = Snooze();
  ack.action = AlertAction::kAcknowledge;
  ack.until.reset();
  Result<std::vector<AlertRow>> acked = ApplyAlertAction(db_.get(), {alert_id_}, ack);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->at(0).acknowledged_by, "ops");
  EXPECT_EQ(acked->at(0).snoozed_until, kT0 + 5 * kDay);
}

TEST_F(AlertBulkActionTest, AMissingOrForeignAlertChangesNothingAndIsNamed) {
  const std::string before = Operated();
  Result<std::vector<AlertRow>> r =
      ApplyAlertAction(db_.get(), {alert_id_, 999, theirs_, 12}, Snooze(contoso_));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "alerts not found: 999, " + std::to_string(theirs_) + ", 12");
  EXPECT_EQ(Operated(), before);
  EXPECT_TRUE(ApplyAlertAction(db_.get(), {theirs_}, Snooze(fabrikam_)).ok());
}

TEST_F(AlertBulkActionTest, RefusesBadRequestsBeforeAnyWrite) {
  const std::string before = Operated();
  AlertActionRequest past = Snooze();
  past.until = past.now;
  AlertActionRequest endless = Snooze();
  endless.until.reset();
  AlertActionRequest unsnooze = Snooze();
  unsnooze.action = AlertAction::kUnsnooze;
  std::vector<int64_t> too_many;
  for (int64_t i = 1; i <= 1001; ++i) too_many.push_back(i);
  const std::vector<std::pair<Result<std::vector<AlertRow>>, std::string>> cases = {
      {ApplyAlertAction(db_.get(), {}, Snooze()),
       "alert action: 0 alerts; 1 to 1000 are accepted"},
      {ApplyAlertAction(db_.get(), too_many, Snooze()),
       "alert action: 1001 alerts; 1 to 1000 are accepted"},
      {ApplyAlertAction(db_.get(), {alert_id_, alert_id_}, Snooze()),
       "alert action: alert " + std::to_string(alert_id_) + " is given twice"},
      {ApplyAlertAction(db_.get(), {alert_id_}, past),
       "snooze until 2026-01-02T00:00:00Z: not after now (2026-01-02T00:00:00Z)"},
      {ApplyAlertAction(db_.get(), {alert_id_}, endless), "alert action: snooze needs until"},
      {ApplyAlertAction(db_.get(), {alert_id_}, unsnooze),
       "alert action: until is only for snooze, not unsnooze"},
  };
  for (const auto& [result, message] : cases) {
    ASSERT_FALSE(result.ok()) << message;
    EXPECT_EQ(result.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(result.status().message(), message);
  }
  EXPECT_EQ(Operated(), before);
}

// The log is written in the transaction of the columns: when it cannot be
// written, the columns keep their values.
TEST_F(AlertBulkActionTest, AFailedLogWriteLeavesTheAlertsAsTheyWere) {
  const std::string before = Operated();
  ASSERT_TRUE(testing::InstallFailingTrigger(db_.get(), "refuse_log", "INSERT", "alert_actions",
                                             "", "refused by test")
                  .ok());
  Result<std::vector<AlertRow>> r = ApplyAlertAction(db_.get(), {alert_id_, theirs_}, Snooze());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("refused by test"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(Operated(), before);
  EXPECT_FALSE(db_->InTransaction());
}

}  // namespace
}  // namespace vigil
