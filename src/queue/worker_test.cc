#include "queue/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "queue/local_queue.h"
#include "queue/worker_test_support.h"
#include "testing/forwarding_queue.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using worker_test::FakeHandler;
using worker_test::kMust;
using worker_test::WaitFor;
using worker_test::WorkerTest;

TEST_F(WorkerTest, CompletesEveryJobAtConcurrencyFour) {
  constexpr int kJobs = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(Add("noop"));
  std::atomic<int> handlers_made{0};
  std::atomic<int> runs{0};
  auto make = [&]() -> Result<std::unique_ptr<JobHandler>> {
    ++handlers_made;
    return std::unique_ptr<JobHandler>(new FakeHandler([&](const Job& job) -> Result<std::string> {
      ++runs;
      std::this_thread::sleep_for(milliseconds(2));
      return R"({"id":")" + job.id + R"("})";
    }));
  };
  WorkerOptions options;
  options.concurrency = 4;
  options.take_wait_ms = 200;
  Worker worker(queue_.get(), make, options, clock_.get());
  ASSERT_TRUE(worker.Start().ok());
  EXPECT_EQ(handlers_made.load(), 4);
  ASSERT_TRUE(WaitFor([&] { return worker.stats().completed == kJobs; }));
  EXPECT_EQ(worker.Stop(5000), 0);
  EXPECT_EQ(runs.load(), kJobs);
  EXPECT_EQ(queue_->Counts()->completed, kJobs);
  EXPECT_EQ(queue_->Get(ids[7])->return_value, R"({"id":")" + ids[7] + R"("})");
  Worker::Stats stats = worker.stats();
  EXPECT_EQ(stats.failed + stats.retried + stats.lease_lost + stats.errors, 0);
}

TEST_F(WorkerTest, ThrowingHandlerFailsTheJobWithTheMessageAndTheWorkerGoesOn) {
  std::string throws = Add("explode", /*attempts=*/2);
  std::string throws_int = Add("explode-int");
  std::string unknown = Add("nope");
  std::string bad_value = Add("bad-value");
  std::string fine = Add("fine");
  std::vector<std::pair<std::string, Status>> finished;
  std::mutex mu;
  WorkerOptions options;
  options.on_finished = [&](const Job& job, RunEnd, const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    finished.emplace_back(job.id, s);
  };
  auto worker = MakeWorker(
      queue_.get(),
      [](const Job& job) -> Result<std::string> {
        if (job.name == "explode") throw std::runtime_error("graph exploded");
        if (job.name == "explode-int") throw 42;
        if (job.name == "bad-value") return std::string("{not json");
        if (job.name == "fine") return std::string("{}");
        return Status::InvalidArgument("unknown job name \"" + job.name + "\"");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    auto c = queue_->Counts();
    return c.ok() && c->failed == 4 && c->completed == 1;
  }));
  EXPECT_EQ(worker->Stop(5000), 0);

  auto info = queue_->Get(throws);
  EXPECT_EQ(info->state, JobState::kFailed);
  EXPECT_EQ(info->attempts_made, 2);
  EXPECT_EQ(info->failed_reason, "handler threw: graph exploded");
  EXPECT_EQ(queue_->Get(throws_int)->failed_reason, "handler threw an exception of an unknown type");
  EXPECT_EQ(queue_->Get(unknown)->failed_reason, R"(unknown job name "nope")");
  EXPECT_EQ(queue_->Get(bad_value)->failed_reason,
            "complete job \"" + bad_value + "\": return value is not JSON");
  EXPECT_EQ(StateOf(fine), JobState::kCompleted);

  Worker::Stats stats = worker->stats();
  EXPECT_EQ(stats.completed, 1);
  EXPECT_EQ(stats.failed, 4);
  EXPECT_EQ(stats.retried, 1);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(finished.size(), 6u);
  int ok = 0;
  for (const auto& [id, s] : finished) ok += s.ok() ? 1 : 0;
  EXPECT_EQ(ok, 1);
}

TEST_F(WorkerTest, StartReportsTheHandlerFactoryError) {
  std::string id = Add("sync");
  int calls = 0;
  auto make = [&]() -> Result<std::unique_ptr<JobHandler>> {
    if (++calls == 2) return Status::IoError("cannot open database /nowhere/vigil.db");
    return std::unique_ptr<JobHandler>(
        new FakeHandler([](const Job&) -> Result<std::string> { return std::string("null"); }));
  };
  WorkerOptions options;
  options.name = "w";
  options.concurrency = 2;
  Worker worker(queue_.get(), make, options, clock_.get());
  Status s = worker.Start();
  EXPECT_EQ(s.ToString(),
            "I/O error: worker w: making handler 2 of 2: cannot open database /nowhere/vigil.db");
  EXPECT_EQ(worker.Stop(0), 0);
  EXPECT_EQ(StateOf(id), JobState::kWaiting);  // nothing ran
}

TEST_F(WorkerTest, StartRejectsBadOptions) {
  WorkerOptions options;
  options.name = "w";
  options.concurrency = 0;
  auto worker = std::make_unique<Worker>(
      queue_.get(), [] { return Result<std::unique_ptr<JobHandler>>(Status::Internal("unused")); },
      options, clock_.get());
  EXPECT_EQ(worker->Start().ToString(),
            "invalid argument: worker w: concurrency must be >= 1 (got 0)");
}

TEST_F(WorkerTest, StopDrainsAJobThatFinishesInTime) {
  std::string id = Add("slow");
  std::atomic<bool> started{false};
  auto worker = MakeWorker(queue_.get(), [&](const Job&) -> Result<std::string> {
    started = true;
    std::this_thread::sleep_for(milliseconds(200));
    return std::string(R"("drained")");
  });
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  EXPECT_EQ(worker->Stop(20000), 0);
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
  EXPECT_EQ(queue_->Get(id)->return_value, R"("drained")");
  EXPECT_EQ(worker->stats().completed, 1);
}

TEST_F(WorkerTest, StopAbandonsAJobThatDoesNotFinishInTime) {
  std::string id = Add("stuck");
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  auto worker = MakeWorker(queue_.get(), [&](const Job&) -> Result<std::string> {
    started = true;
    WaitFor([&] { return release.load(); });
    return std::string("null");
  });
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  EXPECT_EQ(worker->Stop(50), 1);
  EXPECT_EQ(StateOf(id), JobState::kActive);
  EXPECT_EQ(worker->Stop(50), 0);  // once
  release = true;
  worker.reset();  // waits for the abandoned handler
}

TEST_F(WorkerTest, LeaseExtensionKeepsALongJobFromASecondWorker) {
  std::string id = Add("long");
  std::atomic<bool> started{false};
  WorkerOptions a_options;
  a_options.name = "a";
  a_options.lease_ms = 600;  // extended every 200 ms; the job runs 2 s
  auto a = MakeWorker(
      queue_.get(),
      [&](const Job&) -> Result<std::string> {
        started = true;
        std::this_thread::sleep_for(milliseconds(2000));
        return std::string("null");
      },
      a_options);
  ASSERT_TRUE(a->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));

  // Another process's worker, recovering stalled jobs often.
  std::unique_ptr<Queue> other = OpenQueue();
  std::atomic<int> b_runs{0};
  WorkerOptions b_options;
  b_options.name = "b";
  b_options.stalled_check_ms = 50;
  auto b = MakeWorker(
      other.get(),
      [&](const Job&) -> Result<std::string> {
        ++b_runs;
        return std::string("null");
      },
      b_options);
  ASSERT_TRUE(b->Start().ok());

  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == JobState::kCompleted; }));
  EXPECT_EQ(a->Stop(5000), 0);
  EXPECT_EQ(b->Stop(5000), 0);
  EXPECT_EQ(b_runs.load(), 0);
  EXPECT_EQ(queue_->Get(id)->stalled_count, 0);
  EXPECT_EQ(a->stats().completed, 1);
  EXPECT_EQ(a->stats().lease_lost, 0);
}

// Forwards to a real queue but never extends a lease: the worker loses it.
class FakeForgetfulQueue : public testing::ForwardingQueue {
 public:
  using ForwardingQueue::ForwardingQueue;
  Status ExtendLease(const Job&, int64_t) override { return Status::Ok(); }
};

TEST_F(WorkerTest, LostLeaseIsCountedAndTheJobRunsAgain) {
  std::string id = Add("sync");
  FakeForgetfulQueue forgetful(queue_.get());
  std::unique_ptr<Queue> other = OpenQueue();
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.lease_ms = 50;
  options.stalled_check_ms = 600000;  // only the test recovers
  auto worker = MakeWorker(
      &forgetful,
      [&](const Job& job) -> Result<std::string> {
        if (++runs == 1) {
          // The lease expires while the job runs and another process recovers it.
          while (clock_->NowMs() <= job.started_at + 60)
            std::this_thread::sleep_for(milliseconds(5));
          auto moved = other->RecoverStalled();
          EXPECT_TRUE(moved.ok() && *moved == 1);
        }
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == JobState::kCompleted; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(worker->stats().lease_lost, 1);
  EXPECT_EQ(worker->stats().completed, 1);
  EXPECT_EQ(queue_->Get(id)->stalled_count, 1);
}

TEST_F(WorkerTest, PrefetchMustNotBeNegative) {
  WorkerOptions options;
  options.name = "w";
  options.prefetch = -1;
  auto worker = MakeWorker(
      queue_.get(), [](const Job&) -> Result<std::string> { return std::string("null"); }, options);
  EXPECT_EQ(worker->Start().ToString(), "invalid argument: worker w: prefetch must be >= 0 (got -1)");
}

TEST_F(WorkerTest, FeedersMustBeAtLeastOne) {
  WorkerOptions options;
  options.name = "w";
  options.prefetch = 4;
  options.feeders = 0;
  auto worker = MakeWorker(
      queue_.get(), [](const Job&) -> Result<std::string> { return std::string("null"); }, options);
  EXPECT_EQ(worker->Start().ToString(), "invalid argument: worker w: feeders must be >= 1 (got 0)");
}

// However many feeders take and report, each job runs once and completes
// with its own return value, and the worker counts exactly those.
TEST_F(WorkerTest, PrefetchRunsEachJobOnceWithOneToThreeFeeders) {
  for (int feeders = 1; feeders <= 3; ++feeders) {
    SCOPED_TRACE("feeders " + std::to_string(feeders));
    constexpr int kJobs = 150;
    std::vector<std::string> ids;
    for (int i = 0; i < kJobs; ++i) ids.push_back(Add("noop"));
    std::mutex mu;
    std::multiset<std::string> ran;
    WorkerOptions options;
    options.concurrency = 3;
    options.prefetch = 5;
    options.feeders = feeders;
    options.take_wait_ms = 200;
    auto worker = MakeWorker(
        queue_.get(),
        [&](const Job& job) -> Result<std::string> {
          std::lock_guard<std::mutex> lock(mu);
          ran.insert(job.id);
          return R"({"id":")" + job.id + R"("})";
        },
        options);
    ASSERT_TRUE(worker->Start().ok());
    ASSERT_TRUE(WaitFor([&] { return worker->stats().completed == kJobs; }));
    EXPECT_EQ(worker->Stop(5000), 0);
    EXPECT_EQ(ran.size(), static_cast<size_t>(kJobs));
    for (const std::string& id : ids) {
      EXPECT_EQ(ran.count(id), 1u) << id;
      EXPECT_EQ(queue_->Get(id)->return_value, R"({"id":")" + id + R"("})");
    }
    Worker::Stats stats = worker->stats();
    EXPECT_EQ(stats.completed, kJobs);
    EXPECT_EQ(stats.failed + stats.retried + stats.lease_lost + stats.errors, 0);
  }
  EXPECT_EQ(queue_->Counts()->completed, 450);
}

// With prefetch, concurrency 1 still runs one job at a time, each job once.
TEST_F(WorkerTest, PrefetchAtConcurrencyOneRunsOneJobAtATime) {
  constexpr int kJobs = 120;
  for (int i = 0; i < kJobs; ++i) Add("noop");
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::mutex mu;
  std::multiset<std::string> ran;
  std::atomic<int> finished_ok{0};
  WorkerOptions options;
  options.prefetch = 8;
  options.on_finished = [&](const Job&, RunEnd, const Status& s) {
    if (s.ok()) ++finished_ok;
  };
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          ran.insert(job.id);
        }
        if (job.id.back() == '7') std::this_thread::sleep_for(milliseconds(3));
        --running;
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return worker->stats().completed == kJobs; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(finished_ok.load(), kJobs);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(ran.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(queue_->Counts()->completed, kJobs);
  Worker::Stats stats = worker->stats();
  EXPECT_EQ(stats.failed + stats.retried + stats.lease_lost + stats.errors, 0);
}

// With prefetch, jobs still run in parallel on every thread, also when
// long jobs follow tiny ones (a thread after a tiny job wakes no other).
TEST_F(WorkerTest, PrefetchRunsLongJobsOnEveryThread) {
  for (int i = 0; i < 20; ++i) Add("tiny");
  for (int i = 0; i < 8; ++i) Add("long");
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  WorkerOptions options;
  options.concurrency = 4;
  options.prefetch = 8;
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        if (job.name == "tiny") return std::string("null");
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(milliseconds(300));
        --running;
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return worker->stats().completed == 28; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(most.load(), 4);
}

// A prefetch no larger than the concurrency holds no job for a busy thread:
// while the one thread runs a long job, the next one stays in the queue for
// any worker to take; both run once, each finished run reported with the
// next take.
TEST_F(WorkerTest, PrefetchUpToConcurrencyHoldsNoJobForABusyThread) {
  const std::string first = Add("long");
  std::atomic<bool> go{false};
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.prefetch = 1;  // concurrency 1
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        ++runs;
        if (job.name == "long") WaitFor([&] { return go.load(); });
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.load() == 1; }));
  const std::string second = Add("short");
  std::this_thread::sleep_for(milliseconds(300));  // the feeders look every 20 ms
  EXPECT_EQ(StateOf(second), JobState::kWaiting);
  EXPECT_EQ(queue_->Counts()->active, 1);
  go = true;
  ASSERT_TRUE(WaitFor([&] { return queue_->Counts()->completed == 2; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(StateOf(first), JobState::kCompleted);
}

// Stop gives back the jobs taken ahead and not started (the local queue lets
// their leases lapse, so RecoverStalled puts them back); another worker runs
// them, each job once.
TEST_F(WorkerTest, PrefetchedJobsComeBackWhenTheWorkerStops) {
  for (int i = 0; i < 5; ++i) Add("job");
  std::mutex mu;
  std::multiset<std::string> ran;
  std::atomic<bool> go{false};
  auto record = [&](const Job& job) {
    std::lock_guard<std::mutex> lock(mu);
    ran.insert(job.id);
  };
  WorkerOptions options;
  options.prefetch = 5;  // held at most: 1 runs, 4 ahead
  auto a = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        record(job);
        WaitFor([&] { return go.load(); });
        return std::string("null");
      },
      options);
  ASSERT_TRUE(a->Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return ran.size() == 1 && queue_->Counts()->active == 5;  // 1 runs, 4 ahead
  }));
  std::thread release([&] {
    std::this_thread::sleep_for(milliseconds(100));
    go = true;
  });
  EXPECT_EQ(a->Stop(20000), 0);
  release.join();
  EXPECT_EQ(a->stats().completed, 1);
  ASSERT_TRUE(WaitFor([&] {
    (void)queue_->RecoverStalled();
    return queue_->Counts()->waiting == 4;
  }));

  auto b = MakeWorker(queue_.get(), [&](const Job& job) -> Result<std::string> {
    record(job);
    return std::string("null");
  });
  ASSERT_TRUE(b->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return queue_->Counts()->completed == 5; }));
  EXPECT_EQ(b->Stop(5000), 0);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(ran.size(), 5u);
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), 5u);
}

// Jobs waiting ahead keep their leases while a long job runs: another
// process recovering stalled jobs all the while finds none.
TEST_F(WorkerTest, PrefetchedJobsKeepTheirLeasesWhileTheyWait) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Add(i == 0 ? "long" : "short"));
  WorkerOptions options;
  options.prefetch = 4;  // 1 runs, 3 wait ahead
  options.lease_ms = 300;  // extended every 100 ms; the first job runs 1 s
  auto worker = MakeWorker(
      queue_.get(),
      [&](const Job& job) -> Result<std::string> {
        if (job.name == "long") std::this_thread::sleep_for(milliseconds(1000));
        return std::string("null");
      },
      options);
  std::unique_ptr<Queue> other = OpenQueue();
  std::atomic<bool> done{false};
  std::atomic<int> recovered{0};
  std::thread recoverer([&] {
    while (!done) {
      auto moved = other->RecoverStalled();
      if (moved.ok()) recovered += *moved;
      std::this_thread::sleep_for(milliseconds(30));
    }
  });
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return queue_->Counts()->completed == 4; }));
  done = true;
  recoverer.join();
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(recovered.load(), 0);
  for (const std::string& id : ids) EXPECT_EQ(queue_->Get(id)->stalled_count, 0) << id;
  EXPECT_EQ(worker->stats().lease_lost, 0);
  EXPECT_EQ(worker->stats().completed, 4);
}

// With prefetch a lost lease is still counted, and the job runs again.
TEST_F(WorkerTest, PrefetchCountsALostLease) {
  std::string id = Add("sync");
  FakeForgetfulQueue forgetful(queue_.get());
  std::unique_ptr<Queue> other = OpenQueue();
  std::atomic<int> runs{0};
  WorkerOptions options;
  options.prefetch = 2;
  options.lease_ms = 50;
  options.stalled_check_ms = 600000;  // only the test recovers
  auto worker = MakeWorker(
      &forgetful,
      [&](const Job& job) -> Result<std::string> {
        if (++runs == 1) {
          while (clock_->NowMs() <= job.started_at + 60)
            std::this_thread::sleep_for(milliseconds(5));
          auto moved = other->RecoverStalled();
          EXPECT_TRUE(moved.ok() && *moved == 1);
        }
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == JobState::kCompleted; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(worker->stats().lease_lost, 1);
  EXPECT_EQ(worker->stats().completed, 1);
}

// Forwards to a real queue, but extends the lease of job "ahead" only once
// `extend_ahead` is set (until then its lease lapses).
class FakeLapsingQueue : public FakeForgetfulQueue {
 public:
  FakeLapsingQueue(Queue* q, std::atomic<bool>* extend_ahead)
      : FakeForgetfulQueue(q), q_(q), extend_ahead_(extend_ahead) {}
  Status ExtendLease(const Job& j, int64_t lease) override {
    if (j.id == "ahead" && !*extend_ahead_) return Status::Ok();
    return q_->ExtendLease(j, lease);
  }

 private:
  Queue* q_;
  std::atomic<bool>* extend_ahead_;
};

// A job whose lease is lost while it waits ahead is not run with the lost
// lease: counted as lease_lost, and run once again under a new one.
TEST_F(WorkerTest, PrefetchedJobWhoseLeaseIsLostIsNotRun) {
  JobOptions o;
  o.job_id = "long";
  ASSERT_TRUE(queue_->Add("long", "{}", o).ok());
  o.job_id = "ahead";
  ASSERT_TRUE(queue_->Add("ahead", "{}", o).ok());
  std::atomic<bool> extend_ahead{false};
  FakeLapsingQueue lapsing(queue_.get(), &extend_ahead);
  std::unique_ptr<Queue> other = OpenQueue();
  std::atomic<int> ahead_runs{0};
  std::atomic<int64_t> ahead_token{0};
  WorkerOptions options;
  options.prefetch = 2;  // 1 runs, 1 waits ahead
  options.lease_ms = 300;  // extended every 100 ms
  options.stalled_check_ms = 600000;  // only the test recovers
  auto worker = MakeWorker(
      &lapsing,
      [&](const Job& job) -> Result<std::string> {
        if (job.id == "long") {
          // "ahead" waits with a lapsing lease; another process recovers it.
          std::this_thread::sleep_for(milliseconds(400));
          auto moved = other->RecoverStalled();
          EXPECT_TRUE(moved.ok() && *moved == 1);
          extend_ahead = true;  // the keeper's next extension finds it lost
          std::this_thread::sleep_for(milliseconds(400));
        } else {
          ++ahead_runs;
          ahead_token = job.token;
        }
        return std::string("null");
      },
      options);
  ASSERT_TRUE(worker->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf("ahead") == JobState::kCompleted; }));
  EXPECT_EQ(worker->Stop(5000), 0);
  EXPECT_EQ(ahead_runs.load(), 1);
  EXPECT_GE(ahead_token.load(), 2);  // the second lease's
  EXPECT_EQ(worker->stats().lease_lost, 1);
  EXPECT_EQ(worker->stats().completed, 2);
  EXPECT_EQ(queue_->Get("ahead")->stalled_count, 1);
}

}  // namespace
}  // namespace vigil
