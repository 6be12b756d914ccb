// The fixture of the Worker tests (tests only): a local queue on a test
// database, a handler that runs a function, and a poll for conditions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "queue/local_queue.h"
#include "queue/worker.h"
#include "testing/test_database.h"

namespace vigil::worker_test {

using std::chrono::milliseconds;

// Generous: how long a test waits for something that must happen.
inline constexpr auto kMust = std::chrono::seconds(20);

// Polls `done` until it holds or kMust passed; returns whether it held.
inline bool WaitFor(const std::function<bool()>& done) {
  auto end = std::chrono::steady_clock::now() + kMust;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// Runs `run` for every job (shared by every thread's handler).
class FakeHandler : public JobHandler {
 public:
  explicit FakeHandler(std::function<Result<std::string>(const Job&)> run) : run_(std::move(run)) {}
  Result<std::string> Run(const Job& job) override { return run_(job); }

 private:
  std::function<Result<std::string>(const Job&)> run_;
};

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_db_ = testing::OpenTestDatabaseFactory();
    queue_ = OpenQueue();
    ASSERT_NE(queue_, nullptr);
  }

  // A handle of its own (another connection) to the test's queue.
  std::unique_ptr<Queue> OpenQueue() {
    LocalQueueOptions options;
    options.poll_ms = 50;
    auto q = OpenLocalQueue(open_db_(), clock_.get(), options);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }

  std::unique_ptr<Worker> MakeWorker(Queue* queue,
                                     std::function<Result<std::string>(const Job&)> run,
                                     WorkerOptions options = {}) {
    auto make = [run]() -> Result<std::unique_ptr<JobHandler>> {
      return std::unique_ptr<JobHandler>(new FakeHandler(run));
    };
    options.take_wait_ms = 200;
    return std::make_unique<Worker>(queue, make, options, clock_.get());
  }

  std::string Add(std::string_view name, int attempts = 1) {
    JobOptions o;
    o.attempts = attempts;
    auto r = queue_->Add(name, "{}", o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->job_id : "";
  }

  JobState StateOf(const std::string& id) {
    auto info = queue_->Get(id);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->state : JobState::kWaiting;
  }

  std::unique_ptr<Clock> clock_ = NewSystemClock();
  std::function<std::unique_ptr<Db>()> open_db_;
  std::unique_ptr<Queue> queue_;
};

}  // namespace vigil::worker_test
