#include "analysis/unified_analyzer.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "analysis/alert_types.h"
#include "analysis/analysis_testing.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::DaysAgo;
using analysis_testing::Keys;
using Strings = std::vector<std::string>;

// A tenant where no analysis type finds anything.
ContextBuilder HealthyTenant() {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 3, 3);
  b.Member("ga1").GlobalAdmin().License("sku-e3");
  b.Member("ga2").GlobalAdmin().License("sku-e3");
  b.Member("alice").License("sku-e3");
  b.Guest("gail");
  b.Policy("Block legacy", "enabled", true, {"exchangeActiveSync", "other"}, {"block"});
  return b;
}

// A tenant where every alert type fires at least once.
ContextBuilder TroubledTenant() {
  ContextBuilder b;
  b.SecurityDefaults(false);
  b.Sku("sku-a", "A", 5, 1).Sku("sku-b", "B", 1, 3);
  b.Member("ga1").GlobalAdmin().NoMfa();
  b.Member("alice").NoRegistration().LastSignIn(DaysAgo(120)).License("sku-b");
  b.Guest("gail").UserAdmin().NoMfa().LastSignIn(std::nullopt).Created(DaysAgo(300));
  b.Member("old").UserAdmin().Disabled().License("sku-a");
  return b;
}

const Batch* BatchOf(const AnalysisRun& run, std::string_view type) {
  for (const Batch& batch : run.batches) {
    if (batch.analysis_type == type) return &batch;
  }
  return nullptr;
}

Strings StatusLines(const AnalysisRun& run) {
  Strings out;
  for (const Batch& b : run.batches) {
    out.push_back(b.analysis_type + " " + std::string(BatchStatusName(b.status)) +
                  (b.reason.empty() ? "" : " " + b.reason));
  }
  return out;
}

// Fakes for tests: an analyzer of analysis type `type` that does what it is told.
class FakeAnalyzer : public Analyzer {
 public:
  enum class Mode { kFindings, kError, kThrowStd, kThrowOther };
  FakeAnalyzer(std::string type, Mode mode, std::vector<Finding> findings = {})
      : type_(std::move(type)), mode_(mode), findings_(std::move(findings)) {}
  std::string_view type() const override { return type_; }
  std::vector<EntityKind> needs() const override { return {EntityKind::kUser}; }
  Status Analyze(const DataContext&, std::vector<Finding>* out) const override {
    out->insert(out->end(), findings_.begin(), findings_.end());
    switch (mode_) {
      case Mode::kFindings:
        return Status::Ok();
      case Mode::kError:
        return Status::Unavailable("graph said no");
      case Mode::kThrowStd:
        throw std::runtime_error("boom");
      case Mode::kThrowOther:
        throw 42;
    }
    return Status::Ok();
  }

 private:
  std::string type_;
  Mode mode_;
  std::vector<Finding> findings_;
};

Finding MakeTestFinding(std::string type, std::string subject, std::string details = "{}") {
  Finding f;
  f.alert_type = std::move(type);
  f.subject = std::move(subject);
  f.subject_name = f.subject;
  f.details = std::move(details);
  return f;
}

UnifiedAnalyzer WithFakes(std::unique_ptr<Analyzer> license_fake) {
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  analyzers.push_back(NewMfaAnalyzer());
  analyzers.push_back(std::move(license_fake));
  analyzers.push_back(NewStaleAnalyzer());
  return UnifiedAnalyzer(std::move(analyzers));
}

TEST(UnifiedAnalyzerTest, AllTypesInFixedOrder) {
  EXPECT_EQ(UnifiedAnalyzer::WithAllTypes().types(), AnalysisTypes());
}

TEST(UnifiedAnalyzerTest, HealthyTenantGivesFiveEmptyCompleteBatches) {
  AnalysisRun run =
      UnifiedAnalyzer::WithAllTypes().Run(HealthyTenant().Build(), "run-1", "trace-1");
  EXPECT_EQ(run.tenant_id, 7);
  EXPECT_EQ(run.run_id, "run-1");
  EXPECT_EQ(run.trace_id, "trace-1");
  EXPECT_EQ(run.as_of, analysis_testing::kNow);
  EXPECT_EQ(StatusLines(run), (Strings{"mfa COMPLETE", "license COMPLETE", "stale COMPLETE",
                                       "privilege COMPLETE", "policy COMPLETE"}));
  for (const Batch& batch : run.batches) EXPECT_TRUE(batch.findings.empty()) << batch.analysis_type;
}

TEST(UnifiedAnalyzerTest, TroubledTenantFindsEveryAlertType) {
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(TroubledTenant().Build(), "r", "t");
  Strings all;
  for (const Batch& batch : run.batches) {
    EXPECT_EQ(batch.status, BatchStatus::kComplete) << batch.reason;
    for (const Finding& f : batch.findings) {
      EXPECT_EQ(AnalysisTypeOf(f.alert_type), batch.analysis_type);
      EXPECT_EQ(f.severity, FindAlertType(f.alert_type)->severity);
      all.push_back(f.alert_type + " " + f.subject);
    }
  }
  EXPECT_EQ(all, (Strings{
                     "mfa.admin_not_registered id-ga1",
                     "mfa.admin_not_registered id-gail",
                     "mfa.not_enforced contoso",
                     "mfa.user_not_registered id-alice",
                     "license.disabled_user sku-a",
                     "license.overassigned sku-b",
                     "license.unused sku-a",
                     "stale.guest id-gail",
                     "stale.user id-alice",
                     "privilege.global_admin_count contoso",
                     "privilege.guest_admin id-gail",
                     "privilege.stale_admin id-gail",
                     "privilege.stale_admin id-old",
                     "policy.legacy_auth_not_blocked contoso",
                 }));
}

TEST(UnifiedAnalyzerTest, MissingKindMakesOnlyItsTypesIncomplete) {
  ContextBuilder b = TroubledTenant();
  b.Unavailable(EntityKind::kRegistration, "userRegistrationDetails.json is missing");
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  EXPECT_EQ(StatusLines(run), (Strings{"mfa INCOMPLETE registration data is not available: "
                                       "userRegistrationDetails.json is missing",
                                       "license COMPLETE", "stale COMPLETE", "privilege COMPLETE",
                                       "policy COMPLETE"}));
  EXPECT_TRUE(BatchOf(run, "mfa")->findings.empty());
  EXPECT_FALSE(BatchOf(run, "license")->findings.empty());
}

TEST(UnifiedAnalyzerTest, UnknownSignInsMakeStaleAndPrivilegeIncomplete) {
  ContextBuilder b = TroubledTenant();
  b.Unavailable(EntityKind::kSignIn, "data source \"m365\": users: signInActivity needs Entra ID P1");
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  EXPECT_EQ(StatusLines(run),
            (Strings{"mfa COMPLETE", "license COMPLETE",
                     "stale INCOMPLETE signin data is not available: data source \"m365\": users: "
                     "signInActivity needs Entra ID P1",
                     "privilege INCOMPLETE signin data is not available: data source \"m365\": "
                     "users: signInActivity needs Entra ID P1",
                     "policy COMPLETE"}));
  EXPECT_TRUE(BatchOf(run, "stale")->findings.empty());
}

TEST(UnifiedAnalyzerTest, IncompleteReasonNamesEveryMissingKind) {
  ContextBuilder b = HealthyTenant();
  b.Unavailable(EntityKind::kUser, "data source 3 failed its last sync");
  b.NeverSynced(EntityKind::kSetting);
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  EXPECT_EQ(StatusLines(run),
            (Strings{"mfa INCOMPLETE user data is not available: data source 3 failed its last "
                     "sync; setting data is not available: setting data has never been synced",
                     "license INCOMPLETE user data is not available: data source 3 failed its "
                     "last sync",
                     "stale INCOMPLETE user data is not available: data source 3 failed its last "
                     "sync",
                     "privilege INCOMPLETE user data is not available: data source 3 failed its "
                     "last sync",
                     "policy COMPLETE"}));
}

TEST(UnifiedAnalyzerTest, ThrowingAnalyzerFailsOnlyItsType) {
  UnifiedAnalyzer unified = WithFakes(std::make_unique<FakeAnalyzer>(
      "license", FakeAnalyzer::Mode::kThrowStd,
      std::vector<Finding>{MakeTestFinding("license.unused", "sku-x")}));
  AnalysisRun run = unified.Run(TroubledTenant().Build(), "r", "t");
  EXPECT_EQ(StatusLines(run),
            (Strings{"mfa COMPLETE", "license FAILED license analyzer failed: exception: boom",
                     "stale COMPLETE"}));
  EXPECT_TRUE(BatchOf(run, "license")->findings.empty());
  EXPECT_EQ(BatchOf(run, "stale")->findings.size(), 2u);
}

TEST(UnifiedAnalyzerTest, NonStandardExceptionIsCaughtToo) {
  UnifiedAnalyzer unified =
      WithFakes(std::make_unique<FakeAnalyzer>("license", FakeAnalyzer::Mode::kThrowOther));
  AnalysisRun run = unified.Run(HealthyTenant().Build(), "r", "t");
  EXPECT_EQ(StatusLines(run),
            (Strings{"mfa COMPLETE", "license FAILED license analyzer failed: unknown exception",
                     "stale COMPLETE"}));
}

TEST(UnifiedAnalyzerTest, ErrorStatusFailsAndDiscardsWhatWasAppended) {
  UnifiedAnalyzer unified = WithFakes(std::make_unique<FakeAnalyzer>(
      "license", FakeAnalyzer::Mode::kError,
      std::vector<Finding>{MakeTestFinding("license.unused", "sku-x")}));
  AnalysisRun run = unified.Run(HealthyTenant().Build(), "r", "t");
  const Batch* batch = BatchOf(run, "license");
  ASSERT_NE(batch, nullptr);
  EXPECT_EQ(batch->status, BatchStatus::kFailed);
  EXPECT_EQ(batch->reason, "license analyzer failed: unavailable: graph said no");
  EXPECT_TRUE(batch->findings.empty());
}

TEST(UnifiedAnalyzerTest, FindingOfAnotherAnalysisTypeFailsTheBatch) {
  UnifiedAnalyzer unified = WithFakes(std::make_unique<FakeAnalyzer>(
      "license", FakeAnalyzer::Mode::kFindings,
      std::vector<Finding>{MakeTestFinding("license.unused", "sku-x"),
                           MakeTestFinding("stale.user", "id-alice")}));
  AnalysisRun run = unified.Run(HealthyTenant().Build(), "r", "t");
  EXPECT_EQ(BatchOf(run, "license")->reason,
            "license analyzer failed: finding of alert type \"stale.user\" (subject \"id-alice\") "
            "is not of analysis type license");
  EXPECT_TRUE(BatchOf(run, "license")->findings.empty());
}

TEST(UnifiedAnalyzerTest, FindingWithEmptySubjectFailsTheBatch) {
  UnifiedAnalyzer unified = WithFakes(
      std::make_unique<FakeAnalyzer>("license", FakeAnalyzer::Mode::kFindings,
                                     std::vector<Finding>{MakeTestFinding("license.unused", "")}));
  AnalysisRun run = unified.Run(HealthyTenant().Build(), "r", "t");
  EXPECT_EQ(BatchOf(run, "license")->status, BatchStatus::kFailed);
  EXPECT_EQ(BatchOf(run, "license")->reason,
            "license analyzer failed: finding of alert type license.unused has an empty subject");
}

TEST(UnifiedAnalyzerTest, FindingsAreSortedDeduplicatedAndFilteredByPreferences) {
  UnifiedAnalyzer unified = WithFakes(std::make_unique<FakeAnalyzer>(
      "license", FakeAnalyzer::Mode::kFindings,
      std::vector<Finding>{MakeTestFinding("license.unused", "sku-b", "{\"first\":1}"),
                           MakeTestFinding("license.disabled_user", "sku-a"),
                           MakeTestFinding("license.unused", "sku-a"),
                           MakeTestFinding("license.unused", "sku-b", "{\"second\":2}"),
                           MakeTestFinding("license.overassigned", "sku-a")}));
  ContextBuilder b = HealthyTenant();
  b.ctx().preferences.disabled_alert_types = {"license.overassigned"};
  AnalysisRun run = unified.Run(b.Build(), "r", "t");
  const Batch* batch = BatchOf(run, "license");
  ASSERT_EQ(batch->status, BatchStatus::kComplete);
  EXPECT_EQ(Keys(batch->findings), (Strings{"license.disabled_user sku-a", "license.unused sku-a",
                                            "license.unused sku-b"}));
  EXPECT_EQ(batch->findings[2].details, "{\"first\":1}");
}

TEST(UnifiedAnalyzerTest, DisabledAlertTypesAreDroppedFromRealBatches) {
  ContextBuilder b = TroubledTenant();
  b.ctx().preferences.disabled_alert_types = {"policy.legacy_auth_not_blocked", "stale.user",
                                              "stale.guest"};
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  EXPECT_EQ(BatchOf(run, "policy")->status, BatchStatus::kComplete);
  EXPECT_TRUE(BatchOf(run, "policy")->findings.empty());
  EXPECT_TRUE(BatchOf(run, "stale")->findings.empty());
  EXPECT_FALSE(BatchOf(run, "privilege")->findings.empty());
}

TEST(UnifiedAnalyzerTest, ObserverSeesEveryBatchInOrder) {
  Strings seen;
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(
      TroubledTenant().Build(), "r", "t", [&](const Batch& batch, int64_t duration_us) {
        EXPECT_GE(duration_us, 0);
        seen.push_back(batch.analysis_type + " " + std::string(BatchStatusName(batch.status)) +
                       " " + std::to_string(batch.findings.size()));
      });
  EXPECT_EQ(seen, (Strings{"mfa COMPLETE 4", "license COMPLETE 3", "stale COMPLETE 2",
                           "privilege COMPLETE 4", "policy COMPLETE 1"}));
}

TEST(UnifiedAnalyzerTest, SameContextGivesByteIdenticalBatches) {
  const DataContext ctx = TroubledTenant().Build();
  UnifiedAnalyzer unified = UnifiedAnalyzer::WithAllTypes();
  AnalysisRun a = unified.Run(ctx, "r1", "t1");
  AnalysisRun b = unified.Run(ctx, "r2", "t2");
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (size_t i = 0; i < a.batches.size(); ++i) {
    ASSERT_EQ(a.batches[i].findings.size(), b.batches[i].findings.size());
    for (size_t j = 0; j < a.batches[i].findings.size(); ++j) {
      const Finding& x = a.batches[i].findings[j];
      const Finding& y = b.batches[i].findings[j];
      EXPECT_EQ(x.alert_type, y.alert_type);
      EXPECT_EQ(x.subject, y.subject);
      EXPECT_EQ(x.subject_name, y.subject_name);
      EXPECT_EQ(x.severity, y.severity);
      EXPECT_EQ(x.details, y.details);
    }
  }
}

TEST(UnifiedAnalyzerTest, NullAnalyzersAreSkipped) {
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  analyzers.push_back(nullptr);
  analyzers.push_back(NewPolicyAnalyzer());
  UnifiedAnalyzer unified(std::move(analyzers));
  EXPECT_EQ(unified.types(), Strings{"policy"});
}

// 100,000 users (a large tenant): checks the counts; the time is for bench/.
TEST(UnifiedAnalyzerTest, LargeTenantCounts) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 100000, 99000);
  for (int i = 0; i < 100000; ++i) {
    b.Member("u" + std::to_string(i)).License("sku-e3");
    if (i % 10 == 0) b.NoMfa();
    if (i % 7 == 0) b.LastSignIn(DaysAgo(200));
    if (i % 1000 == 0) b.Disabled();
    if (i < 3) b.GlobalAdmin();
  }
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  Strings counts;
  for (const Batch& batch : run.batches) {
    counts.push_back(batch.analysis_type + " " + std::to_string(batch.findings.size()));
  }
  // mfa: i%10==0 and enabled (i%1000!=0): 10000 - 100 (u0 is a disabled admin).
  // stale: i%7==0 and enabled: 14286 - 15 (multiples of 7000).
  // privilege: u0 is a disabled Global Administrator -> stale_admin; 2 enabled GAs: fine.
  EXPECT_EQ(counts, (Strings{"mfa 9900", "license 2", "stale 14271", "privilege 1", "policy 1"}));
}

TEST(UnifiedAnalyzerVersionTest, EachBatchCarriesItsAnalyzersRuleVersion) {
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  analyzers.push_back(NewMfaAnalyzerV2());
  analyzers.push_back(NewStaleAnalyzer());
  const AnalysisRun run = UnifiedAnalyzer(std::move(analyzers)).Run(TroubledTenant().Build(), "r", "t");
  ASSERT_NE(BatchOf(run, "mfa"), nullptr);
  ASSERT_NE(BatchOf(run, "stale"), nullptr);
  EXPECT_EQ(BatchOf(run, "mfa")->rule_version, 2);
  EXPECT_EQ(BatchOf(run, "stale")->rule_version, 1);
  for (const Batch& b : UnifiedAnalyzer::WithAllTypes().Run(TroubledTenant().Build(), "r", "t").batches) {
    EXPECT_EQ(b.rule_version, 1) << b.analysis_type;  // every tenant runs version 1 by default
  }
}

// ---- exclusions and severity overrides -------------------------------------

Exclusion Excl(int64_t id, std::string kind, std::string value, std::string alert_type = "*",
               std::string reason = "break-glass account") {
  Exclusion e;
  e.id = id;
  e.kind = std::move(kind);
  e.value = std::move(value);
  e.alert_type = std::move(alert_type);
  e.reason = std::move(reason);
  e.added_by = "alice";
  return e;
}

// "alert_type subject #exclusion reason" per excluded finding, in order.
Strings ExcludedLines(const Batch& batch) {
  Strings out;
  for (const Excluded& x : batch.excluded) {
    out.push_back(x.alert_type + " " + x.subject + " #" + std::to_string(x.exclusion_id) + " " +
                  x.reason);
  }
  return out;
}

// Two members without MFA, BG (a break-glass account) and bob.
ContextBuilder TwoWithoutMfa() {
  ContextBuilder b;
  b.Member("BG").NoMfa();
  b.Member("bob").NoMfa();
  return b;
}

TEST(UnifiedAnalyzerExclusionTest, AUserIsExcludedByObjectId) {
  ContextBuilder b = TwoWithoutMfa();
  b.ctx().exclusions = {Excl(3, "user", "id-bg", "mfa.user_not_registered")};  // stored lower case
  const Batch batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  ASSERT_EQ(batch.status, BatchStatus::kComplete);
  EXPECT_EQ(Keys(batch.findings), Strings{"mfa.user_not_registered id-bob"});
  EXPECT_EQ(ExcludedLines(batch),
            Strings{"mfa.user_not_registered id-BG #3 break-glass account"});
  EXPECT_EQ(batch.excluded[0].subject_name, "BG@contoso.com");
}

TEST(UnifiedAnalyzerExclusionTest, AUserIsExcludedByUpnWithoutRegardToCase) {
  ContextBuilder b = TwoWithoutMfa();
  b.ctx().exclusions = {Excl(4, "user", "bg@contoso.com")};
  const Batch batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  EXPECT_EQ(Keys(batch.findings), Strings{"mfa.user_not_registered id-bob"});
  EXPECT_EQ(ExcludedLines(batch),
            Strings{"mfa.user_not_registered id-BG #4 break-glass account"});
  // An exclusion of another alert type leaves the finding alone.
  b.ctx().exclusions = {Excl(4, "user", "bg@contoso.com", "stale.user")};
  EXPECT_EQ(UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build()).findings.size(), 2u);
}

TEST(UnifiedAnalyzerExclusionTest, TheMembersOfAGroupAreExcluded) {
  ContextBuilder b = TwoWithoutMfa();
  b.Member("carol").NoMfa();
  b.ctx().groups = {GroupRecord{"G-1", "Break glass", true, {"id-BG", "id-carol"}},
                    GroupRecord{"g-2", "Everyone", true, {"id-bob"}}};
  b.ctx().exclusions = {Excl(5, "group", "g-1", "mfa.user_not_registered", "emergency access")};
  const Batch batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  EXPECT_EQ(Keys(batch.findings), Strings{"mfa.user_not_registered id-bob"});
  EXPECT_EQ(ExcludedLines(batch), (Strings{"mfa.user_not_registered id-BG #5 emergency access",
                                           "mfa.user_not_registered id-carol #5 emergency access"}));
  // A group the context does not hold (deleted, or groups not synced) excludes nobody.
  b.ctx().exclusions = {Excl(6, "group", "g-9")};
  EXPECT_EQ(UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build()).findings.size(), 3u);
}

TEST(UnifiedAnalyzerExclusionTest, ASkuIsExcludedByPartNumberNotItsHolders) {
  ContextBuilder b;
  b.Sku("sku-a", "SPE_E3", 5, 1).Sku("sku-b", "SPE_E5", 5, 1);
  b.Member("old").Disabled().License("sku-a");
  b.ctx().exclusions = {Excl(7, "sku", "SPE_E3", "*", "spare seats kept on purpose")};
  const Batch batch = UnifiedAnalyzer::RunOne(*NewLicenseAnalyzer(), b.Build());
  EXPECT_EQ(Keys(batch.findings), Strings{"license.unused sku-b"});
  EXPECT_EQ(ExcludedLines(batch),
            (Strings{"license.disabled_user sku-a #7 spare seats kept on purpose",
                     "license.unused sku-a #7 spare seats kept on purpose"}));
  // Part numbers compare exactly, as Graph gives them.
  b.ctx().exclusions = {Excl(7, "sku", "spe_e3")};
  EXPECT_EQ(UnifiedAnalyzer::RunOne(*NewLicenseAnalyzer(), b.Build()).findings.size(), 3u);
}

TEST(UnifiedAnalyzerExclusionTest, EveryTypeMeansEveryTypeButPrivilege) {
  ContextBuilder b;
  b.Guest("gail").UserAdmin().NoMfa().LastSignIn(DaysAgo(200));
  b.ctx().exclusions = {Excl(8, "user", "id-gail")};
  const AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(b.Build(), "r", "t");
  EXPECT_TRUE(BatchOf(run, "mfa")->findings.empty());
  EXPECT_EQ(ExcludedLines(*BatchOf(run, "mfa")),
            Strings{"mfa.admin_not_registered id-gail #8 break-glass account"});
  EXPECT_TRUE(BatchOf(run, "stale")->findings.empty());
  EXPECT_EQ(ExcludedLines(*BatchOf(run, "stale")),
            Strings{"stale.guest id-gail #8 break-glass account"});
  // privilege.* is never excluded, even by an exclusion stored for it by hand.
  EXPECT_EQ(Keys(BatchOf(run, "privilege")->findings),
            (Strings{"privilege.global_admin_count contoso", "privilege.guest_admin id-gail",
                     "privilege.stale_admin id-gail"}));
  EXPECT_TRUE(BatchOf(run, "privilege")->excluded.empty());
  b.ctx().exclusions = {Excl(9, "user", "id-gail", "privilege.guest_admin")};
  EXPECT_EQ(UnifiedAnalyzer::RunOne(*NewPrivilegeAnalyzer(), b.Build()).findings.size(), 3u);
}

TEST(UnifiedAnalyzerExclusionTest, TheFirstMatchingExclusionIsNamedAndDisabledTypesAreNotExcluded) {
  ContextBuilder b = TwoWithoutMfa();
  b.ctx().groups = {GroupRecord{"g-1", "Break glass", true, {"id-BG"}}};
  b.ctx().exclusions = {Excl(2, "group", "g-1", "*", "group"), Excl(3, "user", "id-bg", "*", "user")};
  Batch batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  EXPECT_EQ(ExcludedLines(batch), Strings{"mfa.user_not_registered id-BG #2 group"});
  b.ctx().preferences.disabled_alert_types = {"mfa.user_not_registered"};
  batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  EXPECT_TRUE(batch.findings.empty());
  EXPECT_TRUE(batch.excluded.empty());  // switched off, not excluded
}

TEST(UnifiedAnalyzerExclusionTest, SeverityOverridesChangeTheSeverityOfTheirTypeOnly) {
  ContextBuilder b = TwoWithoutMfa();
  b.Member("ga").GlobalAdmin().NoMfa();
  b.ctx().preferences.severity_overrides = {{"mfa.user_not_registered", "low"}};
  const Batch batch = UnifiedAnalyzer::RunOne(*NewMfaAnalyzer(), b.Build());
  ASSERT_EQ(Keys(batch.findings), (Strings{"mfa.admin_not_registered id-ga",
                                           "mfa.user_not_registered id-BG",
                                           "mfa.user_not_registered id-bob"}));
  EXPECT_EQ(batch.findings[0].severity, Severity::kCritical);
  EXPECT_FALSE(batch.findings[0].severity_overridden);
  for (size_t i : {1u, 2u}) {
    EXPECT_EQ(batch.findings[i].severity, Severity::kLow);
    EXPECT_TRUE(batch.findings[i].severity_overridden);
  }
}

}  // namespace
}  // namespace vigil
