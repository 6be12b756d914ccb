#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::FindingFor;
using analysis_testing::FindingsOf;
using analysis_testing::Keys;
using Strings = std::vector<std::string>;

class LicenseAnalyzerTest : public ::testing::Test {
 protected:
  std::vector<Finding> Findings(const ContextBuilder& b) {
    return FindingsOf(*analyzer_, b.Build());
  }
  std::unique_ptr<Analyzer> analyzer_ = NewLicenseAnalyzer();
};

TEST_F(LicenseAnalyzerTest, TypeAndNeeds) {
  EXPECT_EQ(analyzer_->type(), "license");
  EXPECT_EQ(analyzer_->needs(), (std::vector<EntityKind>{EntityKind::kUser, EntityKind::kSku}));
}

TEST_F(LicenseAnalyzerTest, FullyUsedSkuHasNoFindings) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 2, 2).Member("alice").License("sku-e3").Member("bob").License("sku-e3");
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(LicenseAnalyzerTest, Unused) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 10, 7);
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "license.unused");
  EXPECT_EQ(findings[0].subject, "sku-e3");
  EXPECT_EQ(findings[0].subject_name, "SPE_E3");
  EXPECT_EQ(findings[0].severity, Severity::kLow);
  EXPECT_EQ(findings[0].details, "{\"sku\":\"SPE_E3\",\"enabled\":10,\"consumed\":7,\"unused\":3}");
}

TEST_F(LicenseAnalyzerTest, Overassigned) {
  ContextBuilder b;
  b.Sku("sku-bp", "O365_BUSINESS_PREMIUM", 5, 6);
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "license.overassigned");
  EXPECT_EQ(findings[0].subject, "sku-bp");
  EXPECT_EQ(findings[0].severity, Severity::kMedium);
  EXPECT_EQ(findings[0].details,
            "{\"sku\":\"O365_BUSINESS_PREMIUM\",\"enabled\":5,\"consumed\":6,\"overassigned\":1}");
}

TEST_F(LicenseAnalyzerTest, BoundaryOfEqualUnitsAndZeroUnits) {
  ContextBuilder b;
  b.Sku("a", "A", 3, 3).Sku("b", "B", 0, 0).Sku("c", "C", 1, 0).Sku("d", "D", 0, 1);
  EXPECT_EQ(Keys(Findings(b)), (Strings{"license.overassigned d", "license.unused c"}));
}

TEST_F(LicenseAnalyzerTest, DisabledUsersListedPerSkuSortedByUpn) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 4, 4).Sku("sku-e5", "SPE_E5", 1, 1);
  b.Member("zed").License("sku-e3").Disabled();
  b.Member("amy").License("sku-e3").License("sku-e5").Disabled();
  b.Member("bob").License("sku-e3");  // enabled: not listed
  b.Guest("gus").License("sku-e3").Disabled();
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings),
            (Strings{"license.disabled_user sku-e3", "license.disabled_user sku-e5"}));
  EXPECT_EQ(findings[0].subject_name, "SPE_E3");
  EXPECT_EQ(findings[0].severity, Severity::kLow);
  EXPECT_EQ(findings[0].details,
            "{\"sku\":\"SPE_E3\",\"disabled_users\":3,"
            "\"users\":[\"amy@contoso.com\",\"gus@contoso.com\",\"zed@contoso.com\"]}");
  EXPECT_EQ(findings[1].details,
            "{\"sku\":\"SPE_E5\",\"disabled_users\":1,\"users\":[\"amy@contoso.com\"]}");
}

TEST_F(LicenseAnalyzerTest, DisabledUserListIsCappedButCounted) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 150, 150);
  for (int i = 0; i < 150; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "u%03d", 149 - i);
    b.Member(name).License("sku-e3").Disabled();
  }
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  const std::string& d = findings[0].details;
  EXPECT_NE(d.find("\"disabled_users\":150,"), std::string::npos);
  EXPECT_NE(d.find("\"users\":[\"u000@contoso.com\",\"u001@contoso.com\","), std::string::npos);
  EXPECT_NE(d.find("\"u099@contoso.com\"]"), std::string::npos);
  EXPECT_EQ(d.find("u100@"), std::string::npos);
}

TEST_F(LicenseAnalyzerTest, LicensesOfUnknownSkusAreIgnored) {
  ContextBuilder b;
  b.Member("amy").License("sku-gone").Disabled();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(LicenseAnalyzerTest, OneSkuCanHaveSeveralAlertTypes) {
  ContextBuilder b;
  b.Sku("sku-e3", "SPE_E3", 5, 1).Member("amy").License("sku-e3").Disabled();
  EXPECT_EQ(Keys(Findings(b)), (Strings{"license.disabled_user sku-e3", "license.unused sku-e3"}));
}

TEST_F(LicenseAnalyzerTest, DisabledAlertTypesAreNotProduced) {
  ContextBuilder b;
  b.Sku("a", "A", 5, 1).Sku("b", "B", 1, 2).Member("amy").License("a").Disabled();
  b.ctx().preferences.disabled_alert_types = {"license.unused", "license.disabled_user"};
  EXPECT_EQ(Keys(Findings(b)), Strings{"license.overassigned b"});
}

}  // namespace
}  // namespace vigil
