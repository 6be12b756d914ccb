#include "analysis/batch_diff.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Finding F(std::string type, std::string subject, Severity severity) {
  return Finding{std::move(type), subject, subject + "@contoso.com", severity, "{}"};
}

Batch Of(std::vector<Finding> findings) {
  Batch b;
  b.analysis_type = "stale";
  b.findings = std::move(findings);
  return b;
}

TEST(BatchDiffTest, CountsWhatTheSecondBatchWouldOpenResolveAndChange) {
  const Batch active = Of({F("stale.guest", "g1", Severity::kLow),
                           F("stale.user", "a", Severity::kLow),
                           F("stale.user", "b", Severity::kLow),
                           F("stale.user", "c", Severity::kMedium)});
  const Batch candidate = Of({F("stale.user", "b", Severity::kLow),
                              F("stale.user", "c", Severity::kHigh),
                              F("stale.user", "d", Severity::kLow)});
  const BatchDiff diff = DiffBatches(active, candidate, 5);
  EXPECT_EQ(diff.would_open, 1);
  EXPECT_EQ(diff.would_resolve, 2);
  EXPECT_EQ(diff.would_change_severity, 1);
  EXPECT_EQ(diff.unchanged, 1);
  std::vector<std::string> lines;
  for (const DiffExample& e : diff.examples) {
    lines.push_back(e.change + " " + e.alert_type + " " + e.subject + " " + e.from_severity +
                    ">" + e.severity);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"would_resolve stale.guest g1 >low",
                                             "would_resolve stale.user a >low",
                                             "would_change_severity stale.user c medium>high",
                                             "would_open stale.user d >low"}));
}

TEST(BatchDiffTest, KeepsAtMostTheGivenNumberOfExamplesOfEachChange) {
  std::vector<Finding> many;
  for (int i = 0; i < 20; ++i) many.push_back(F("stale.user", "u" + std::to_string(100 + i), Severity::kLow));
  const BatchDiff diff = DiffBatches(Of({}), Of(many), 3);
  EXPECT_EQ(diff.would_open, 20);
  ASSERT_EQ(diff.examples.size(), 3u);
  EXPECT_EQ(diff.examples[0].subject, "u100");
  EXPECT_EQ(DiffBatches(Of(many), Of(many), 3).unchanged, 20);
  EXPECT_TRUE(DiffBatches(Of(many), Of(many), 3).examples.empty());
}

}  // namespace
}  // namespace vigil
