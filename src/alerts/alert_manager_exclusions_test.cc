// AlertManager and a tenant's exclusions and severity overrides: an open
// alert whose subject becomes excluded resolves naming the exclusion, an
// excluded finding never opens one, and a severity change an override made
// says so in its history row -- with the history still folding into the row
// and the writes still batched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "alerts/history_fold.h"
#include "analysis/alert_types.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

constexpr char kGone[] = "finding no longer present in complete batch";

class AlertManagerExclusionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kT0 + 1000 * kDay);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
  }

  ReconcileSummary Apply(const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager_->Reconcile(run);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_TRUE(TenantConsistent(db_.get(), run.tenant_id));
    return summary.ok() ? *summary : ReconcileSummary();
  }

  AlertRow Alert(int64_t tenant_id, const std::string& subject) {
    AlertFilter filter;
    filter.state = AlertStateFilter::kAll;
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (const AlertRow& row : *rows) {
      if (row.subject == subject && row.tenant_id == tenant_id) return row;
    }
    ADD_FAILURE() << "no alert about " << subject;
    return AlertRow();
  }

  std::vector<HistoryRow> History(int64_t alert_id) {
    Result<std::vector<HistoryRow>> rows = AlertHistory(db_.get(), alert_id);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<HistoryRow>();
  }

  // "transition: reason" of each history row of the alert about `subject`.
  std::vector<std::string> Reasons(int64_t tenant_id, const std::string& subject) {
    std::vector<std::string> out;
    for (const HistoryRow& h : History(Alert(tenant_id, subject).id)) {
      out.push_back(h.transition + ": " + h.reason);
    }
    return out;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

Excluded Excl(const std::string& alert_type, const std::string& subject, int64_t id,
              const std::string& reason) {
  return Excluded{alert_type, subject, subject + "@contoso.example", id, reason};
}

TEST_F(AlertManagerExclusionsTest, AnOpenAlertWhoseSubjectBecomesExcludedResolvesNamingIt) {
  const std::string type(kMfaUserNotRegistered);
  for (int64_t tenant : {contoso_, fabrikam_}) {
    Apply(MakeRun(tenant, "run-1", kT0,
                  {Complete("mfa", {MakeFinding(type, "u1"), MakeFinding(type, "u2"),
                                    MakeFinding(type, "u3")})}));
  }

  // u1 is now excluded, u2 is gone, u3 is still found. Fabrikam's run is the
  // same without the exclusion: the resolves cost the same statements.
  Batch excluded = Complete("mfa", {MakeFinding(type, "u3")});
  excluded.excluded = {Excl(type, "u1", 7, "break-glass account")};
  ReconcileSummary s = Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {excluded}));
  ReconcileSummary plain =
      Apply(MakeRun(fabrikam_, "run-2", kT0 + kDay, {Complete("mfa", {MakeFinding(type, "u3")})}));
  EXPECT_EQ(s.resolved, 2);
  EXPECT_EQ(s.statements, plain.statements);

  EXPECT_EQ(Reasons(contoso_, "u1"),
            (std::vector<std::string>{"opened: finding appeared",
                                      "resolved: excluded (exclusion 7: break-glass account)"}));
  EXPECT_EQ(Reasons(contoso_, "u2"),
            (std::vector<std::string>{"opened: finding appeared", std::string("resolved: ") + kGone}));
  EXPECT_EQ(Reasons(fabrikam_, "u1"),
            (std::vector<std::string>{"opened: finding appeared", std::string("resolved: ") + kGone}));
  ASSERT_EQ(s.changes.size(), 2u);
  EXPECT_EQ(s.changes[0].subject, "u1");
  EXPECT_EQ(s.changes[0].reason, "excluded (exclusion 7: break-glass account)");
  EXPECT_EQ(s.changes[1].reason, kGone);
  // The history still folds into the row.
  const AlertRow u1 = Alert(contoso_, "u1");
  EXPECT_EQ(u1.state, "resolved");
  EXPECT_TRUE(CheckAlertAgainstHistory(u1, History(u1.id)).ok());

  // While the exclusion holds, the alert stays resolved and nothing is written.
  ReconcileSummary again = Apply(MakeRun(contoso_, "run-3", kT0 + 2 * kDay, {excluded}));
  EXPECT_EQ(again.resolved + again.opened + again.reopened + again.updated, 0);
  EXPECT_EQ(History(u1.id).size(), 2u);
  // Once it is removed, the finding reopens the alert.
  ReconcileSummary removed = Apply(MakeRun(
      contoso_, "run-4", kT0 + 3 * kDay,
      {Complete("mfa", {MakeFinding(type, "u1"), MakeFinding(type, "u3")})}));
  EXPECT_EQ(removed.reopened, 1);
  EXPECT_EQ(Reasons(contoso_, "u1").back(), "reopened: finding reappeared");
}

TEST_F(AlertManagerExclusionsTest, AnExcludedFindingNeverOpensAnAlert) {
  const std::string type(kMfaUserNotRegistered);
  Batch batch = Complete("mfa", {MakeFinding(type, "u2")});
  batch.excluded = {Excl(type, "u1", 3, "service account")};
  ReconcileSummary s = Apply(MakeRun(contoso_, "run-1", kT0, {batch}));
  EXPECT_EQ(s.opened, 1);
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso"),
            std::vector<std::string>{"mfa.user_not_registered u2 medium"});
  // An excluded key of another analysis type is none of this batch's business.
  Batch other = Complete("mfa", {MakeFinding(type, "u2")});
  other.excluded = {Excl(std::string(kStaleUser), "u2", 3, "x")};
  EXPECT_EQ(Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {other})).resolved, 0);
}

TEST_F(AlertManagerExclusionsTest, ManyResolvesWithTheirOwnReasonsStayBatched) {
  const std::string type(kStaleUser);
  std::vector<Finding> findings;
  for (int i = 0; i < 1200; ++i) findings.push_back(MakeFinding(type, "u" + std::to_string(i)));
  for (int64_t tenant : {contoso_, fabrikam_}) {
    Apply(MakeRun(tenant, "run-1", kT0, {Complete("stale", findings)}));
  }
  Batch excluded = Complete("stale");
  for (int i = 0; i < 1200; i += 2) {
    excluded.excluded.push_back(
        Excl(type, "u" + std::to_string(i), i, "reason " + std::to_string(i)));
  }
  ReconcileSummary s = Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {excluded}));
  ReconcileSummary plain = Apply(MakeRun(fabrikam_, "run-2", kT0 + kDay, {Complete("stale")}));
  EXPECT_EQ(s.resolved, 1200);
  EXPECT_EQ(s.statements, plain.statements);
  EXPECT_EQ(Reasons(contoso_, "u10").back(), "resolved: excluded (exclusion 10: reason 10)");
  EXPECT_EQ(Reasons(contoso_, "u11").back(), std::string("resolved: ") + kGone);
  EXPECT_EQ(Reasons(contoso_, "u1198").back(),
            "resolved: excluded (exclusion 1198: reason 1198)");
}

TEST_F(AlertManagerExclusionsTest, ASeverityChangeMadeByAnOverrideSaysSo) {
  const std::string type(kMfaUserNotRegistered);
  Apply(MakeRun(contoso_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(type, "u1", Severity::kHigh)})}));
  Finding overridden = MakeFinding(type, "u1", Severity::kLow);
  overridden.severity_overridden = true;
  ReconcileSummary s = Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {Complete("mfa", {overridden})}));
  ASSERT_EQ(s.updated, 1);
  EXPECT_EQ(s.changes[0].reason, "severity changed from high to low (severity override)");
  // The override taken away: an ordinary change back.
  Apply(MakeRun(contoso_, "run-3", kT0 + 2 * kDay,
                {Complete("mfa", {MakeFinding(type, "u1", Severity::kHigh)})}));
  // An overridden finding whose details change too.
  overridden.details = R"({"n":2})";
  Apply(MakeRun(contoso_, "run-4", kT0 + 3 * kDay, {Complete("mfa", {overridden})}));
  EXPECT_EQ(Reasons(contoso_, "u1"),
            (std::vector<std::string>{
                "opened: finding appeared",
                "updated: severity changed from high to low (severity override)",
                "updated: severity changed from low to high",
                "updated: severity changed from high to low (severity override); details changed"}));
  const AlertRow u1 = Alert(contoso_, "u1");
  EXPECT_EQ(u1.severity, "low");
  EXPECT_TRUE(CheckAlertAgainstHistory(u1, History(u1.id)).ok());
}

}  // namespace
}  // namespace vigil
