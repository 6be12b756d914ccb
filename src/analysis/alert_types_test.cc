#include "analysis/alert_types.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "context/exclusions.h"
#include "context/preferences.h"

namespace vigil {
namespace {

TEST(AlertTypesTest, TableMatchesDesign) {
  struct Row {
    std::string_view name, analysis, severity, subject, tag;
  };
  const Row expected[] = {
      {"mfa.user_not_registered", "mfa", "medium", "user", "mfa:missing"},
      {"mfa.admin_not_registered", "mfa", "critical", "user", "mfa:missing"},
      {"mfa.not_enforced", "mfa", "high", "tenant", ""},
      {"mfa.user_not_enforced", "mfa", "medium", "user", "mfa:not_enforced"},
      {"license.unused", "license", "low", "sku", "license:unused"},
      {"license.overassigned", "license", "medium", "sku", "license:overassigned"},
      {"license.disabled_user", "license", "low", "sku", "license:disabled_user"},
      {"stale.user", "stale", "low", "user", "stale"},
      {"stale.guest", "stale", "low", "user", "stale"},
      {"privilege.global_admin_count", "privilege", "medium", "tenant", ""},
      {"privilege.guest_admin", "privilege", "high", "user", "privilege:guest_admin"},
      {"privilege.stale_admin", "privilege", "high", "user", "privilege:stale_admin"},
      {"policy.legacy_auth_not_blocked", "policy", "high", "tenant", ""},
  };
  ASSERT_EQ(AllAlertTypes().size(), std::size(expected));  // the table in docs/ARCHITECTURE.md
  for (size_t i = 0; i < std::size(expected); ++i) {
    const AlertTypeInfo& info = AllAlertTypes()[i];
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(info.name, expected[i].name);
    EXPECT_EQ(info.analysis_type, expected[i].analysis);
    EXPECT_EQ(SeverityName(info.severity), expected[i].severity);
    EXPECT_EQ(SubjectKindName(info.subject_kind), expected[i].subject);
    EXPECT_EQ(info.tag, expected[i].tag);
    EXPECT_FALSE(info.fires_when.empty());
  }
}

TEST(AlertTypesTest, FindAlertType) {
  const AlertTypeInfo* info = FindAlertType("privilege.guest_admin");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "privilege.guest_admin");
  EXPECT_EQ(info->severity, Severity::kHigh);
  EXPECT_EQ(FindAlertType("privilege"), nullptr);
  EXPECT_EQ(FindAlertType(""), nullptr);
  EXPECT_EQ(FindAlertType("MFA.NOT_ENFORCED"), nullptr);  // names are case-sensitive
}

TEST(AlertTypesTest, AnalysisTypesInFixedOrder) {
  EXPECT_EQ(AnalysisTypes(),
            (std::vector<std::string>{"mfa", "license", "stale", "privilege", "policy"}));
  EXPECT_TRUE(IsAnalysisType("stale"));
  EXPECT_FALSE(IsAnalysisType("stale.user"));
}

TEST(AlertTypesTest, AnalysisTypeOf) {
  EXPECT_EQ(AnalysisTypeOf("mfa.not_enforced"), "mfa");
  EXPECT_EQ(AnalysisTypeOf("license.disabled_user"), "license");
  EXPECT_EQ(AnalysisTypeOf("stale.guest"), "stale");
  EXPECT_EQ(AnalysisTypeOf("privilege.global_admin_count"), "privilege");
  EXPECT_EQ(AnalysisTypeOf("policy.legacy_auth_not_blocked"), "policy");
  EXPECT_EQ(AnalysisTypeOf("policy.unknown"), "");
}

TEST(AlertTypesTest, EveryAlertTypeBelongsToAnAnalysisTypeAndNamesItAsPrefix) {
  std::set<std::string_view> names;
  size_t total = 0;
  for (const std::string& type : AnalysisTypes()) {
    for (const AlertTypeInfo* info : AlertTypesOf(type)) {
      EXPECT_EQ(info->name.substr(0, type.size() + 1), type + ".");
      names.insert(info->name);
      ++total;
    }
  }
  EXPECT_EQ(total, AllAlertTypes().size());
  EXPECT_EQ(names.size(), total);
  EXPECT_TRUE(AlertTypesOf("nope").empty());
}

TEST(AlertTypesTest, AlertTypesOfKeepsTableOrder) {
  std::vector<std::string_view> names;
  for (const AlertTypeInfo* info : AlertTypesOf("stale")) names.push_back(info->name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"stale.user", "stale.guest"}));
}

TEST(AlertTypesTest, SubjectKindByName) {
  EXPECT_EQ(SubjectKindOfAlertType("stale.user"), "user");
  EXPECT_EQ(SubjectKindOfAlertType("license.unused"), "sku");
  EXPECT_EQ(SubjectKindOfAlertType("mfa.not_enforced"), "tenant");
  EXPECT_EQ(SubjectKindOfAlertType("mfa.nope"), "");
  EXPECT_EQ(SubjectKindOfAlertType("*"), "");
}

// context/ sits below this table and knows two of its facts by name: the
// severity names (preference severity_overrides) and that privilege alert
// types start with "privilege." (never excluded). They must agree.
TEST(AlertTypesTest, WhatTheContextKnowsByNameAgreesWithTheTable) {
  for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    Preferences p;
    EXPECT_TRUE(p.Set("severity_overrides", "stale.user=" + std::string(SeverityName(s))).ok())
        << SeverityName(s);
  }
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    EXPECT_EQ(IsPrivilegeAlertType(info.name), info.analysis_type == kAnalysisPrivilege)
        << info.name;
  }
}

}  // namespace
}  // namespace vigil
