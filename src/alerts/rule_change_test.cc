// The reconcile's "rule_changed" reasons: on the first batch after a
// tenant's rule version changed, a transition the previous version would
// not have made on the same data (Batch::baseline) is the rule change's;
// the others keep their usual reasons.
#include <gtest/gtest.h>

#include <map>

#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

class RuleChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    tenant_ = AddTenant(db_.get(), "contoso");
  }

  void Reconcile(const std::string& run_id, TimeMs as_of, Batch batch) {
    AlertManager manager(db_.get(), clock_.get());
    Result<ReconcileSummary> s = manager.Reconcile(MakeRun(tenant_, run_id, as_of, {batch}));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }

  // "subject transition vN: reason" of the history rows of `run_id`.
  std::map<std::string, std::string> HistoryOf(const std::string& run_id) {
    std::map<std::string, std::string> out;
    Result<std::vector<HistoryRow>> rows = TenantHistory(db_.get(), tenant_);
    EXPECT_TRUE(rows.ok());
    Result<std::vector<AlertRow>> alerts = ListAlerts(db_.get(), AllAlerts());
    std::map<int64_t, std::string> subject;
    for (const AlertRow& a : *alerts) subject[a.id] = a.subject;
    for (const HistoryRow& h : *rows) {
      if (h.run_id != run_id) continue;
      out[subject[h.alert_id]] =
          h.transition + " v" + std::to_string(h.rule_version) + ": " + h.reason;
    }
    return out;
  }

  static AlertFilter AllAlerts() {
    AlertFilter f;
    f.state = AlertStateFilter::kAll;
    return f;
  }

  static Batch Version(int version, std::vector<Finding> findings,
                       std::optional<std::vector<Finding>> baseline) {
    Batch b = Complete("stale", std::move(findings));
    b.rule_version = version;
    if (baseline) b.baseline = Batch::Baseline{version == 2 ? 1 : 2, std::move(*baseline)};
    return b;
  }

  std::unique_ptr<Clock> clock_ = NewFixedClock(kT0 + 1000 * kDay);
  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
};

TEST_F(RuleChangeTest, TransitionsTheOldVersionWouldNotMakeAreTheRuleChanges) {
  Reconcile("run-1", kT0,
            Version(1,
                    {MakeFinding("stale.user", "a"), MakeFinding("stale.user", "b"),
                     MakeFinding("stale.user", "e", Severity::kLow)},
                    std::nullopt));
  // Meanwhile the data changed: "d" appeared, "e" became high. Version 1 on
  // the new data finds a, b, d and e (high); version 2 finds b, c, d and e (high).
  Reconcile("run-2", kT0 + kDay,
            Version(2,
                    {MakeFinding("stale.user", "b"), MakeFinding("stale.user", "c"),
                     MakeFinding("stale.user", "d"),
                     MakeFinding("stale.user", "e", Severity::kHigh)},
                    std::vector<Finding>{MakeFinding("stale.user", "a"),
                                         MakeFinding("stale.user", "b"),
                                         MakeFinding("stale.user", "d"),
                                         MakeFinding("stale.user", "e", Severity::kHigh)}));
  EXPECT_EQ(HistoryOf("run-2"),
            (std::map<std::string, std::string>{
                {"a", "resolved v2: rule_changed (v1 -> v2): finding no longer present in "
                      "complete batch"},
                {"c", "opened v2: rule_changed (v1 -> v2): finding appeared"},
                {"d", "opened v2: finding appeared"},
                {"e", "updated v2: severity changed from low to high"}}));
  EXPECT_TRUE(TenantConsistent(db_.get(), tenant_));
}

TEST_F(RuleChangeTest, ASeverityOnlyTheNewVersionGivesIsTheRuleChanges) {
  Reconcile("run-1", kT0, Version(1, {MakeFinding("stale.user", "a", Severity::kLow)}, std::nullopt));
  Reconcile("run-2", kT0 + kDay,
            Version(2, {MakeFinding("stale.user", "a", Severity::kHigh)},
                    std::vector<Finding>{MakeFinding("stale.user", "a", Severity::kLow)}));
  EXPECT_EQ(HistoryOf("run-2").at("a"),
            "updated v2: rule_changed (v1 -> v2): severity changed from low to high");
}

TEST_F(RuleChangeTest, RollingBackReopensWhatTheNewVersionResolved) {
  const std::vector<Finding> v1 = {MakeFinding("stale.user", "a"), MakeFinding("stale.user", "b")};
  const std::vector<Finding> v2 = {MakeFinding("stale.user", "b")};
  Reconcile("run-1", kT0, Version(1, v1, std::nullopt));
  Reconcile("run-2", kT0 + kDay, Version(2, v2, v1));
  Reconcile("run-3", kT0 + 2 * kDay, Version(1, v1, v2));
  EXPECT_EQ(HistoryOf("run-3"),
            (std::map<std::string, std::string>{
                {"a", "reopened v1: rule_changed (v2 -> v1): finding reappeared"}}));
  EXPECT_TRUE(TenantConsistent(db_.get(), tenant_));
}

TEST_F(RuleChangeTest, WithoutABaselineReasonsAreTheUsualOnes) {
  Reconcile("run-1", kT0, Version(1, {MakeFinding("stale.user", "a")}, std::nullopt));
  Reconcile("run-2", kT0 + kDay, Version(2, {MakeFinding("stale.user", "b")}, std::nullopt));
  EXPECT_EQ(HistoryOf("run-2"),
            (std::map<std::string, std::string>{
                {"a", "resolved v2: finding no longer present in complete batch"},
                {"b", "opened v2: finding appeared"}}));
}

}  // namespace
}  // namespace vigil
