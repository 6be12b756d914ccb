#include "alerts/alert_actions.h"

#include <gtest/gtest.h>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"

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
  Result<AlertRow> cleared = UnsnoozeAlert(db_.get(), alert_id_);
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  EXPECT_FALSE(cleared->snoozed_until.has_value());
  cleared = UnsnoozeAlert(db_.get(), alert_id_);  // not snoozed: still fine
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared->snoozed_until.has_value());
}

TEST_F(AlertActionsTest, ActionsChangeNeitherStateNorSeverityNorDetailsNorHistoryNorTags) {
  // DumpTables covers every column the finding decides, history, tags and
  // the ledger -- and none of the operator's columns.
  const std::string before = DumpTables(db_.get());
  ASSERT_TRUE(AcknowledgeAlert(db_.get(), alert_id_, "alice", kT0 + 2 * kDay).ok());
  ASSERT_TRUE(SnoozeAlert(db_.get(), alert_id_, kT0 + 9 * kDay, kT0 + 2 * kDay).ok());
  ASSERT_TRUE(UnsnoozeAlert(db_.get(), alert_id_).ok());
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
        SnoozeAlert(db_.get(), 999, kT0 + 9 * kDay, kT0), UnsnoozeAlert(db_.get(), 999)}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kNotFound);
    EXPECT_EQ(r.status().message(), "no alert with id 999");
  }
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_FALSE(db_->InTransaction());
}

}  // namespace
}  // namespace vigil
