// What the Worker records in the process metrics registry (DefaultMetrics,
// served at /metrics): each job's wait from due to start,
// vigil_job_wait_seconds{name}, and its run time,
// vigil_job_duration_seconds{name,outcome}.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "observe/metrics.h"
#include "queue/local_queue.h"
#include "queue/worker.h"
#include "testing/fake_clock.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

class FunctionHandler : public JobHandler {
 public:
  explicit FunctionHandler(std::function<Result<std::string>(const Job&)> run)
      : run_(std::move(run)) {}
  Result<std::string> Run(const Job& job) override { return run_(job); }

 private:
  std::function<Result<std::string>(const Job&)> run_;
};

Histogram* Wait(const std::string& name) {
  return DefaultMetrics()->GetHistogram("vigil_job_wait_seconds", "", DurationBuckets(),
                                        {{"name", name}});
}

Histogram* Duration(const std::string& name, const std::string& outcome) {
  return DefaultMetrics()->GetHistogram("vigil_job_duration_seconds", "", DurationBuckets(),
                                        {{"name", name}, {"outcome", outcome}});
}

// Runs a worker (with `prefetch`) over `queue` until `done` holds.
void RunUntil(Queue* queue, const Clock* clock, int prefetch,
              std::function<Result<std::string>(const Job&)> run,
              const std::function<bool()>& done) {
  WorkerOptions options;
  options.take_wait_ms = 50;
  options.prefetch = prefetch;
  Worker worker(
      queue,
      [run]() -> Result<std::unique_ptr<JobHandler>> {
        return std::unique_ptr<JobHandler>(new FunctionHandler(run));
      },
      options, clock);
  ASSERT_TRUE(worker.Start().ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(worker.Stop(5000), 0);
  EXPECT_TRUE(done());
}

class WorkerMetricsTest : public ::testing::TestWithParam<int> {};

TEST_P(WorkerMetricsTest, EachRunRecordsItsWaitAndItsDurationByNameAndOutcome) {
  // Job names of this test's own, so other tests' jobs do not count here.
  const std::string ok_name = "metrics-ok-" + std::to_string(GetParam());
  const std::string bad_name = "metrics-bad-" + std::to_string(GetParam());
  testing::FakeClock clock(1'795'000'000'000);
  auto queue = OpenLocalQueue(testing::OpenTestDatabase(), &clock);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_TRUE((*queue)->Add(ok_name, "{}", {}).ok());
  ASSERT_TRUE((*queue)->Add(ok_name, "{}", {}).ok());
  ASSERT_TRUE((*queue)->Add(bad_name, "{}", {}).ok());
  // Due 90 s ago when the worker takes them.
  clock.Advance(90'000);

  std::atomic<int> runs{0};
  RunUntil(
      queue->get(), &clock, GetParam(),
      [&](const Job& job) -> Result<std::string> {
        ++runs;
        if (job.name == bad_name) return Status::Internal("it broke");
        return std::string("{}");
      },
      [&] { return runs.load() == 3 && (*queue)->Counts().value().completed == 2; });

  EXPECT_EQ(Wait(ok_name)->Count(), 2u);
  EXPECT_EQ(Wait(bad_name)->Count(), 1u);
  EXPECT_DOUBLE_EQ(Wait(ok_name)->Sum(), 180.0);
  EXPECT_EQ(Wait(ok_name)->CumulativeCount(Wait(ok_name)->bounds().size() - 1), 0u)
      << "90 s is above the largest bucket";
  EXPECT_EQ(Duration(ok_name, "ok")->Count(), 2u);
  EXPECT_EQ(Duration(ok_name, "error")->Count(), 0u);
  EXPECT_EQ(Duration(bad_name, "error")->Count(), 1u);
  EXPECT_EQ(Duration(bad_name, "ok")->Count(), 0u);

  const std::string text = DefaultMetrics()->Render();
  EXPECT_NE(
      text.find("vigil_job_duration_seconds_count{name=\"" + ok_name + "\",outcome=\"ok\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_job_wait_seconds_count{name=\"" + bad_name + "\"} 1\n"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutPrefetch, WorkerMetricsTest, ::testing::Values(0, 2));

}  // namespace
}  // namespace vigil
