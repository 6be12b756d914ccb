#include "analysis/rule_runs.h"

#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::DaysAgo;

// Two users whose interactive sign-in is old: "app" signed in successfully
// yesterday (through an app), "old" did not. Stale to version 1 both; to
// version 2 only "old".
DataContext Tenant() {
  ContextBuilder b;
  b.Member("app").LastSignIn(DaysAgo(200)).LastSuccessfulSignIn(DaysAgo(1));
  b.Member("old").LastSignIn(DaysAgo(200));
  return b.Build();
}

const Batch& BatchOf(const AnalysisRun& run, const std::string& type) {
  for (const Batch& b : run.batches) {
    if (b.analysis_type == type) return b;
  }
  ADD_FAILURE() << "no batch of " << type;
  return run.batches.front();
}

std::vector<std::string> Subjects(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.alert_type + " " + f.subject);
  return out;
}

TEST(RuleRunsTest, EachTypeRunsTheTenantsActiveVersion) {
  DataContext ctx = Tenant();
  AnalysisRun v1 = ForRules(ctx).Run(ctx, "run-1", "t");
  EXPECT_EQ(BatchOf(v1, "stale").rule_version, 1);
  EXPECT_EQ(Subjects(BatchOf(v1, "stale").findings),
            (std::vector<std::string>{"stale.user id-app", "stale.user id-old"}));

  ctx.rules["stale"].active = 2;
  AnalysisRun v2 = ForRules(ctx).Run(ctx, "run-2", "t");
  EXPECT_EQ(BatchOf(v2, "stale").rule_version, 2);
  EXPECT_EQ(BatchOf(v2, "mfa").rule_version, 1);
  EXPECT_EQ(Subjects(BatchOf(v2, "stale").findings),
            (std::vector<std::string>{"stale.user id-old"}));
}

TEST(RuleRunsTest, AVersionThisBuildDoesNotKnowFailsItsTypeOnly) {
  DataContext ctx = Tenant();
  ctx.rules["stale"].active = 9;
  AnalysisRun run = ForRules(ctx).Run(ctx, "run-1", "t");
  const Batch& stale = BatchOf(run, "stale");
  EXPECT_EQ(stale.status, BatchStatus::kFailed);
  EXPECT_EQ(stale.rule_version, 9);
  EXPECT_NE(stale.reason.find("stale has no version 9 (versions 1-2)"), std::string::npos)
      << stale.reason;
  EXPECT_EQ(BatchOf(run, "mfa").status, BatchStatus::kComplete);
}

TEST(RuleRunsTest, BaselineIsTheAppliedVersionOnTheSameDataOnlyAfterAChange) {
  DataContext ctx = Tenant();
  ctx.rules["stale"] = RuleSetting{2, 1, 0, /*applied=*/1};
  ctx.rules["mfa"] = RuleSetting{1, 0, 0, /*applied=*/1};
  AnalysisRun run = ForRules(ctx).Run(ctx, "run-1", "t");
  AddBaselines(ctx, &run);
  const Batch& stale = BatchOf(run, "stale");
  ASSERT_TRUE(stale.baseline.has_value());
  EXPECT_EQ(stale.baseline->rule_version, 1);
  EXPECT_EQ(Subjects(stale.baseline->findings),
            (std::vector<std::string>{"stale.user id-app", "stale.user id-old"}));
  EXPECT_FALSE(BatchOf(run, "mfa").baseline.has_value());  // applied == active

  ctx.rules["stale"].applied = 2;  // the change was reconciled: no baseline any more
  AnalysisRun later = ForRules(ctx).Run(ctx, "run-2", "t");
  AddBaselines(ctx, &later);
  EXPECT_FALSE(BatchOf(later, "stale").baseline.has_value());
}

TEST(RuleRunsTest, CandidatesRunBesideTheActiveVersionWithTheSamePreferences) {
  DataContext ctx = Tenant();
  EXPECT_TRUE(RunCandidates(ctx).empty());
  ctx.rules["stale"].candidate = 2;
  ctx.rules["mfa"].candidate = 7;
  int observed = 0;
  std::vector<Batch> shadow =
      RunCandidates(ctx, [&](const Batch&, int64_t) { ++observed; });
  ASSERT_EQ(shadow.size(), 2u);
  EXPECT_EQ(observed, 2);
  EXPECT_EQ(shadow[0].analysis_type, "mfa");
  EXPECT_EQ(shadow[0].status, BatchStatus::kFailed);
  EXPECT_EQ(shadow[1].analysis_type, "stale");
  EXPECT_EQ(shadow[1].rule_version, 2);
  EXPECT_EQ(Subjects(shadow[1].findings), (std::vector<std::string>{"stale.user id-old"}));

  ctx.preferences.disabled_alert_types.insert("stale.user");
  EXPECT_TRUE(RunCandidates(ctx)[1].findings.empty());
}

}  // namespace
}  // namespace vigil
