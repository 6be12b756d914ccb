#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::DaysAgo;
using analysis_testing::FindingFor;
using analysis_testing::FindingsOf;
using analysis_testing::Keys;
using Strings = std::vector<std::string>;

class PrivilegeAnalyzerTest : public ::testing::Test {
 protected:
  std::vector<Finding> Findings(const ContextBuilder& b) {
    return FindingsOf(*analyzer_, b.Build());
  }
  // A tenant with `n` enabled Global Administrators ga1..gaN.
  static ContextBuilder WithGlobalAdmins(int n) {
    ContextBuilder b;
    for (int i = 1; i <= n; ++i) b.Member("ga" + std::to_string(i)).GlobalAdmin();
    return b;
  }
  std::unique_ptr<Analyzer> analyzer_ = NewPrivilegeAnalyzer();
};

TEST_F(PrivilegeAnalyzerTest, TypeAndNeeds) {
  EXPECT_EQ(analyzer_->type(), "privilege");
  EXPECT_EQ(analyzer_->needs(),
            (std::vector<EntityKind>{EntityKind::kUser, EntityKind::kRole, EntityKind::kSignIn}));
}

TEST_F(PrivilegeAnalyzerTest, GlobalAdminCountBoundaries) {
  EXPECT_EQ(Keys(Findings(WithGlobalAdmins(0))), Strings{"privilege.global_admin_count contoso"});
  EXPECT_EQ(Keys(Findings(WithGlobalAdmins(1))), Strings{"privilege.global_admin_count contoso"});
  EXPECT_TRUE(Findings(WithGlobalAdmins(2)).empty());
  EXPECT_TRUE(Findings(WithGlobalAdmins(3)).empty());
  EXPECT_TRUE(Findings(WithGlobalAdmins(4)).empty());
  EXPECT_EQ(Keys(Findings(WithGlobalAdmins(5))), Strings{"privilege.global_admin_count contoso"});
}

TEST_F(PrivilegeAnalyzerTest, GlobalAdminCountDetails) {
  std::vector<Finding> findings = Findings(WithGlobalAdmins(1));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].subject_name, "contoso");
  EXPECT_EQ(findings[0].severity, Severity::kMedium);
  EXPECT_EQ(findings[0].details,
            "{\"global_admins\":1,\"min\":2,\"max\":4,\"admins\":[\"ga1@contoso.com\"]}");
  findings = Findings(WithGlobalAdmins(5));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].details,
            "{\"global_admins\":5,\"min\":2,\"max\":4,\"admins\":[\"ga1@contoso.com\","
            "\"ga2@contoso.com\",\"ga3@contoso.com\",\"ga4@contoso.com\",\"ga5@contoso.com\"]}");
}

TEST_F(PrivilegeAnalyzerTest, DisabledAdminsAndOtherRolesAreNotCounted) {
  ContextBuilder b;
  b.Member("ga1").GlobalAdmin().Member("ga2").GlobalAdmin().Disabled();
  b.Member("ua").UserAdmin();
  std::vector<Finding> findings = Findings(b);
  const Finding* f = FindingFor(findings, "privilege.global_admin_count", "contoso");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->details,
            "{\"global_admins\":1,\"min\":2,\"max\":4,\"admins\":[\"ga1@contoso.com\"]}");
}

TEST_F(PrivilegeAnalyzerTest, AdminHoldingTheRoleTwiceCountsOnce) {
  ContextBuilder b;
  b.Member("ga1").GlobalAdmin().GlobalAdmin().Member("ga2").GlobalAdmin();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(PrivilegeAnalyzerTest, PreferencesChangeTheAdminRange) {
  ContextBuilder b = WithGlobalAdmins(5);
  b.ctx().preferences.max_global_admins = 5;
  EXPECT_TRUE(Findings(b).empty());
  b.ctx().preferences.min_global_admins = 6;
  b.ctx().preferences.max_global_admins = 8;
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].details.substr(0, 40), "{\"global_admins\":5,\"min\":6,\"max\":8,\"admi");
}

TEST_F(PrivilegeAnalyzerTest, GuestAdmin) {
  ContextBuilder b = WithGlobalAdmins(2);
  b.Guest("gail").UserAdmin().Guest("gus");
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"privilege.guest_admin id-gail"});
  EXPECT_EQ(findings[0].subject_name, "gail@contoso.com");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"gail@contoso.com\",\"display_name\":\"gail\",\"enabled\":true,"
            "\"roles\":[\"User Administrator\"]}");
}

TEST_F(PrivilegeAnalyzerTest, DisabledAdminIsStaleAdmin) {
  ContextBuilder b = WithGlobalAdmins(2);
  b.Member("old").UserAdmin().Disabled();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"privilege.stale_admin id-old"});
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"old@contoso.com\",\"display_name\":\"old\",\"reason\":\"disabled\","
            "\"last_sign_in\":\"2026-05-31T12:00:00Z\",\"created\":\"2025-06-01T12:00:00Z\","
            "\"roles\":[\"User Administrator\"]}");
}

TEST_F(PrivilegeAnalyzerTest, InactiveAdminIsStaleAdminAtTheStaleBoundary) {
  ContextBuilder b = WithGlobalAdmins(2);
  b.Member("edge").UserAdmin().LastSignIn(DaysAgo(90));
  b.Member("past").UserAdmin().LastSignIn(DaysAgo(90) - 1);
  b.Member("never").UserAdmin().LastSignIn(std::nullopt).Created(DaysAgo(200));
  b.Member("nobody").LastSignIn(DaysAgo(500));  // stale but holds no role
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings),
            (Strings{"privilege.stale_admin id-never", "privilege.stale_admin id-past"}));
  EXPECT_NE(findings[0].details.find("\"reason\":\"inactive\",\"last_sign_in\":null,"),
            std::string::npos);
}

TEST_F(PrivilegeAnalyzerTest, StaleGlobalAdminStillCountsWhileEnabled) {
  ContextBuilder b;
  b.Member("ga1").GlobalAdmin().Member("ga2").GlobalAdmin().LastSignIn(DaysAgo(200));
  EXPECT_EQ(Keys(Findings(b)), Strings{"privilege.stale_admin id-ga2"});
}

TEST_F(PrivilegeAnalyzerTest, DisabledGuestAdminGetsBothAlerts) {
  ContextBuilder b = WithGlobalAdmins(2);
  b.Guest("gail").UserAdmin().Disabled();
  std::vector<Finding> findings = Findings(b);
  EXPECT_EQ(Keys(findings),
            (Strings{"privilege.guest_admin id-gail", "privilege.stale_admin id-gail"}));
  EXPECT_NE(findings[0].details.find("\"enabled\":false"), std::string::npos);
}

TEST_F(PrivilegeAnalyzerTest, StaleDaysPreferenceAppliesToAdmins) {
  ContextBuilder b = WithGlobalAdmins(2);
  b.Member("ua").UserAdmin().LastSignIn(DaysAgo(40));
  EXPECT_TRUE(Findings(b).empty());
  b.ctx().preferences.stale_days = 30;
  EXPECT_EQ(Keys(Findings(b)), Strings{"privilege.stale_admin id-ua"});
}

TEST_F(PrivilegeAnalyzerTest, DisabledAlertTypesAreNotProduced) {
  ContextBuilder b = WithGlobalAdmins(1);
  b.Guest("gail").UserAdmin().Disabled();
  b.ctx().preferences.disabled_alert_types = {"privilege.global_admin_count",
                                              "privilege.stale_admin"};
  EXPECT_EQ(Keys(Findings(b)), Strings{"privilege.guest_admin id-gail"});
}

}  // namespace
}  // namespace vigil
