// Transient failures (handler errors with code Unavailable) are run again in
// place, under the same lease and attempt, until they pass or their budget
// runs out; other errors fail the attempt at once. A report to the queue
// that fails with Unavailable is made again. Each case runs on the plain
// worker (prefetch 0) and on the prefetching one (prefetch 2).
#include <gtest/gtest.h>

#include <atomic>

#include "queue/worker.h"
#include "queue/worker_test_support.h"
#include "testing/forwarding_queue.h"

namespace vigil {
namespace {

using worker_test::WaitFor;
using worker_test::WorkerTest;

class WorkerTransientTest : public WorkerTest, public ::testing::WithParamInterface<int> {
 protected:
  WorkerOptions Options() {
    WorkerOptions options;
    options.prefetch = GetParam();
    return options;
  }
};

std::string PrefetchName(const ::testing::TestParamInfo<int>& info) {
  return "Prefetch" + std::to_string(info.param);
}

TEST_P(WorkerTransientTest, ATransientFailureRunsAgainInPlaceWithoutUsingAnAttempt) {
  const std::string id = Add("sync", /*attempts=*/3);
  std::atomic<int> runs{0};
  WorkerOptions options = Options();
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

TEST_P(WorkerTransientTest, ATransientFailureThatOutlastsItsBudgetFailsTheAttempt) {
  const std::string id = Add("sync", /*attempts=*/1);
  std::atomic<int> runs{0};
  WorkerOptions options = Options();
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

TEST_P(WorkerTransientTest, APermanentFailureFailsTheAttemptAtOnce) {
  const std::string id = Add("sync", /*attempts=*/1);
  std::atomic<int> runs{0};
  std::atomic<int> ends_failed{0}, ends_other{0};
  WorkerOptions options = Options();
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

TEST_P(WorkerTransientTest, StoppingEndsTheWaitOfATransientFailure) {
  Add("sync", /*attempts=*/2);
  std::atomic<int> runs{0};
  WorkerOptions options = Options();
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

// The queue that is away for the first `failures` completions (a batch's
// completion goes through Complete too: ForwardingQueue keeps the base
// CompleteAndTake).
class CompleteAwayQueue : public testing::ForwardingQueue {
 public:
  CompleteAwayQueue(Queue* target, int failures) : ForwardingQueue(target), left_(failures) {}
  Status Complete(const Job& job, std::string_view value) override {
    if (left_-- > 0) return Status::Unavailable("redis 127.0.0.1:6379: connection refused");
    return ForwardingQueue::Complete(job, value);
  }

 private:
  std::atomic<int> left_;
};

TEST_P(WorkerTransientTest, ACompletionTheQueueCouldNotTakeIsReportedAgain) {
  const std::string id = Add("sync");
  CompleteAwayQueue away(queue_.get(), 2);
  std::atomic<int> completed{0}, other{0};
  WorkerOptions options = Options();
  options.transient_pause_ms = 5;
  options.on_finished = [&](const Job&, RunEnd end, const Status&) {
    ++(end == RunEnd::kCompleted ? completed : other);
  };
  auto worker = MakeWorker(
      &away, [](const Job&) -> Result<std::string> { return std::string("{}"); }, options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return completed.load() + other.load() == 1; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(completed.load(), 1);
  EXPECT_EQ(worker->stats().completed, 1);
  EXPECT_EQ(worker->stats().errors, 0);
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
}

INSTANTIATE_TEST_SUITE_P(PlainAndPrefetching, WorkerTransientTest, ::testing::Values(0, 2),
                         PrefetchName);

}  // namespace
}  // namespace vigil
