// Invariant 9 with Redis: `vigil serve --redis` / `vigil worker --redis` as
// child processes against a real redis-server, under the faults an operator
// meets: FLUSHALL, Redis down, Redis restarted (SHUTDOWN and kill -9) with
// AOF, a worker killed with SIGKILL mid-job, a worker stopped past its lease.
// Jobs are produced the way the database's producers do: appended to the job
// outbox (queue/job_outbox.h), from which serve relays them. Every assertion
// is about outcomes (outbox rows finished, sync runs, alerts, history), none
// about how long something took.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/process_test_support.h"
#include "common/ids.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/job_outbox.h"
#include "queue/pipeline_jobs.h"
#include "queue/redis_queue.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::Count;
using testing::Occurrences;
using testing::ReadWholeFile;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::WaitFor;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}


class RedisFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
    dir_ = testing::NewTempDir();
  }

  void StartRedis(std::vector<std::string> args = {}) {
    auto server = testing::RedisServer::Start(std::move(args));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    redis_ = std::move(server).value();
  }

  // A database with tenant contoso and a graph_json data source over a
  // synthetic tenant of `users` users.
  void Prepare(int users) {
    const std::string graph = dir_ + "/graph";
    SyntheticOptions options;
    options.users = users;
    options.now = SystemClock()->NowMs();
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
    db_ = dir_ + "/vigil.db";
    auto db = OpenSqliteDb(db_).value();
    tenant_ = EnsureTenant(db.get(), "contoso", 1)->id;
    source_ = EnsureDataSource(db.get(), tenant_, "graph", "graph_json",
                               nlohmann::json{{"dir", graph}}.dump(), 1)
                  ->id;
  }

  // Appends a sync job to the outbox, as a producer in the database does.
  void Produce(const std::string& job_id, int64_t delay_ms = 0) {
    auto db = OpenSqliteDb(db_).value();
    SyncJobPayload payload;
    payload.tenant_id = tenant_;
    payload.data_source_id = source_;
    payload.trace_id = NewTraceId();
    payload.trigger = "test";
    JobOptions options = SyncJobOptions(tenant_, job_id);
    options.delay_ms = delay_ms;
    auto added = AppendOutboxJob(db.get(), "vigil", kSyncJob, ToJson(payload), options,
                                 SystemClock()->NowMs());
    ASSERT_TRUE(added.ok() && added->added) << added.status().ToString();
  }

  int64_t Query(const std::string& sql) {
    auto db = OpenSqliteDb(db_).value();
    return Count(db.get(), sql);
  }

  bool AllFinished() {
    return Query("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL") == 0;
  }

  std::vector<std::string> Args(const std::string& command) {
    std::vector<std::string> args = {command,  "--db",      db_,   "--redis",     redis_->url(),
                                     "--coalesce", "100ms", "--lease", "2s",      "--poll",
                                     "50ms",   "--reconcile", "300ms", "--log-level", "info"};
    if (command == "serve") args.insert(args.end(), {"--http", "off"});  // no fixed port
    return args;
  }

  std::string dir_;
  std::string db_;
  int64_t tenant_ = 0;
  int64_t source_ = 0;
  std::unique_ptr<testing::RedisServer> redis_;
};

TEST_F(RedisFaultTest, FlushallMidRunTheReconcilerRestoresEveryUnfinishedJob) {
  StartRedis();
  Prepare(60);
  const std::string log = dir_ + "/serve.log";
  VigilProcess serve(Args("serve"), log);
  Produce("sync:now:1");
  ASSERT_TRUE(WaitFor([&] { return AllFinished() && Query("SELECT COUNT(*) FROM job_outbox") >= 2; },
                      60))
      << ReadWholeFile(log);
  // Ten jobs due later sit in Redis when everything is flushed.
  for (int i = 0; i < 10; ++i) Produce("sync:later:" + std::to_string(i), 6000);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:later:%' AND "
                     "relayed_to = 'redis'") == 10;
      },
      60))
      << ReadWholeFile(log);
  ASSERT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:later:%' AND "
                  "finished_at IS NULL"),
            10)
      << "the delayed jobs ran before FLUSHALL; the machine is too slow for this test";
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  Produce("sync:now:2");  // jobs keep flowing meanwhile

  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() &&
               Query("SELECT COUNT(*) FROM job_outbox WHERE name = 'sync' AND outcome = "
                     "'completed'") == 12;
      },
      90))
      << ReadWholeFile(log);
  const std::string text = ReadWholeFile(log);
  EXPECT_EQ(Occurrences(text, "\"why\":\"the queue lost it\""), 10u) << text;
  EXPECT_EQ(Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 12);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE outcome <> 'completed'"), 0);
  // The restored jobs ran in Redis, under their own ids.
  RedisQueueOptions o;
  o.url = redis_->url();
  auto queue = OpenRedisQueue(o, SystemClock()).value();
  for (int i = 0; i < 10; ++i) {
    auto info = queue->Get("sync:later:" + std::to_string(i));
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->state, JobState::kCompleted);
  }
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

TEST_F(RedisFaultTest, RedisStoppedForTenSecondsThePipelineRunsOnTheFallbackAndCatchesUp) {
  StartRedis();
  Prepare(60);
  const std::string log = dir_ + "/serve.log";
  VigilProcess serve(Args("serve"), log);
  for (int i = 0; i < 3; ++i) Produce("sync:before:" + std::to_string(i));
  ASSERT_TRUE(WaitFor([&] { return AllFinished() && Query("SELECT COUNT(*) FROM syncs") == 3; }, 60))
      << ReadWholeFile(log);

  redis_->Stop();
  const auto stopped = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) Produce("sync:during:" + std::to_string(i));
  // The pipeline keeps running while Redis is away: syncs and their analysis.
  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() && Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'") == 6;
      },
      60))
      << ReadWholeFile(log);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:during:%' AND "
                  "relayed_to = 'local'"),
            3);
  std::this_thread::sleep_until(stopped + std::chrono::seconds(10));  // the outage lasts 10 s
  ASSERT_TRUE(redis_->Restart().ok());
  // Used again once it stayed back for a few probes.
  ASSERT_TRUE(WaitFor([&] { return Occurrences(ReadWholeFile(log), "queue.primary_up") >= 1; }, 60))
      << ReadWholeFile(log);

  for (int i = 0; i < 3; ++i) Produce("sync:after:" + std::to_string(i));
  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() && Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'") == 9;
      },
      60))
      << ReadWholeFile(log);
  // Back on Redis.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:after:%' AND "
                  "relayed_to = 'redis'"),
            3);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE outcome <> 'completed'"), 0);
  const std::string text = ReadWholeFile(log);
  EXPECT_NE(text.find("\"event\":\"queue.primary_down\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"event\":\"queue.primary_up\""), std::string::npos) << text;
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

// Jobs flow while Redis (AOF, fsync always) goes down by SHUTDOWN, then by
// kill -9; every acknowledged job (in the outbox) completes.
TEST_F(RedisFaultTest, RedisRestartedWithAofBySHUTDOWNAndByKillNineEveryJobCompletes) {
  StartRedis({"--appendonly", "yes", "--appendfsync", "always"});
  Prepare(60);
  const std::string log = dir_ + "/serve.log";
  VigilProcess serve(Args("serve"), log);
  int produced = 0;
  auto produce = [&](int n) {
    for (int i = 0; i < n; ++i) {
      Produce("sync:flow:" + std::to_string(produced++));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  produce(5);
  ASSERT_TRUE(redis_->Shutdown().ok());
  produce(3);
  ASSERT_TRUE(redis_->Restart().ok());
  produce(5);
  redis_->Signal(SIGKILL);
  produce(3);
  ASSERT_TRUE(redis_->Restart().ok());
  produce(5);
  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() &&
               Query("SELECT COUNT(*) FROM job_outbox WHERE name = 'sync'") == produced;
      },
      90))
      << ReadWholeFile(log);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE outcome <> 'completed'"), 0);
  // Each sync job ran to success at least once (a run whose completion Redis
  // did not keep may run again: at-least-once, idempotent effects).
  EXPECT_GE(Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), produced);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM alert_history"), Query("SELECT COUNT(*) FROM alerts"));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

// Redis frozen with SIGSTOP (connections open, nothing answering) for 12 s
// while jobs flow: serve notices within seconds, its workers run the jobs
// added meanwhile from the local queue, and after SIGCONT it goes back to
// Redis once; no job runs twice.
TEST_F(RedisFaultTest, RedisFrozenServeRunsTheJobsOnTheLocalQueueAndNoneTwice) {
  StartRedis();
  Prepare(60);
  const std::string log = dir_ + "/serve.log";
  VigilProcess serve(Args("serve"), log);
  for (int i = 0; i < 3; ++i) Produce("sync:before:" + std::to_string(i));
  ASSERT_TRUE(
      WaitFor([&] { return AllFinished() && Query("SELECT COUNT(*) FROM syncs") == 3; }, 60))
      << ReadWholeFile(log);

  redis_->Signal(SIGSTOP);
  const auto frozen = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) Produce("sync:during:" + std::to_string(i));
  const bool ran_meanwhile = WaitFor(
      [&] {
        return AllFinished() && Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'") == 6;
      },
      12);
  std::this_thread::sleep_until(frozen + std::chrono::seconds(12));
  redis_->Signal(SIGCONT);
  EXPECT_TRUE(ran_meanwhile) << "no job ran while Redis was frozen\n" << ReadWholeFile(log);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:during:%' AND "
                  "relayed_to = 'local'"),
            3);

  ASSERT_TRUE(WaitFor([&] { return Occurrences(ReadWholeFile(log), "queue.primary_up") >= 1; }, 60))
      << ReadWholeFile(log);
  for (int i = 0; i < 3; ++i) Produce("sync:after:" + std::to_string(i));
  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() && Query("SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'") == 9;
      },
      60))
      << ReadWholeFile(log);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE job_id LIKE 'sync:after:%' AND "
                  "relayed_to = 'redis'"),
            3);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // time for a job to come back
  // Each sync job ran once: one sync per job, and every analysis job too.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM syncs"), 9);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE outcome <> 'completed'"), 0);
  const std::string text = ReadWholeFile(log);
  EXPECT_EQ(Occurrences(text, "\"event\":\"queue.primary_down\""), 1u) << text;
  EXPECT_EQ(Occurrences(text, "\"event\":\"queue.primary_up\""), 1u) << text;
  EXPECT_NE(text.find("no answer within 1000 ms"), std::string::npos) << text;
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

// Redis killed and at once started again (no persistence) while every
// worker thread runs a job: serve marks it down once and up once, not back
// and forth as each connection made before the restart fails in turn.
TEST_F(RedisFaultTest, RedisRestartedServeGoesDownOnceAndUpOnce) {
  StartRedis();
  Prepare(3000);
  const std::string log = dir_ + "/serve.log";
  std::vector<std::string> args = Args("serve");
  args.insert(args.end(), {"--concurrency", "4"});
  VigilProcess serve(args, log);
  for (int i = 0; i < 12; ++i) Produce("sync:busy:" + std::to_string(i));
  ASSERT_TRUE(WaitFor(
      [&] {
        return Query("SELECT COUNT(*) FROM job_outbox WHERE name = 'sync' AND finished_at IS NULL "
                     "AND run_until IS NOT NULL") == 4;
      },
      60))
      << ReadWholeFile(log);
  redis_->Signal(SIGKILL);
  ASSERT_TRUE(redis_->Restart().ok());
  for (int i = 0; i < 12; ++i) {
    Produce("sync:after:" + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return AllFinished() && Query("SELECT COUNT(*) FROM job_outbox WHERE name = 'sync'") == 24;
      },
      120))
      << ReadWholeFile(log);
  ASSERT_TRUE(WaitFor([&] { return Occurrences(ReadWholeFile(log), "queue.primary_up") >= 1; }, 60))
      << ReadWholeFile(log);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const std::string text = ReadWholeFile(log);
  EXPECT_EQ(Occurrences(text, "\"event\":\"queue.primary_down\""), 1u) << text;
  EXPECT_EQ(Occurrences(text, "\"event\":\"queue.primary_up\""), 1u) << text;
  EXPECT_EQ(Query("SELECT COUNT(*) FROM syncs"), 24);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

class RedisWorkerFaultTest : public RedisFaultTest {
 protected:
  // One long sync job, in the outbox and relayed to Redis.
  void AddLongJob() {
    Produce("sync:long:1");
    auto db = OpenSqliteDb(db_).value();
    auto row = GetOutboxJob(db.get(), "vigil", "sync:long:1").value();
    RedisQueueOptions o;
    o.url = redis_->url();
    auto queue = OpenRedisQueue(o, SystemClock()).value();
    ASSERT_TRUE(queue->Add(row.name, row.payload, row.options).ok());
    ASSERT_TRUE(MarkOutboxRelayed(db.get(), "vigil", row.job_id, "redis", 1).ok());
  }
  // A 4 s lease (the other tests' is 2 s): the worker that takes over must
  // keep its own lease through a 20,000-user sync on a loaded machine under
  // the sanitizers, extending it every third of the lease.
  std::vector<std::string> WorkerArgs(const std::string& name) {
    std::vector<std::string> args = Args("worker");
    for (size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--lease") args[i + 1] = "4s";
    args.insert(args.end(), {"--concurrency", "1", "--name", name});
    return args;
  }
  int64_t Claims() {
    return Query("SELECT run_token FROM job_outbox WHERE job_id = 'sync:long:1'");
  }
  JobInfo RedisJob(const std::string& id) {
    RedisQueueOptions o;
    o.url = redis_->url();
    auto queue = OpenRedisQueue(o, SystemClock()).value();
    auto info = queue->Get(id);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? *info : JobInfo{};
  }
};

TEST_F(RedisWorkerFaultTest, KillNineAWorkerMidJobAnotherFinishesItOnce) {
  StartRedis();
  Prepare(20000);
  AddLongJob();
  {
    VigilProcess a(WorkerArgs("a"), dir_ + "/a.log");
    ASSERT_TRUE(WaitFor([&] { return Claims() == 1; }, 60)) << ReadWholeFile(dir_ + "/a.log");
    a.Signal(SIGKILL);
    EXPECT_EQ(a.Wait(10), -1);
  }
  ASSERT_EQ(Query("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NOT NULL"), 0);
  VigilProcess b(WorkerArgs("b"), dir_ + "/b.log");
  ASSERT_TRUE(WaitFor([&] {
    return Query("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'sync:long:1' AND "
                 "outcome = 'completed'") == 1;
  }, 90)) << ReadWholeFile(dir_ + "/b.log");
  EXPECT_EQ(Claims(), 2);  // a's run and b's
  JobInfo job = RedisJob("sync:long:1");
  EXPECT_EQ(job.state, JobState::kCompleted);
  EXPECT_EQ(job.stalled_count, 1);
  EXPECT_EQ(Occurrences(ReadWholeFile(dir_ + "/b.log"), "job.lease_lost"), 0u);
  // The effects happened once: every alert has exactly one history row.
  ASSERT_TRUE(WaitFor([&] { return AllFinished(); }, 60));  // the analysis too
  EXPECT_GT(Query("SELECT COUNT(*) FROM alerts"), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM alert_history"), Query("SELECT COUNT(*) FROM alerts"));
  b.Signal(SIGTERM);
  EXPECT_EQ(b.Wait(30), 0);
}

TEST_F(RedisWorkerFaultTest, SigstopAWorkerPastItsLeaseItsLateCompletionIsRejected) {
  StartRedis();
  Prepare(20000);
  AddLongJob();
  const std::string a_log = dir_ + "/a.log";
  VigilProcess a(WorkerArgs("a"), a_log);
  ASSERT_TRUE(WaitFor([&] { return Claims() == 1; }, 60)) << ReadWholeFile(a_log);
  a.Signal(SIGSTOP);
  VigilProcess b(WorkerArgs("b"), dir_ + "/b.log");
  // b takes the job over once a's lease expired...
  ASSERT_TRUE(WaitFor([&] { return Claims() == 2; }, 60)) << ReadWholeFile(dir_ + "/b.log");
  // ... and a, woken up, finishes its run: the queue refuses its completion.
  a.Signal(SIGCONT);
  ASSERT_TRUE(WaitFor([&] { return Occurrences(ReadWholeFile(a_log), "job.lease_lost") == 1; }, 90))
      << ReadWholeFile(a_log);
  ASSERT_TRUE(WaitFor([&] {
    return Query("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'sync:long:1' AND "
                 "outcome = 'completed'") == 1;
  }, 90)) << ReadWholeFile(dir_ + "/b.log");
  JobInfo job = RedisJob("sync:long:1");
  EXPECT_EQ(job.state, JobState::kCompleted);
  EXPECT_EQ(job.stalled_count, 1);
  EXPECT_NE(ReadWholeFile(a_log).find("sync:long:1"), std::string::npos);
  EXPECT_EQ(Occurrences(ReadWholeFile(dir_ + "/b.log"), "job.lease_lost"), 0u);
  ASSERT_TRUE(WaitFor([&] { return AllFinished(); }, 60));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM alert_history"), Query("SELECT COUNT(*) FROM alerts"));
  a.Signal(SIGTERM);
  b.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(30), 0) << ReadWholeFile(a_log);
  EXPECT_EQ(b.Wait(30), 0);
}

}  // namespace
}  // namespace vigil
