// FailoverQueue, the job outbox and the QueueReconciler against a real
// redis-server (primary) and the local queue (fallback).
#include "queue/failover_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "queue/job_outbox.h"
#include "queue/local_queue.h"
#include "queue/queue_reconciler.h"
#include "queue/redis_queue.h"
#include "testing/counting_queue.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

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

class FailoverQueueTest : public ::testing::Test {
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
    ro.connect_timeout_ms = 500;
    LocalQueueOptions lo;
    lo.poll_ms = 20;
    FailoverQueueOptions fo;
    fo.retry_primary_ms = 100;
    fo.fallback_check_ms = 50;
    // The primary counts the calls made to it.
    auto counts = primary_calls_;
    auto open_primary = [ro, counts]() -> Result<std::unique_ptr<Queue>> {
      VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Queue> redis, OpenRedisQueue(ro, SystemClock()));
      return std::unique_ptr<Queue>(new testing::CountingQueue(std::move(redis), counts));
    };
    auto queue = FailoverQueue::Open(open_primary,
                                     OpenLocalQueue(open_db_(), SystemClock(), lo).value(),
                                     open_db_(), SystemClock(), fo);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
    QueueReconcilerOptions co;
    co.grace_ms = 0;
    reconciler_ =
        std::make_unique<QueueReconciler>(open_db_(), queue_->relay_target(), SystemClock(), co);
    // The primary by itself, to look behind the failover queue.
    RedisQueueOptions direct = ro;
    redis_queue_ = OpenRedisQueue(direct, SystemClock()).value();
  }

  int64_t Rows(const std::string& sql) { return Count(db_.get(), sql); }

  // Calls into the queue (probes run on calls) until the primary is up.
  bool WaitForPrimaryUp() {
    for (int i = 0; i < 200 && !queue_->primary_up(); ++i) {
      (void)queue_->Counts();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return queue_->primary_up();
  }

  std::shared_ptr<testing::QueueCallCounts> primary_calls_ =
      std::make_shared<testing::QueueCallCounts>();
  std::unique_ptr<testing::RedisServer> redis_;
  std::function<std::unique_ptr<Db>()> open_db_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<FailoverQueue> queue_;
  std::unique_ptr<QueueReconciler> reconciler_;
  std::unique_ptr<Queue> redis_queue_;
};

TEST_F(FailoverQueueTest, AddWritesTheOutboxThenRedisAndDeduplicatesThere) {
  auto added = queue_->Add("sync", R"({"n":1})", Id("a"));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(added->added);
  EXPECT_EQ(queue_->Add("sync", R"({"n":2})", Id("a"))->added, false);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'a' AND relayed_to = 'redis' "
                 "AND finished_at IS NULL"),
            1);
  EXPECT_EQ(redis_queue_->Get("a")->payload, R"({"n":1})");
  // A generated id is made by the outbox, so it is the same in both.
  auto generated = queue_->Add("sync", "{}", JobOptions{});
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->job_id.rfind("job-", 0), 0u);
  EXPECT_TRUE(redis_queue_->Get(generated->job_id).ok());
  EXPECT_EQ(queue_->Add("", "{}", JobOptions{}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(queue_->Add("x", "[]", JobOptions{}).status().code(), Code::kInvalidArgument);
}

TEST_F(FailoverQueueTest, CompletingAJobFinishesItsOutboxRowAndFailingForGoodToo) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("ok")).ok());
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("bad")).ok());
  for (int i = 0; i < 2; ++i) {
    auto job = queue_->Take("w", 10000, 2000);
    ASSERT_TRUE(job.ok() && job->has_value()) << job.status().ToString();
    if ((*job)->id == "ok") {
      ASSERT_TRUE(queue_->Complete(**job, "{}").ok());
    } else {
      ASSERT_TRUE(queue_->Fail(**job, "boom").ok());
    }
  }
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'ok' AND outcome = 'completed'"),
            1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'bad' AND outcome = 'failed'"), 1);
}

TEST_F(FailoverQueueTest, TheReconcilerRestoresEveryUnfinishedJobAfterFlushall) {
  for (const char* id : {"j1", "j2", "j3", "j4"}) ASSERT_TRUE(queue_->Add("sync", "{}", Id(id)).ok());
  auto job = queue_->Take("w", 10000, 2000);
  ASSERT_TRUE(job.ok() && job->has_value());
  const std::string done = (*job)->id;
  ASSERT_TRUE(queue_->Complete(**job, "{}").ok());

  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  EXPECT_EQ(redis_queue_->Get("j2").status().code(), Code::kNotFound);
  auto pass = reconciler_->Pass();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->restored, 3);
  for (const char* id : {"j1", "j2", "j3", "j4"}) {
    EXPECT_EQ(redis_queue_->Get(id).ok(), id != done) << id;
  }
  // Nothing is lost twice: a second pass finds every job in place.
  EXPECT_EQ(reconciler_->Pass()->restored, 0);
  for (int i = 0; i < 3; ++i) {
    auto next = queue_->Take("w", 10000, 2000);
    ASSERT_TRUE(next.ok() && next->has_value());
    EXPECT_NE((*next)->id, done);
    ASSERT_TRUE(queue_->Complete(**next, "{}").ok());
  }
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL"), 0);
}

TEST_F(FailoverQueueTest, ARowThatWasNeverRelayedIsRelayedByTheReconciler) {
  // A producer appends inside its own transaction and dies before relaying.
  {
    Transaction tx(db_.get());
    ASSERT_TRUE(AppendOutboxJob(db_.get(), "vigil", "sync", "{}", Id("late"), 1).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto pass = reconciler_->Pass();
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->restored, 1);
  EXPECT_TRUE(redis_queue_->Get("late").ok());
}

TEST_F(FailoverQueueTest, AddHandsOverARowAppendedInATransactionOnce) {
  {
    Transaction tx(db_.get());
    auto appended = AppendOutboxJob(db_.get(), "vigil", "analyze", "{}", Id("in-tx"), 1);
    ASSERT_TRUE(appended.ok() && appended->added);
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(redis_queue_->Get("in-tx").status().code(), Code::kNotFound);
  auto added = queue_->Add("analyze", "{}", Id("in-tx"));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_FALSE(added->added);  // the outbox had it: the caller's transaction added it
  EXPECT_TRUE(redis_queue_->Get("in-tx").ok());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'in-tx' AND relayed_to = 'redis'"),
            1);
  // Handed over once: after the job ran, adding the id again relays nothing.
  auto job = queue_->Take("w", 10000, 2000);
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(queue_->Complete(**job, "{}").ok());
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  EXPECT_FALSE(queue_->Add("analyze", "{}", Id("in-tx"))->added);
  EXPECT_EQ(redis_queue_->Get("in-tx").status().code(), Code::kNotFound);
}

TEST_F(FailoverQueueTest, WhileRedisIsDownJobsRunOnTheFallbackAndRedisIsUsedAgainAfter) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("before")).ok());
  redis_->Stop();
  auto during = queue_->Add("sync", "{}", Id("during"));
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_FALSE(queue_->primary_up());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'during' AND relayed_to = 'local'"),
            1);
  // The reconciler gives the fallback a copy of the job stuck in Redis too.
  ASSERT_TRUE(reconciler_->Pass().ok());
  std::set<std::string> ran;
  for (int i = 0; i < 2; ++i) {
    auto job = queue_->Take("w", 10000, 3000);
    ASSERT_TRUE(job.ok() && job->has_value()) << job.status().ToString();
    ran.insert((*job)->id);
    ASSERT_TRUE(queue_->Complete(**job, "{}").ok());
  }
  EXPECT_EQ(ran, (std::set<std::string>{"before", "during"}));

  ASSERT_TRUE(redis_->Restart().ok());
  // The primary is probed again (from 100 ms on, backing off) and used once
  // three probes in a row worked.
  ASSERT_TRUE(WaitForPrimaryUp());
  // Redis lost "before" (no persistence); it is finished, so nothing restores it.
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("after")).ok());
  EXPECT_TRUE(queue_->primary_up());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'after' AND relayed_to = 'redis'"),
            1);
  EXPECT_EQ(reconciler_->Pass()->restored, 0);
  auto job = queue_->Take("w", 10000, 3000);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->id, "after");
  ASSERT_TRUE(queue_->Complete(**job, "{}").ok());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL"), 0);
}

TEST_F(FailoverQueueTest, OneJobIdNeverRunsInTwoPlacesAndAFinishedJobNeverRunsAgain) {
  // Copies of one outbox job in both backends (e.g. relayed to the fallback
  // during an outage, and still in a persistent Redis).
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("twin")).ok());
  auto local = OpenLocalQueue(open_db_(), SystemClock()).value();
  ASSERT_TRUE(local->Add("sync", "{}", Id("twin")).ok());

  auto first = queue_->Take("a", 10000, 2000);
  ASSERT_TRUE(first.ok() && first->has_value());
  // The other copy is taken next, found held by the running one, and held
  // back: not run, not skipped yet.
  auto second = queue_->Take("b", 10000, 300);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  auto skipped_copies = [&] {
    return Rows("SELECT COUNT(*) FROM jobs WHERE job_id = 'twin' AND state = 'completed' AND "
                "return_value LIKE '%skipped%'") +
           (redis_queue_->Get("twin")->return_value.find("skipped") != std::string::npos);
  };
  EXPECT_EQ(skipped_copies(), 0);
  ASSERT_TRUE(queue_->Complete(**first, "{}").ok());
  EXPECT_EQ(Rows("SELECT run_token FROM job_outbox WHERE job_id = 'twin'"), 1);
  // Once the run finished, the held-back copy is completed as skipped.
  auto after = queue_->Take("b", 10000, 300);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  EXPECT_EQ(skipped_copies(), 1);

  // A skipped copy is no copy: the reconciler does not mistake it for the
  // job's completion, and a later copy of a finished job is skipped too.
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  ASSERT_TRUE(queue_->relay_target()->Add("sync", "{}", Id("twin")).ok());
  auto third = queue_->Take("c", 10000, 300);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());
}

// Redis forgets a job while it runs (FLUSHALL, a restart without
// persistence): the run's completion still finishes the job, and nothing
// brings it back to run again.
TEST_F(FailoverQueueTest, ACompletionRedisNeverRecordedStillFinishesTheJob) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("lost")).ok());
  auto job = queue_->Take("a", 10000, 2000);
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  // Its run holds it: the reconciler leaves it alone.
  EXPECT_EQ(reconciler_->Pass()->restored, 0);
  EXPECT_TRUE(queue_->Complete(**job, "{}").ok());
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'lost' AND outcome = 'completed'"),
            1);
  EXPECT_EQ(reconciler_->Pass()->restored, 0);
  EXPECT_EQ(redis_queue_->Get("lost").status().code(), Code::kNotFound);
  auto next = queue_->Take("b", 10000, 300);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

// Redis hands out a second copy of a job whose run goes on (here: it lost
// the job and got it again): the copy waits, and runs when that run fails.
TEST_F(FailoverQueueTest, ACopyHandedOutAgainWhileItsRunGoesOnWaitsForThatRun) {
  JobOptions twice = Id("again");
  twice.attempts = 2;
  ASSERT_TRUE(queue_->Add("sync", "{}", twice).ok());
  auto first = queue_->Take("a", 10000, 2000);
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  ASSERT_TRUE(redis_queue_->Add("sync", "{}", twice).ok());
  auto second = queue_->Take("b", 10000, 300);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->has_value()) << "the second copy ran while the first run went on";
  // The first run fails; its claim ends and the copy runs, as the job's
  // second try.
  (void)queue_->Fail(**first, "boom");
  auto retry = queue_->Take("b", 10000, 2000);
  ASSERT_TRUE(retry.ok() && retry->has_value()) << retry.status().ToString();
  EXPECT_EQ((*retry)->id, "again");
  ASSERT_TRUE(queue_->Complete(**retry, "{}").ok());
  EXPECT_EQ(
      Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'again' AND outcome = 'completed'"), 1);
  EXPECT_EQ(redis_queue_->Get("again")->state, JobState::kCompleted);
}

// The batch calls go through to Redis as batches, and keep the outbox rules
// job by job: AddBulk writes every row, then relays them in one call.
TEST_F(FailoverQueueTest, AddBulkWritesTheOutboxThenRelaysToRedisInOneCall) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("old")).ok());
  const int64_t adds_before = primary_calls_->add;
  std::vector<JobToQueue> jobs = {{"sync", R"({"n":1})", Id("a")},
                                  {"sync", R"({"n":2})", Id("old")},
                                  {"sync", R"({"n":3})", JobOptions{}}};
  auto added = queue_->AddBulk(jobs);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->size(), 3u);
  EXPECT_TRUE((*added)[0].added);
  EXPECT_EQ((*added)[1].job_id, "old");
  EXPECT_FALSE((*added)[1].added);
  EXPECT_EQ((*added)[2].job_id.rfind("job-", 0), 0u);
  EXPECT_EQ(primary_calls_->add_bulk, 1);
  EXPECT_EQ(primary_calls_->add, adds_before);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE relayed_to = 'redis'"), 3);
  EXPECT_EQ(redis_queue_->Get("a")->payload, R"({"n":1})");
  EXPECT_EQ(redis_queue_->Get((*added)[2].job_id)->payload, R"({"n":3})");
  EXPECT_EQ(redis_queue_->Counts()->waiting, 3);
  // A bad job: none is added, and the message names it.
  jobs = {{"sync", "{}", Id("b")}, {"sync", "[]", Id("c")}};
  EXPECT_EQ(queue_->AddBulk(jobs).status().ToString(),
            "invalid argument: job 1: add job \"sync\": payload is not a JSON object");
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'b'"), 0);
}

// CompleteAndTake claims each job's run as Take does and finishes each row
// as Complete does, with one CompleteAndTake in Redis per call.
TEST_F(FailoverQueueTest, CompleteAndTakeClaimsEachRunAndFinishesEachRow) {
  for (const char* id : {"j1", "j2", "j3", "j4", "j5"}) {
    ASSERT_TRUE(queue_->Add("sync", "{}", Id(id)).ok());
  }
  ASSERT_TRUE(WaitForPrimaryUp());
  auto first = queue_->CompleteAndTake({}, "w", 3, 10000, 2000);
  ASSERT_TRUE(first.ok() && first->take_status.ok()) << first.status().ToString();
  ASSERT_EQ(first->taken.size(), 3u);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE run_token = 1 AND run_until IS NOT NULL "
                 "AND run_owner = 'w'"),
            3);
  std::vector<JobDone> done;
  for (const Job& job : first->taken) done.push_back({job, R"({"ok":true})"});
  const int64_t calls_before = primary_calls_->complete_and_take;
  auto second = queue_->CompleteAndTake(done, "w", 5, 10000, 0);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->completed.size(), 3u);
  for (const Status& s : second->completed) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(second->taken.size(), 2u);
  EXPECT_EQ(primary_calls_->complete_and_take, calls_before + 1);
  EXPECT_EQ(primary_calls_->take, 0);
  EXPECT_EQ(primary_calls_->complete, 0);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE outcome = 'completed'"), 3);
  for (const Job& job : first->taken) {
    EXPECT_EQ(redis_queue_->Get(job.id)->state, JobState::kCompleted) << job.id;
  }
  // A run reported twice, and one whose claim was taken over, finish nothing.
  const Job& taken_over = second->taken[0];
  ASSERT_TRUE(db_->Execute("UPDATE job_outbox SET run_token = run_token + 1 WHERE job_id = ?",
                           {taken_over.id})
                  .ok());
  auto third = queue_->CompleteAndTake({done[0], {taken_over, "{}"}}, "w", 0, 10000, 0);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->completed[0].code(), Code::kFailedPrecondition);
  EXPECT_EQ(third->completed[1].ToString(), "refused: job " + taken_over.id +
                                                ": lease lost (its run claim was taken over)");
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NOT NULL"), 3);
}

// A batch never hands out a copy of a job another run holds, nor one of a
// finished job: they are held back, then skipped.
TEST_F(FailoverQueueTest, ABatchHoldsBackACopyWhileItsRunGoesOnAndSkipsItAfter) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("twin")).ok());
  auto local = OpenLocalQueue(open_db_(), SystemClock()).value();
  ASSERT_TRUE(local->Add("sync", "{}", Id("twin")).ok());
  auto first = queue_->CompleteAndTake({}, "a", 1, 10000, 2000);
  ASSERT_TRUE(first.ok() && first->taken.size() == 1u);
  auto second = queue_->CompleteAndTake({}, "b", 5, 10000, 300);
  ASSERT_TRUE(second.ok() && second->take_status.ok()) << second->take_status.ToString();
  EXPECT_TRUE(second->taken.empty()) << "the second copy ran while the first run went on";
  auto finished = queue_->CompleteAndTake({{first->taken[0], "{}"}}, "a", 5, 10000, 300);
  ASSERT_TRUE(finished.ok() && finished->completed[0].ok());
  EXPECT_TRUE(finished->taken.empty());
  EXPECT_EQ(Rows("SELECT run_token FROM job_outbox WHERE job_id = 'twin'"), 1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM jobs WHERE job_id = 'twin' AND state = 'completed' AND "
                 "return_value LIKE '%skipped%'") +
                (redis_queue_->Get("twin")->return_value.find("skipped") != std::string::npos),
            1);
}

// Release ends the run's claim and gives the job back: it runs again, and
// the old lease is fenced.
TEST_F(FailoverQueueTest, ReleaseEndsTheClaimAndTheJobIsTakenAgain) {
  ASSERT_TRUE(queue_->Add("sync", "{}", Id("r")).ok());
  auto taken = queue_->CompleteAndTake({}, "w", 2, 10000, 2000);
  ASSERT_TRUE(taken.ok() && taken->taken.size() == 1u);
  ASSERT_TRUE(queue_->Release(taken->taken[0]).ok());
  EXPECT_EQ(primary_calls_->release, 1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = 'r' AND run_until IS NULL AND "
                 "finished_at IS NULL"),
            1);
  EXPECT_EQ(redis_queue_->Get("r")->state, JobState::kWaiting);
  EXPECT_EQ(queue_->Release(taken->taken[0]).code(), Code::kFailedPrecondition);
  auto again = queue_->Take("v", 10000, 2000);
  ASSERT_TRUE(again.ok() && again->has_value()) << again.status().ToString();
  EXPECT_EQ((*again)->id, "r");
  EXPECT_EQ(Rows("SELECT run_token FROM job_outbox WHERE job_id = 'r'"), 2);
  EXPECT_EQ(queue_->Complete(taken->taken[0], "{}").code(), Code::kFailedPrecondition);
  EXPECT_TRUE(queue_->Complete(**again, "{}").ok());
}

TEST(JobOutboxTest, ALiveClaimIsNeverTakenOverNotEvenByItsOwnBackend) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(AppendOutboxJob(db.get(), "q", "n", "{}", Id("j"), 0).ok());
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "none", "redis", "w", 100, 0)->outcome,
            ClaimOutcome::kNotInOutbox);
  RunClaim a = ClaimJobRun(db.get(), "q", "j", "redis", "a", 100, 0).value();
  EXPECT_EQ(a.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "j", "local", "b", 100, 50)->outcome,
            ClaimOutcome::kHeldElsewhere);
  // Redis handing the job out again (it lost it, or a's lease there) says
  // nothing about a's run: its claim holds.
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "j", "redis", "c", 200, 60)->outcome,
            ClaimOutcome::kHeldElsewhere);
  // While a extends its claim it stays a's; the queue's view does not finish it.
  EXPECT_TRUE(ExtendJobRun(db.get(), "q", "j", a.token, 300).value());
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "j", "redis", "c", 400, 200)->outcome,
            ClaimOutcome::kHeldElsewhere);
  EXPECT_FALSE(MarkOutboxFinished(db.get(), "q", "j", "failed", 200).value());
  // a stopped extending: at 300 its claim ended and c takes the job.
  RunClaim c = ClaimJobRun(db.get(), "q", "j", "redis", "c", 400, 300).value();
  EXPECT_EQ(c.outcome, ClaimOutcome::kClaimed);
  EXPECT_FALSE(ExtendJobRun(db.get(), "q", "j", a.token, 500).value());
  // a's late finish changes nothing; c's does.
  EXPECT_FALSE(MarkOutboxFinished(db.get(), "q", "j", "completed", 310, a.token).value());
  EXPECT_TRUE(MarkOutboxFinished(db.get(), "q", "j", "completed", 310, c.token).value());
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "j", "local", "d", 600, 350)->outcome,
            ClaimOutcome::kFinished);
  EXPECT_FALSE(ExtendJobRun(db.get(), "q", "j", c.token, 700).value());
  // An ended claim of another backend can be taken; a released one too.
  ASSERT_TRUE(AppendOutboxJob(db.get(), "q", "n", "{}", Id("k"), 0).ok());
  RunClaim k = ClaimJobRun(db.get(), "q", "k", "redis", "a", 100, 0).value();
  ASSERT_EQ(k.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "k", "local", "b", 300, 100)->outcome,
            ClaimOutcome::kClaimed);
  ASSERT_TRUE(AppendOutboxJob(db.get(), "q", "n", "{}", Id("r"), 0).ok());
  RunClaim r = ClaimJobRun(db.get(), "q", "r", "redis", "a", 1000, 0).value();
  ASSERT_TRUE(ReleaseJobRun(db.get(), "q", "r", r.token).ok());
  EXPECT_EQ(ClaimJobRun(db.get(), "q", "r", "redis", "b", 1000, 10)->outcome,
            ClaimOutcome::kClaimed);
  // The reconciler's list leaves out the jobs a run holds: at 500, r (held
  // until 1000) but not k (its claim ended at 300); j is finished.
  auto unfinished = ListUnfinishedOutboxJobs(db.get(), "q", 1000, 500, 0, 10).value();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].job_id, "k");
  EXPECT_EQ(unfinished[0].run_backend, "local");
  // Options survive the round trip.
  JobOptions o = Id("x");
  o.delay_ms = 5;
  o.priority = 3;
  o.attempts = 4;
  o.backoff = {Backoff::Type::kExponential, 7};
  o.group = "t1";
  JobOptions back = DecodeJobOptions(EncodeJobOptions(o)).value();
  EXPECT_EQ(back.delay_ms, 5);
  EXPECT_EQ(back.priority, 3);
  EXPECT_EQ(back.attempts, 4);
  EXPECT_EQ(back.backoff.type, Backoff::Type::kExponential);
  EXPECT_EQ(back.backoff.delay_ms, 7);
  EXPECT_EQ(back.group, "t1");
}

}  // namespace
}  // namespace vigil
