// Transient failures (handler errors with code Unavailable) are run again in
// place, under the same lease and attempt, until they pass or their budget
// runs out; other errors fail the attempt at once.
#include <gtest/gtest.h>

#include <atomic>

#include "queue/worker.h"
#include "queue/worker_test_support.h"

namespace vigil {
namespace {

using worker_test::WaitFor;
using worker_test::WorkerTest;

TEST_F(WorkerTest, ATransientFailureRunsAgainInPlaceWithoutUsingAnAttempt) {
  const std::string id = Add("sync", /*attempts=*/3);
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.transient_pause_ms = 5;
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        EXPECT_EQ(job.attempt, 1);
        if (++runs <= 3) {
          return Status::Unavailable("server closed the connection unexpectedly");
        }
        return std::string("{}");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return worker->stats().completed == 1; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(runs.load(), 4);
  Result<JobInfo> info = queue_->Get(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, JobState::kCompleted);
  EXPECT_EQ(info->attempts_made, 1);
  EXPECT_EQ(info->failed_reason, "");
  EXPECT_EQ(worker->stats().retried, 0);
}

TEST_F(WorkerTest, ATransientFailureThatOutlastsItsBudgetFailsTheAttempt) {
  const std::string id = Add("sync", /*attempts=*/1);
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.transient_pause_ms = 5;
  options.transient_max_pause_ms = 10;
  options.transient_budget_ms = 100;
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job&) -> Result<std::string> {
        ++runs;
        return Status::Unavailable("database pool: no connection free");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return worker->stats().failed == 1; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_GT(runs.load(), 2);
  Result<JobInfo> info = queue_->Get(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state, JobState::kFailed);
  EXPECT_EQ(info->failed_reason, "database pool: no connection free");
}

TEST_F(WorkerTest, APermanentFailureFailsTheAttemptAtOnce) {
  const std::string id = Add("sync", /*attempts=*/1);
  std::atomic<int> runs{0};
  std::atomic<int> ends_failed{0}, ends_other{0};
  WorkerOptions options;
  // A refused sync is FailedPrecondition, as a lost lease is: the report
  // still tells them apart.
  options.on_finished = [&](const Job&, RunEnd end, const Status&) {
    ++(end == RunEnd::kFailed ? ends_failed : ends_other);
  };
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job&) -> Result<std::string> {
        ++runs;
        return Status::FailedPrecondition("sync refused: 100% of users would be deleted");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return worker->stats().failed == 1; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(ends_failed.load(), 1);
  EXPECT_EQ(ends_other.load(), 0);
  EXPECT_EQ(worker->stats().lease_lost, 0);
  EXPECT_EQ(queue_->Get(id)->failed_reason, "sync refused: 100% of users would be deleted");
}

TEST_F(WorkerTest, StoppingEndsTheWaitOfATransientFailure) {
  Add("sync", /*attempts=*/2);
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.transient_pause_ms = 60000;  // the worker would wait a minute
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job&) -> Result<std::string> {
        ++runs;
        return Status::Unavailable("redis: no answer within 1000 ms");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(worker->Stop(30000), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(worker->stats().retried, 1);  // reported as a failed attempt
}

}  // namespace
}  // namespace vigil
