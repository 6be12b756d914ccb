#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::FindingsOf;
using analysis_testing::Keys;
using Strings = std::vector<std::string>;

class PolicyAnalyzerTest : public ::testing::Test {
 protected:
  std::vector<Finding> Findings(const ContextBuilder& b) {
    return FindingsOf(*analyzer_, b.Build());
  }
  std::unique_ptr<Analyzer> analyzer_ = NewPolicyAnalyzer();
};

TEST_F(PolicyAnalyzerTest, TypeAndNeeds) {
  EXPECT_EQ(analyzer_->type(), "policy");
  EXPECT_EQ(analyzer_->needs(), std::vector<EntityKind>{EntityKind::kPolicy});
}

TEST_F(PolicyAnalyzerTest, NoPoliciesMeansLegacyAuthNotBlocked) {
  ContextBuilder b;
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "policy.legacy_auth_not_blocked");
  EXPECT_EQ(findings[0].subject, "contoso");
  EXPECT_EQ(findings[0].subject_name, "contoso");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].details,
            "{\"blocked_client_app_types\":[],\"not_blocked\":[\"exchangeActiveSync\",\"other\"]}");
}

TEST_F(PolicyAnalyzerTest, OneEnabledBlockPolicyCoveringBoth) {
  ContextBuilder b;
  b.Policy("Block legacy", "enabled", true, {"exchangeActiveSync", "other"}, {"block"});
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(PolicyAnalyzerTest, UnionOfEnabledBlockPoliciesCounts) {
  ContextBuilder b;
  b.Policy("Block EAS", "enabled", true, {"exchangeActiveSync"}, {"block"});
  b.Policy("Block other", "enabled", false, {"other"}, {"block"});
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(PolicyAnalyzerTest, HalfBlockedNamesWhatIsMissing) {
  ContextBuilder b;
  b.Policy("Block EAS", "enabled", true, {"exchangeActiveSync"}, {"block"});
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].details,
            "{\"blocked_client_app_types\":[\"exchangeActiveSync\"],\"not_blocked\":[\"other\"]}");
}

TEST_F(PolicyAnalyzerTest, ReportOnlyDisabledAndNonBlockPoliciesDoNotCount) {
  ContextBuilder b;
  b.Policy("report", "enabledForReportingButNotEnforced", true, {"exchangeActiveSync", "other"},
           {"block"});
  b.Policy("off", "disabled", true, {"exchangeActiveSync", "other"}, {"block"});
  b.Policy("mfa", "enabled", true, {"exchangeActiveSync", "other"}, {"mfa"});
  EXPECT_EQ(Keys(Findings(b)), Strings{"policy.legacy_auth_not_blocked contoso"});
}

TEST_F(PolicyAnalyzerTest, DisabledAlertTypeIsNotProduced) {
  ContextBuilder b;
  b.ctx().preferences.disabled_alert_types = {"policy.legacy_auth_not_blocked"};
  EXPECT_TRUE(Findings(b).empty());
}

}  // namespace
}  // namespace vigil
