// A tenant whose data comes from Microsoft 365, Google Workspace or both:
// what the UnifiedAnalyzer's batches say, with analyzers that never learn
// which provider a user came from.
#include "analysis/source_scope.h"

#include <gtest/gtest.h>

#include "analysis/alert_types.h"
#include "analysis/analysis_testing.h"
#include "analysis/analyzer_support.h"
#include "analysis/unified_analyzer.h"

namespace vigil {
namespace {

using namespace analysis_testing;

// Users added after Google(...) come from the Workspace data source: no
// guests, MFA enforced or not per user, SKUs without seat totals; policies,
// security defaults and groups absent unless a Microsoft source exists.
class MixedTenant {
 public:
  explicit MixedTenant(bool microsoft, bool google) {
    if (microsoft) sources_.push_back(SourceInfo{1, "microsoft365", "microsoft365"});
    if (google) sources_.push_back(SourceInfo{2, "google", "google_workspace"});
  }
  ContextBuilder& builder() { return builder_; }
  uint32_t microsoft() const { return 0; }
  uint32_t google() const { return static_cast<uint32_t>(sources_.size() - 1); }

  // The next users come from `source`.
  MixedTenant& From(uint32_t source) {
    from_ = source;
    return *this;
  }
  MixedTenant& User(const std::string& name, const std::string& email, bool mfa,
                    std::optional<bool> enforced = std::nullopt) {
    builder_.Member(name);
    if (!mfa) builder_.NoMfa();
    builder_.ctx().users.back().upn = email;
    user_sources_.push_back(from_);
    enforced_.push_back(enforced);
    return *this;
  }
  MixedTenant& Sku(const std::string& id, int64_t enabled, int64_t consumed) {
    builder_.Sku(id, id, enabled, consumed);
    sku_sources_.push_back(from_);
    return *this;
  }

  DataContext Build() {
    DataContext ctx = builder_.Build();
    for (size_t i = 0; i < ctx.registrations.size(); ++i) {
      ctx.registrations[i].mfa_enforced = enforced_[i];
      ctx.registrations[i].upn = ctx.users[i].upn;
    }
    ctx.sources = sources_;
    ctx.user_source = user_sources_;
    ctx.sku_source = sku_sources_;
    const bool has_microsoft = sources_.front().provider == "microsoft365";
    if (!has_microsoft) {
      for (EntityKind kind : {EntityKind::kPolicy, EntityKind::kSetting, EntityKind::kGroup}) {
        ctx.absent_kinds.insert(kind);
        ctx.availability[kind] = Availability{false, "no data source has it"};
      }
      ctx.security_defaults.reset();
    }
    ctx.LinkPersons();
    return ctx;
  }

 private:
  ContextBuilder builder_;
  std::vector<SourceInfo> sources_;
  uint32_t from_ = 0;
  std::vector<uint32_t> user_sources_;
  std::vector<uint32_t> sku_sources_;
  std::vector<std::optional<bool>> enforced_;
};

const Batch& BatchOf(const AnalysisRun& run, std::string_view type) {
  for (const Batch& b : run.batches) {
    if (b.analysis_type == type) return b;
  }
  ADD_FAILURE() << "no batch " << type;
  return run.batches.front();
}

AnalysisRun Analyze(const DataContext& ctx) {
  return UnifiedAnalyzer::WithAllTypes().Run(ctx, "run-1", "trace-1");
}

TEST(SourceScopeTest, AWorkspaceOnlyTenantIsAnalyzedCompleteAndSaysWhatItCannotSee) {
  MixedTenant t(false, true);
  t.User("ann", "ann@acme.test", true, true)
      .User("bob", "bob@acme.test", false, false)
      .Sku("1010020020", 0, 2);
  t.builder().License("1010020020");
  const AnalysisRun run = Analyze(t.Build());
  for (const Batch& b : run.batches) {
    EXPECT_EQ(b.status, BatchStatus::kComplete) << b.analysis_type << ": " << b.reason;
  }
  EXPECT_EQ(Keys(BatchOf(run, "mfa").findings),
            (std::vector<std::string>{"mfa.user_not_enforced id-bob",
                                      "mfa.user_not_registered id-bob"}));
  // No seat totals: neither unused nor over-assigned, however the counts look.
  EXPECT_TRUE(BatchOf(run, "license").findings.empty());
  EXPECT_TRUE(BatchOf(run, "policy").findings.empty());
  EXPECT_EQ(BatchOf(run, "policy").notes,
            (std::vector<std::string>{
                "policy.legacy_auth_not_blocked: not available for data source \"google\" "
                "(google_workspace): Google Workspace has no conditional access policies or "
                "security defaults"}));
  EXPECT_EQ(BatchOf(run, "license").notes.size(), 2u);
  EXPECT_NE(BatchOf(run, "license").notes[0].find("license.unused: not available for data "
                                                 "source \"google\""),
            std::string::npos);
  EXPECT_EQ(BatchOf(run, "privilege").notes.size(), 1u);  // no guests, so no guest admins
}

TEST(SourceScopeTest, AMicrosoftOnlyTenantKeepsItsDetailsAndNeverGetsPerUserEnforcement) {
  MixedTenant t(true, false);
  t.User("ann", "ann@contoso.com", false);
  const DataContext ctx = t.Build();
  const AnalysisRun run = Analyze(ctx);
  const Batch& mfa = BatchOf(run, "mfa");
  ASSERT_EQ(mfa.status, BatchStatus::kComplete) << mfa.reason;
  EXPECT_EQ(Keys(mfa.findings), (std::vector<std::string>{"mfa.user_not_registered id-ann"}));
  EXPECT_EQ(mfa.findings[0].details.find("sources"), std::string::npos) << mfa.findings[0].details;
  EXPECT_EQ(mfa.notes.size(), 1u);
  EXPECT_NE(mfa.notes[0].find("mfa.user_not_enforced: not available for data source "
                              "\"microsoft365\""),
            std::string::npos);
}

TEST(SourceScopeTest, OnePersonInBothSourcesIsOneAlertNamedByTheFirstSource) {
  MixedTenant t(true, true);
  t.From(t.microsoft()).User("alice-ms", "Alice@Acme.test", false).User("carol-ms",
                                                                          "carol@acme.test", true);
  t.From(t.google())
      .User("alice-g", "alice@acme.test", false, true)
      .User("carol-g", "carol@acme.test", false, true)
      .User("dave-g", "dave@acme.test", false, true);
  const AnalysisRun run = Analyze(t.Build());
  const Batch& mfa = BatchOf(run, "mfa");
  ASSERT_EQ(mfa.status, BatchStatus::kComplete) << mfa.reason;
  EXPECT_EQ(Keys(mfa.findings),
            (std::vector<std::string>{"mfa.user_not_registered id-alice-ms",
                                      "mfa.user_not_registered id-carol-ms",
                                      "mfa.user_not_registered id-dave-g"}));
  const Finding* alice = FindingFor(mfa.findings, kMfaUserNotRegistered, "id-alice-ms");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->subject_name, "Alice@Acme.test");
  EXPECT_NE(alice->details.find(R"("sources":["microsoft365","google"]})"), std::string::npos)
      << alice->details;
  // Carol registered MFA in Microsoft 365 but not in Workspace: one alert,
  // named as in Microsoft 365, from the Workspace account.
  const Finding* carol = FindingFor(mfa.findings, kMfaUserNotRegistered, "id-carol-ms");
  ASSERT_NE(carol, nullptr);
  EXPECT_NE(carol->details.find(R"("sources":["google"]})"), std::string::npos) << carol->details;
}

TEST(SourceScopeTest, PolicyDataThatAppliesButFailedStillMakesTheBatchIncomplete) {
  MixedTenant t(true, true);
  t.From(t.google()).User("bob", "bob@acme.test", false, false);
  DataContext ctx = t.Build();
  ctx.availability[EntityKind::kPolicy] =
      Availability{false, "data source \"microsoft365\": permission missing"};
  const AnalysisRun run = Analyze(ctx);
  EXPECT_EQ(BatchOf(run, "mfa").status, BatchStatus::kIncomplete);
  EXPECT_EQ(BatchOf(run, "policy").status, BatchStatus::kIncomplete);
  EXPECT_EQ(BatchOf(run, "license").status, BatchStatus::kComplete);
}

TEST(SourceScopeTest, SeatFindingsOfAWorkspaceSkuAreDroppedButAMicrosoftSkusStay) {
  MixedTenant t(true, true);
  t.From(t.microsoft()).Sku("ms-e3", 10, 12);
  t.From(t.google()).Sku("1010020020", 0, 5);
  const AnalysisRun run = Analyze(t.Build());
  EXPECT_EQ(Keys(BatchOf(run, "license").findings),
            (std::vector<std::string>{"license.overassigned ms-e3"}));
}

TEST(SourceScopeTest, ASuperAdminWhoIsAlsoAGlobalAdminCountsOnce) {
  MixedTenant t(true, true);
  t.From(t.microsoft()).User("ann-ms", "ann@acme.test", true);
  t.builder().GlobalAdmin();
  t.From(t.google()).User("ann-g", "ann@acme.test", true, true);
  t.builder().GlobalAdmin();
  t.User("bea-g", "bea@acme.test", true, true);
  t.builder().GlobalAdmin();
  const AnalysisRun run = Analyze(t.Build());  // 2 persons: within 2-4
  EXPECT_TRUE(BatchOf(run, "privilege").findings.empty());
  MixedTenant one(true, true);
  one.From(one.microsoft()).User("ann-ms", "ann@acme.test", true);
  one.builder().GlobalAdmin();
  one.From(one.google()).User("ann-g", "ann@acme.test", true, true);
  one.builder().GlobalAdmin();
  const AnalysisRun one_run = Analyze(one.Build());
  const Batch& privilege = BatchOf(one_run, "privilege");
  ASSERT_EQ(privilege.findings.size(), 1u);
  EXPECT_NE(privilege.findings[0].details.find(R"("global_admins":1)"), std::string::npos)
      << privilege.findings[0].details;
}

TEST(SourceScopeTest, WithSourcesAppendsToTheDetailsObject) {
  MixedTenant t(true, true);
  t.From(t.google()).User("eve", "eve@acme.test", false, true);
  DataContext ctx = t.Build();
  std::vector<Finding> findings = {
      MakeFinding(kMfaUserNotRegistered, "id-eve", "eve@acme.test", "{}")};
  MergePersons(ctx, &findings);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].details, R"({"sources":["google"]})");
}

}  // namespace
}  // namespace vigil
