// What a sync and an analysis record in the process metrics registry
// (observe/metrics.h's DefaultMetrics, served at /metrics):
// vigil_sync_duration_seconds{status}, vigil_analysis_duration_seconds and
// vigil_statements_per_analysis, whose count is the analyze span's.
#include <gtest/gtest.h>

#include "pipeline/pipeline.h"
#include "common/clock.h"
#include "observe/metrics.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/span_store.h"
#include "testing/directory_provider.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

constexpr TimeMs kStart = 1'795'000'000'000;  // 2026-11-18

// The series `name` of the process registry, with the buckets the pipeline
// gives it (whichever asks first creates the family).
Histogram* Series(const std::string& name, const MetricLabels& labels = {}) {
  const std::vector<double> buckets =
      name == "vigil_statements_per_analysis"
          ? std::vector<double>{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}
          : DurationBuckets();
  return DefaultMetrics()->GetHistogram(name, "", buckets, labels);
}

uint64_t SyncCount(const std::string& status) {
  return Series("vigil_sync_duration_seconds", {{"status", status}})->Count();
}

class PipelineMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = testing::OpenTestDatabase();
    ASSERT_NE(db_, nullptr);
  }

  // A synthetic tenant of `users` users written as Graph responses; its directory.
  std::string Write(const std::string& name, int users) {
    SyntheticOptions options;
    options.users = users;
    options.now = kStart;
    const std::string dir = dir_ + "/" + name;
    EXPECT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir).ok());
    return dir;
  }

  DirectorySync Sync(const std::string& dir) {
    return SyncFromDirectory(db_.get(), clock_, clock_, "contoso", "graph", dir, {}, "test",
                             testing::OpenDirectory);
  }

  std::string dir_;
  std::unique_ptr<Db> db_;
  testing::FakeClock clock_{kStart};
};

TEST_F(PipelineMetricsTest, ASyncAndItsAnalysisAreTimedAndTheAnalysisStatementsCounted) {
  Histogram* analysis = Series("vigil_analysis_duration_seconds");
  Histogram* statements = Series("vigil_statements_per_analysis");
  const uint64_t syncs = SyncCount("ok");
  const uint64_t analyses = analysis->Count();
  const uint64_t counted = statements->Count();
  const double statements_sum = statements->Sum();

  DirectorySync run = Sync(Write("full", 40));
  ASSERT_TRUE(run.setup.ok()) << run.setup.message();
  ASSERT_TRUE(run.outcome.status.ok()) << run.outcome.status.message();
  ASSERT_TRUE(run.outcome.analysis.has_value()) << run.outcome.analysis_status.message();

  EXPECT_EQ(SyncCount("ok"), syncs + 1);
  EXPECT_EQ(analysis->Count(), analyses + 1);
  ASSERT_EQ(statements->Count(), counted + 1);
  // The figure observed is the one the trace's analyze span records.
  Result<std::vector<SpanRecord>> spans = LoadTrace(db_.get(), run.trace_id);
  ASSERT_TRUE(spans.ok()) << spans.status().message();
  uint64_t span_statements = 0;
  for (const SpanRecord& span : *spans) {
    if (span.name == "analyze") span_statements = span.statements;
  }
  ASSERT_GT(span_statements, 0u);
  EXPECT_EQ(statements->Sum() - statements_sum, static_cast<double>(span_statements));

  const std::string text = DefaultMetrics()->Render();
  EXPECT_NE(text.find("# TYPE vigil_statements_per_analysis histogram\n"), std::string::npos);
  EXPECT_NE(text.find("vigil_statements_per_analysis_bucket{le=\"1000\"}"), std::string::npos);
  EXPECT_NE(text.find("vigil_sync_duration_seconds_count{status=\"ok\"}"), std::string::npos);
}

TEST_F(PipelineMetricsTest, RefusedAndFailedSyncsAreCountedUnderTheirStatus) {
  ASSERT_TRUE(Sync(Write("full", 40)).outcome.status.ok());
  const uint64_t refused = SyncCount("refused");
  const uint64_t failed = SyncCount("failed");
  const uint64_t analyses = Series("vigil_analysis_duration_seconds")->Count();

  // Most users gone at once: the deletion guard refuses the sync.
  DirectorySync run = Sync(Write("few", 2));
  ASSERT_EQ(run.outcome.status.code(), Code::kFailedPrecondition) << run.outcome.status.ToString();
  EXPECT_EQ(SyncCount("refused"), refused + 1);

  // A response that is not JSON: the fetch fails.
  const std::string broken = Write("broken", 5);
  testing::WriteFile(broken + "/users.json", "{not json");
  run = Sync(broken);
  ASSERT_FALSE(run.outcome.status.ok());
  EXPECT_EQ(SyncCount("failed"), failed + 1);
  // No analysis ran after either.
  EXPECT_EQ(Series("vigil_analysis_duration_seconds")->Count(), analyses);
}

}  // namespace
}  // namespace vigil
