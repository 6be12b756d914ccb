#include "queue/local_queue.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "testing/fixtures.h"
#include "testing/queue_conformance.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::QueueConformanceTest;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}

JobOptions Id(std::string id, int64_t delay_ms = 0) {
  JobOptions o;
  o.job_id = std::move(id);
  o.delay_ms = delay_ms;
  return o;
}

std::unique_ptr<Queue> MustOpen(std::unique_ptr<Db> db, LocalQueueOptions options = {}) {
  auto queue = OpenLocalQueue(std::move(db), SystemClock(), std::move(options));
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  return queue.ok() ? std::move(queue).value() : nullptr;
}

// Every queue of the suite gets its own database; a second handle opens the
// same database and queue name through a new connection. (The "pg:" run
// leaves the suite out: local_queue_postgres_test.cc runs it on PostgreSQL.)
testing::QueueFactory LocalFactory() {
  using Opener = std::function<std::unique_ptr<Db>()>;
  struct Databases {
    std::mutex mu;
    std::map<const Queue*, Opener> opener_of;
  };
  auto databases = std::make_shared<Databases>();
  LocalQueueOptions options;
  options.poll_ms = 50;
  testing::QueueFactory f;
  f.name = "Local";
  f.max_stalled = options.max_stalled;
  f.open = [databases, options]() -> std::unique_ptr<Queue> {
    Opener open_db = testing::OpenTestDatabaseFactory();
    std::unique_ptr<Queue> q = MustOpen(open_db(), options);
    std::lock_guard<std::mutex> lock(databases->mu);
    databases->opener_of[q.get()] = std::move(open_db);
    return q;
  };
  f.open_again = [databases, options](Queue* same) -> std::unique_ptr<Queue> {
    Opener open_db;
    {
      std::lock_guard<std::mutex> lock(databases->mu);
      open_db = databases->opener_of.at(same);
    }
    return MustOpen(open_db(), options);
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Local, QueueConformanceTest, ::testing::Values(LocalFactory()),
                         testing::QueueFactoryName);

TEST(LocalQueueTest, OpenRejectsBadOptions) {
  auto open_db = testing::OpenTestDatabaseFactory();
  LocalQueueOptions options;
  options.name = "";
  auto q = OpenLocalQueue(open_db(), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(), "invalid argument: open queue: name is empty");
  options = {};
  options.poll_ms = 0;
  q = OpenLocalQueue(open_db(), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(),
            R"(invalid argument: open queue "vigil": poll_ms must be > 0 (got 0))");
  options = {};
  options.max_stalled = -1;
  q = OpenLocalQueue(open_db(), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(),
            R"(invalid argument: open queue "vigil": max_stalled must be >= 0 (got -1))");
}

TEST(LocalQueueTest, OpenFailsOnAnUnmigratedDatabase) {
  auto q = OpenLocalQueue(testing::OpenTestDatabase(/*migrate=*/false), SystemClock());
  ASSERT_FALSE(q.ok());
  // Names the queue and the table it did not find (in the database's words).
  EXPECT_EQ(q.status().message().rfind(R"(open queue "vigil": )", 0), 0u) << q.status().ToString();
  EXPECT_NE(q.status().message().find("queue_state"), std::string::npos) << q.status().ToString();
}

TEST(LocalQueueTest, QueuesOfOneDatabaseAreSeparateByName) {
  auto open_db = testing::OpenTestDatabaseFactory();
  LocalQueueOptions other;
  other.name = "other";
  auto a = MustOpen(open_db());
  auto b = MustOpen(open_db(), other);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->Add("sync", "{}", Id("same-id")).ok());
  auto added = b->Add("sync", "{}", Id("same-id"));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(added->added);
  ASSERT_TRUE(b->Pause().ok());
  EXPECT_FALSE(a->Counts()->paused);
  auto taken = a->Take("w", 1000, 0);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ(a->Counts()->waiting, 0);
  EXPECT_EQ(b->Counts()->waiting, 1);
}

TEST(LocalQueueTest, DelayedJobIsStoredWaitingWithAFutureRunAt) {
  auto open_db = testing::OpenTestDatabaseFactory();
  auto q = MustOpen(open_db());
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Add("sync", "{}", Id("later", 60000)).ok());
  auto db = open_db();
  EXPECT_EQ(testing::Count(
                db.get(), "SELECT COUNT(*) FROM jobs WHERE job_id = 'later' AND state = 'waiting'"),
            1);
  EXPECT_EQ(q->Get("later")->state, JobState::kDelayed);
}

TEST(LocalQueueTest, TakeAndAddWithAnIdAreOneStatementEach) {
  auto owned = testing::OpenTestDatabase();
  ASSERT_NE(owned, nullptr);
  Db* db = owned.get();
  auto q = OpenLocalQueue(std::move(owned), SystemClock());
  ASSERT_TRUE(q.ok());
  uint64_t before = db->statements_executed();
  ASSERT_TRUE((*q)->Add("sync", "{}", Id("one")).ok());
  EXPECT_EQ(db->statements_executed() - before, 1u);
  before = db->statements_executed();
  auto job = (*q)->Take("w", 1000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ(db->statements_executed() - before, 1u);
}

TEST(LocalQueueTest, CompleteRejectsAReturnValueThatIsNotJson) {
  auto q = MustOpen(testing::OpenTestDatabase());
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Add("sync", "{}", Id("j")).ok());
  auto job = q->Take("w", 10000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  Status s = q->Complete(**job, "{oops");
  EXPECT_EQ(s.ToString(), R"(invalid argument: complete job "j": return value is not JSON)");
  EXPECT_EQ(q->Get("j")->state, JobState::kActive);
  ASSERT_TRUE(q->Complete(**job, "").ok());  // empty means null
  EXPECT_EQ(q->Get("j")->return_value, "null");
}

TEST(LocalQueueTest, TakeRejectsBadLeaseAndWait) {
  auto q = MustOpen(testing::OpenTestDatabase());
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->Take("w", 0, 0).status().ToString(),
            "invalid argument: take: lease_ms must be > 0 (got 0)");
  EXPECT_EQ(q->Take("w", 1000, -1).status().ToString(),
            "invalid argument: take: wait_ms must be >= 0 (got -1)");
}

TEST(LocalQueueTest, LostLeaseMessageNamesTheJob) {
  auto q = MustOpen(testing::OpenTestDatabase());
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->Add("sync", "{}", Id("sync:3:1700000000000")).ok());
  auto job = q->Take("w", 10000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  Job stale = **job;
  stale.token -= 1;
  EXPECT_EQ(q->Complete(stale, "null").ToString(),
            R"(refused: job "sync:3:1700000000000": lease lost (taken again or recovered))");
}

TEST(LocalQueueTest, AJobAddedInACallersTransactionCommitsOrRollsBackWithIt) {
  auto open_db = testing::OpenTestDatabaseFactory();
  auto q = MustOpen(open_db());
  auto db = open_db();
  ASSERT_NE(q, nullptr);
  ASSERT_NE(db, nullptr);
  {
    Transaction tx(db.get());
    auto added = AddLocalJob(db.get(), "vigil", "analyze", "{}", Id("rolled-back"), 1);
    ASSERT_TRUE(added.ok() && added->added) << added.status().ToString();
    // tx ends without Commit: rolled back
  }
  EXPECT_EQ(q->Get("rolled-back").status().code(), Code::kNotFound);
  {
    Transaction tx(db.get());
    ASSERT_TRUE(AddLocalJob(db.get(), "vigil", "analyze", "{}", Id("kept"), 1)->added);
    ASSERT_TRUE(tx.Commit().ok());
  }
  auto job = q->Take("w", 1000, 0);
  ASSERT_TRUE(job.ok() && job->has_value()) << job.status().ToString();
  EXPECT_EQ((*job)->id, "kept");
  EXPECT_FALSE(q->Add("analyze", "{}", Id("kept"))->added);  // deduplicated as usual
  EXPECT_EQ(AddLocalJob(db.get(), "vigil", "analyze", "{}", JobOptions{}, 1).status().ToString(),
            R"(invalid argument: add job "analyze": a job added in a transaction needs a job id)");
}

}  // namespace
}  // namespace vigil
