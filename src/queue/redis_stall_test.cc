// `vigil serve --redis` in-process, as Service wires it (FailoverQueue over a
// real redis-server and the local queue, a Worker, the QueueReconciler),
// with a Redis that stalls instead of dying: frozen with SIGSTOP, the TCP
// connections open and nothing answering, then thawed with SIGCONT. The jobs
// run a fake handler that counts runs per job id.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "queue/failover_queue.h"
#include "queue/job_outbox.h"
#include "queue/local_queue.h"
#include "queue/queue_reconciler.h"
#include "queue/redis_queue.h"
#include "queue/worker.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;
using testing::Count;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}

JobOptions Id(std::string id) {
  JobOptions o;
  o.job_id = std::move(id);
  return o;
}

// What the fake handlers saw, shared by all worker threads.
struct Runs {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> by_job;  // runs started, by job id
  std::set<std::string> held;         // jobs whose runs wait until released
};

// A fake JobHandler for tests: counts each run by job id; a run of a job in
// Runs::held waits until the test releases it.
class CountingFakeHandler final : public JobHandler {
 public:
  explicit CountingFakeHandler(Runs* runs) : runs_(runs) {}
  Result<std::string> Run(const Job& job) override {
    std::unique_lock<std::mutex> lock(runs_->mu);
    ++runs_->by_job[job.id];
    runs_->cv.notify_all();
    runs_->cv.wait(lock, [&] { return runs_->held.count(job.id) == 0; });
    return std::string("{}");
  }

 private:
  Runs* runs_;
};

// SIGSTOP for the server while in scope; SIGCONT after.
class Frozen {
 public:
  explicit Frozen(testing::RedisServer* server) : server_(server) { server_->Signal(SIGSTOP); }
  ~Frozen() { Thaw(); }
  void Thaw() {
    if (server_ != nullptr) server_->Signal(SIGCONT);
    server_ = nullptr;
  }

 private:
  testing::RedisServer* server_;
};

class RedisStallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    redis_ = std::move(server).value();
    open_db_ = testing::OpenTestDatabaseFactory();
    db_ = open_db_();
    ASSERT_NE(db_, nullptr);
    RedisQueueOptions ro;
    ro.url = redis_->url();
    LocalQueueOptions lo;
    lo.poll_ms = 20;
    FailoverQueueOptions fo;
    fo.retry_primary_ms = 200;
    fo.fallback_check_ms = 50;
    auto queue = FailoverQueue::Open([ro] { return OpenRedisQueue(ro, SystemClock()); },
                                     OpenLocalQueue(open_db_(), SystemClock(), lo).value(),
                                     open_db_(), SystemClock(), fo);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
    redis_queue_ = OpenRedisQueue(ro, SystemClock()).value();
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(runs_.mu);
      runs_.held.clear();
    }
    runs_.cv.notify_all();
    if (reconciler_) reconciler_->Stop();
    if (worker_) worker_->Stop(5000);
    worker_.reset();
  }

  // A worker as serve runs one (lease 1.5 s, extended every 0.5 s), and
  // the reconciler passing every 200 ms over rows of any age.
  void StartServing(int concurrency) {
    WorkerOptions wo;
    wo.name = "w";
    wo.concurrency = concurrency;
    wo.lease_ms = 1500;
    wo.take_wait_ms = 200;
    wo.stalled_check_ms = 500;
    worker_ = std::make_unique<Worker>(
        queue_.get(),
        [this]() -> Result<std::unique_ptr<JobHandler>> {
          return std::unique_ptr<JobHandler>(new CountingFakeHandler(&runs_));
        },
        wo, SystemClock());
    ASSERT_TRUE(worker_->Start().ok());
    QueueReconcilerOptions co;
    co.interval_ms = 200;
    co.grace_ms = 0;
    reconciler_ =
        std::make_unique<QueueReconciler>(open_db_(), queue_->relay_target(), SystemClock(), co);
    reconciler_->Start();
  }

  int RunsOf(const std::string& id) {
    std::lock_guard<std::mutex> lock(runs_.mu);
    return runs_.by_job.count(id) ? runs_.by_job[id] : 0;
  }
  // Waits until `done` holds or `deadline` passes; its last answer.
  static bool WaitUntil(const std::function<bool()>& done, Steady::time_point deadline) {
    while (Steady::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }
  void Hold(const std::string& id) {
    std::lock_guard<std::mutex> lock(runs_.mu);
    runs_.held.insert(id);
  }
  void Let(const std::string& id) {
    {
      std::lock_guard<std::mutex> lock(runs_.mu);
      runs_.held.erase(id);
    }
    runs_.cv.notify_all();
  }
  int64_t Rows(const std::string& sql) { return Count(db_.get(), sql); }
  bool Finished(const std::string& id) {
    return Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = '" + id +
                "' AND outcome = 'completed'") == 1;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::function<std::unique_ptr<Db>()> open_db_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<FailoverQueue> queue_;
  std::unique_ptr<Queue> redis_queue_;
  Runs runs_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<QueueReconciler> reconciler_;
};

TEST_F(RedisStallTest, WorkersKeepRunningJobsAddedWhileRedisIsFrozen) {
  StartServing(3);
  ASSERT_TRUE(queue_->Add("job", "{}", Id("before")).ok());
  ASSERT_TRUE(
      WaitUntil([&] { return Finished("before"); }, Steady::now() + std::chrono::seconds(10)));
  ASSERT_TRUE(queue_->primary_up());

  Frozen frozen(redis_.get());
  // Well within the stall: the old 30 s command timeout kept every worker
  // thread stuck in Redis for all of it.
  const Steady::time_point deadline = Steady::now() + std::chrono::seconds(15);
  for (int i = 0; i < 5; ++i) {
    auto added = queue_->Add("job", "{}", Id("during-" + std::to_string(i)));
    ASSERT_TRUE(added.ok()) << added.status().ToString();
  }
  EXPECT_TRUE(WaitUntil(
      [&] {
        for (int i = 0; i < 5; ++i) {
          if (!Finished("during-" + std::to_string(i))) return false;
        }
        return true;
      },
      deadline))
      << "the jobs added while Redis was frozen did not run while it was";
  EXPECT_FALSE(queue_->primary_up());
  EXPECT_NE(queue_->primary_error().find("no answer within 1000 ms"), std::string::npos)
      << queue_->primary_error();
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'during-%' AND "
                 "relayed_to = 'local'"),
            5);
  frozen.Thaw();

  ASSERT_TRUE(
      WaitUntil([&] { return queue_->primary_up(); }, Steady::now() + std::chrono::seconds(20)));
  ASSERT_TRUE(queue_->Add("job", "{}", Id("after")).ok());
  ASSERT_TRUE(
      WaitUntil([&] { return Finished("after"); }, Steady::now() + std::chrono::seconds(10)));
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'after' AND relayed_to = 'redis'"),
            1);
  for (const char* id :
       {"before", "during-0", "during-1", "during-2", "during-3", "during-4", "after"}) {
    EXPECT_EQ(RunsOf(id), 1) << id;
  }
}

TEST_F(RedisStallTest, FlushallWhileAJobRunsNeverRunsItAgain) {
  StartServing(2);
  Hold("busy");
  ASSERT_TRUE(queue_->Add("job", "{}", Id("busy")).ok());
  ASSERT_TRUE(
      WaitUntil([&] { return RunsOf("busy") == 1; }, Steady::now() + std::chrono::seconds(10)));
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  // Reconciler passes and the other worker thread's takes go on meanwhile.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  Let("busy");
  ASSERT_TRUE(
      WaitUntil([&] { return Finished("busy"); }, Steady::now() + std::chrono::seconds(10)));
  // Leases, stall recovery and reconciler passes have time to bring it back.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(RunsOf("busy"), 1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL"), 0);
}

TEST_F(RedisStallTest, AStallAroundAJobsCompletionNeverRunsItAgain) {
  StartServing(2);
  Hold("edge");
  ASSERT_TRUE(queue_->Add("job", "{}", Id("edge")).ok());
  ASSERT_TRUE(
      WaitUntil([&] { return RunsOf("edge") == 1; }, Steady::now() + std::chrono::seconds(10)));
  {
    Frozen frozen(redis_.get());
    // Longer than the lease: Redis's lock of the job runs out meanwhile.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    Let("edge");
    EXPECT_TRUE(
        WaitUntil([&] { return Finished("edge"); }, Steady::now() + std::chrono::seconds(10)))
        << "the run's completion was not recorded while Redis was frozen";
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_TRUE(
      WaitUntil([&] { return queue_->primary_up(); }, Steady::now() + std::chrono::seconds(20)));
  // Redis finds the job's lock expired and hands it out again: it is
  // skipped, not run.
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto info = redis_queue_->Get("edge");
        return info.ok() && info->state == JobState::kCompleted;
      },
      Steady::now() + std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(RunsOf("edge"), 1);
  EXPECT_TRUE(Finished("edge"));
}

}  // namespace
}  // namespace vigil
