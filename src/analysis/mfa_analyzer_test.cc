#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::FindingFor;
using analysis_testing::FindingsOf;
using analysis_testing::Keys;
using Strings = std::vector<std::string>;

class MfaAnalyzerTest : public ::testing::Test {
 protected:
  std::vector<Finding> Findings(const ContextBuilder& b) {
    return FindingsOf(*analyzer_, b.Build());
  }
  std::unique_ptr<Analyzer> analyzer_ = NewMfaAnalyzer();
};

TEST_F(MfaAnalyzerTest, TypeAndNeeds) {
  EXPECT_EQ(analyzer_->type(), "mfa");
  EXPECT_EQ(analyzer_->needs(), (std::vector<EntityKind>{
                                    EntityKind::kUser, EntityKind::kRegistration, EntityKind::kRole,
                                    EntityKind::kPolicy, EntityKind::kSetting}));
}

TEST_F(MfaAnalyzerTest, HealthyTenantHasNoFindings) {
  ContextBuilder b;
  b.Member("alice").Member("bob").GlobalAdmin().Guest("gail");
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, MemberWithoutRegistrationRow) {
  ContextBuilder b;
  b.Member("alice").NoRegistration();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.alert_type, "mfa.user_not_registered");
  EXPECT_EQ(f.subject, "id-alice");
  EXPECT_EQ(f.subject_name, "alice@contoso.com");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.details,
            "{\"upn\":\"alice@contoso.com\",\"display_name\":\"alice\",\"user_type\":\"member\","
            "\"roles\":[],\"methods_registered\":[]}");
}

TEST_F(MfaAnalyzerTest, MemberWithRegistrationRowSayingNotRegistered) {
  ContextBuilder b;
  b.Member("alice").NoMfa();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "mfa.user_not_registered");
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"alice@contoso.com\",\"display_name\":\"alice\",\"user_type\":\"member\","
            "\"roles\":[],\"methods_registered\":[\"email\"]}");
}

TEST_F(MfaAnalyzerTest, GuestWithoutRoleGetsNoMfaAlert) {
  ContextBuilder b;
  b.Guest("gail").NoMfa().Guest("gus").NoRegistration();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, DisabledUsersNeverGetMfaAlerts) {
  ContextBuilder b;
  b.Member("alice").NoMfa().Disabled();
  b.Member("adam").NoRegistration().GlobalAdmin().Disabled();
  b.Guest("gail").NoMfa().UserAdmin().Disabled();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, AdminGetsTheAdminAlertInsteadOfTheUserAlert) {
  ContextBuilder b;
  b.Member("adam").NoMfa().GlobalAdmin().UserAdmin();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"mfa.admin_not_registered id-adam"});
  EXPECT_EQ(findings[0].severity, Severity::kCritical);
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"adam@contoso.com\",\"display_name\":\"adam\",\"user_type\":\"member\","
            "\"roles\":[\"Global Administrator\",\"User Administrator\"],"
            "\"methods_registered\":[\"email\"]}");
}

TEST_F(MfaAnalyzerTest, GuestAdminGetsTheAdminAlertNotTheUserAlert) {
  ContextBuilder b;
  b.Guest("gail").NoRegistration().UserAdmin();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"mfa.admin_not_registered id-gail"});
  EXPECT_NE(findings[0].details.find("\"user_type\":\"guest\""), std::string::npos);
}

TEST_F(MfaAnalyzerTest, AdminWithMfaIsFine) {
  ContextBuilder b;
  b.Member("adam").GlobalAdmin();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, FindingsSortedByTypeThenSubject) {
  ContextBuilder b;
  b.Member("zoe").NoMfa().Member("amy").NoMfa().Member("root").NoMfa().GlobalAdmin();
  b.Member("ann").NoMfa().UserAdmin();
  EXPECT_EQ(Keys(Findings(b)),
            (Strings{"mfa.admin_not_registered id-ann", "mfa.admin_not_registered id-root",
                     "mfa.user_not_registered id-amy", "mfa.user_not_registered id-zoe"}));
}

TEST_F(MfaAnalyzerTest, NotEnforcedWhenSecurityDefaultsOffAndNoPolicy) {
  ContextBuilder b;
  b.SecurityDefaults(false);
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "mfa.not_enforced");
  EXPECT_EQ(findings[0].subject, "contoso");
  EXPECT_EQ(findings[0].subject_name, "contoso");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].details,
            "{\"security_defaults\":\"disabled\",\"report_only_mfa_policies\":[]}");
}

TEST_F(MfaAnalyzerTest, NotEnforcedWhenSecurityDefaultsRecordIsAbsent) {
  ContextBuilder b;
  b.SecurityDefaults(std::nullopt);
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"mfa.not_enforced contoso"});
  EXPECT_EQ(findings[0].details,
            "{\"security_defaults\":\"unknown\",\"report_only_mfa_policies\":[]}");
}

TEST_F(MfaAnalyzerTest, EnabledAllUsersMfaPolicyEnforces) {
  ContextBuilder b;
  b.SecurityDefaults(false).Policy("Require MFA", "enabled", true, {"all"}, {"mfa"});
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, MfaAmongOtherControlsEnforces) {
  ContextBuilder b;
  b.SecurityDefaults(false).Policy("MFA or compliant", "enabled", true, {"all"},
                                   {"compliantDevice", "mfa"});
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, ReportOnlyPolicyDoesNotCount) {
  ContextBuilder b;
  b.SecurityDefaults(false)
      .Policy("Z report", "enabledForReportingButNotEnforced", true, {"all"}, {"mfa"})
      .Policy("A report", "enabledForReportingButNotEnforced", true, {"all"}, {"mfa"});
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"mfa.not_enforced contoso"});
  EXPECT_EQ(findings[0].details,
            "{\"security_defaults\":\"disabled\","
            "\"report_only_mfa_policies\":[\"A report\",\"Z report\"]}");
}

TEST_F(MfaAnalyzerTest, PoliciesThatDoNotEnforceForAllUsersDoNotCount) {
  ContextBuilder b;
  b.SecurityDefaults(false)
      .Policy("admins only", "enabled", false, {"all"}, {"mfa"})
      .Policy("disabled", "disabled", true, {"all"}, {"mfa"})
      .Policy("block legacy", "enabled", true, {"exchangeActiveSync", "other"}, {"block"});
  EXPECT_EQ(Keys(Findings(b)), Strings{"mfa.not_enforced contoso"});
}

TEST_F(MfaAnalyzerTest, SecurityDefaultsOnEnforcesWithoutPolicies) {
  ContextBuilder b;
  b.SecurityDefaults(true);
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(MfaAnalyzerTest, DisabledAlertTypesAreNotProduced) {
  ContextBuilder b;
  b.SecurityDefaults(false).Member("alice").NoMfa().Member("adam").NoMfa().GlobalAdmin();
  b.ctx().preferences.disabled_alert_types = {"mfa.user_not_registered", "mfa.not_enforced"};
  EXPECT_EQ(Keys(Findings(b)), Strings{"mfa.admin_not_registered id-adam"});
  b.ctx().preferences.disabled_alert_types = {"mfa.admin_not_registered"};
  EXPECT_EQ(Keys(Findings(b)),
            (Strings{"mfa.not_enforced contoso", "mfa.user_not_registered id-alice"}));
}

TEST_F(MfaAnalyzerTest, FailsWhenIndexesWereNotBuilt) {
  ContextBuilder b;
  b.Member("alice");
  DataContext ctx = b.Build();
  ctx.user_roles.clear();
  std::vector<Finding> findings;
  Status status = analyzer_->Analyze(ctx, &findings);
  EXPECT_EQ(status.ToString(),
            "internal error: data context: user_roles has 0 entries for 1 users "
            "(BuildIndexes was not called)");
}

TEST(StrongMfaMethodTest, AFactorOfItsOwnCountsPhoneEmailAndQuestionsDoNot) {
  for (const char* strong : {"microsoftAuthenticatorPush", "softwareOneTimePasscode",
                             "fido2SecurityKey", "windowsHelloForBusiness", "passKeyDeviceBound",
                             "hardwareOneTimePasscode", "microsoftAuthenticatorPasswordless"}) {
    EXPECT_TRUE(StrongMfaMethod(strong)) << strong;
  }
  for (const char* weak : {"mobilePhone", "alternateMobilePhone", "officePhone", "email",
                           "securityQuestion", "temporaryAccessPass", "someFutureMethod", ""}) {
    EXPECT_FALSE(StrongMfaMethod(weak)) << weak;
  }
}

TEST(MfaAnalyzerV2Test, SmsOnlyUsersAreNotRegisteredInVersionTwo) {
  ContextBuilder b;
  b.Member("alice").RegisteredWith({"mobilePhone"});
  b.Member("bob").RegisteredWith({"mobilePhone", "softwareOneTimePasscode"});
  b.Member("carol").GlobalAdmin().RegisteredWith({"email", "officePhone"});
  b.Member("dave").NoRegistration();
  const std::unique_ptr<Analyzer> v1 = NewMfaAnalyzer();
  const std::unique_ptr<Analyzer> v2 = NewMfaAnalyzerV2();
  EXPECT_EQ(v2->type(), "mfa");
  EXPECT_EQ(v2->version(), 2);
  EXPECT_EQ(Keys(FindingsOf(*v1, b.Build())), Strings{"mfa.user_not_registered id-dave"});
  const std::vector<Finding> two = FindingsOf(*v2, b.Build());
  ASSERT_EQ(Keys(two), (Strings{"mfa.admin_not_registered id-carol",
                                "mfa.user_not_registered id-alice",
                                "mfa.user_not_registered id-dave"}));
  EXPECT_EQ(two[1].details,
            "{\"upn\":\"alice@contoso.com\",\"display_name\":\"alice\",\"user_type\":\"member\","
            "\"roles\":[],\"methods_registered\":[\"mobilePhone\"]}");
}

TEST(MfaAnalyzerV2Test, EnforcementIsAsInVersionOne) {
  ContextBuilder b;
  b.Member("alice").SecurityDefaults(false);
  EXPECT_EQ(Keys(FindingsOf(*NewMfaAnalyzerV2(), b.Build())),
            Keys(FindingsOf(*NewMfaAnalyzer(), b.Build())));
  EXPECT_EQ(Keys(FindingsOf(*NewMfaAnalyzerV2(), b.Build())),
            Strings{"mfa.not_enforced contoso"});
}

}  // namespace
}  // namespace vigil
