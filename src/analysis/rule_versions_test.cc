#include "analysis/rule_versions.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "analysis/alert_types.h"

namespace vigil {
namespace {

TEST(RuleVersionsTest, EveryAnalysisTypeHasVersionOneAndNumbersWithoutGaps) {
  for (const std::string& type : AnalysisTypes()) {
    const int latest = LatestRuleVersion(type);
    ASSERT_GE(latest, 1) << type;
    for (int v = 1; v <= latest; ++v) {
      Result<std::unique_ptr<Analyzer>> a = NewAnalyzerAt(type, v);
      ASSERT_TRUE(a.ok()) << type << " v" << v << ": " << a.status().ToString();
      EXPECT_EQ((*a)->type(), type);
      EXPECT_EQ((*a)->version(), v);
    }
  }
  std::set<std::pair<std::string, int>> seen;
  for (const RuleVersion& r : AllRuleVersions()) {
    EXPECT_TRUE(IsAnalysisType(r.analysis_type)) << r.analysis_type;
    EXPECT_FALSE(r.changes.empty()) << r.analysis_type << " v" << r.version;
    EXPECT_TRUE(seen.insert({std::string(r.analysis_type), r.version}).second);
  }
}

TEST(RuleVersionsTest, ShipsTheTwoVersionTwos) {
  EXPECT_EQ(LatestRuleVersion("stale"), 2);
  EXPECT_EQ(LatestRuleVersion("mfa"), 2);
  EXPECT_EQ(LatestRuleVersion("nope"), 0);
}

TEST(RuleVersionsTest, UnknownTypesAndVersionsAreNamed) {
  Result<std::unique_ptr<Analyzer>> type = NewAnalyzerAt("stal", 1);
  EXPECT_EQ(type.status().code(), Code::kNotFound);
  EXPECT_EQ(type.status().message(),
            "unknown analysis type \"stal\" (known: mfa, license, stale, privilege, policy)");
  Result<std::unique_ptr<Analyzer>> version = NewAnalyzerAt("stale", 3);
  EXPECT_EQ(version.status().code(), Code::kNotFound);
  EXPECT_EQ(version.status().message(), "stale has no version 3 (versions 1-2)");
  EXPECT_FALSE(NewAnalyzerAt("stale", 0).ok());
}

}  // namespace
}  // namespace vigil
