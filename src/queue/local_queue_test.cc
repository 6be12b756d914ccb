#include "queue/local_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/queue_conformance.h"

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

std::unique_ptr<Db> OpenDb(const std::string& path, bool migrate = true) {
  SqliteOptions options;
  options.migrate = migrate;
  auto db = OpenSqliteDb(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::unique_ptr<Queue> MustOpen(const std::string& path, LocalQueueOptions options = {}) {
  auto queue = OpenLocalQueue(OpenDb(path), SystemClock(), std::move(options));
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  return queue.ok() ? std::move(queue).value() : nullptr;
}

// Every queue of the suite gets its own database file; a second handle opens
// the same file and queue name through a new connection.
testing::QueueFactory LocalFactory() {
  struct Files {
    std::mutex mu;
    std::map<const Queue*, std::string> path_of;
  };
  auto files = std::make_shared<Files>();
  LocalQueueOptions options;
  options.poll_ms = 50;
  testing::QueueFactory f;
  f.name = "Local";
  f.max_stalled = options.max_stalled;
  f.open = [files, options]() -> std::unique_ptr<Queue> {
    std::string path = testing::NewTempDir() + "/vigil.db";
    std::unique_ptr<Queue> q = MustOpen(path, options);
    std::lock_guard<std::mutex> lock(files->mu);
    files->path_of[q.get()] = path;
    return q;
  };
  f.open_again = [files, options](Queue* same) -> std::unique_ptr<Queue> {
    std::string path;
    {
      std::lock_guard<std::mutex> lock(files->mu);
      path = files->path_of.at(same);
    }
    return MustOpen(path, options);
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Local, QueueConformanceTest, ::testing::Values(LocalFactory()),
                         testing::QueueFactoryName);

TEST(LocalQueueTest, OpenRejectsBadOptions) {
  std::string path = testing::NewTempDir() + "/vigil.db";
  LocalQueueOptions options;
  options.name = "";
  auto q = OpenLocalQueue(OpenDb(path), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(), "invalid argument: open queue: name is empty");
  options = {};
  options.poll_ms = 0;
  q = OpenLocalQueue(OpenDb(path), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(),
            R"(invalid argument: open queue "vigil": poll_ms must be > 0 (got 0))");
  options = {};
  options.max_stalled = -1;
  q = OpenLocalQueue(OpenDb(path), SystemClock(), options);
  EXPECT_EQ(q.status().ToString(),
            R"(invalid argument: open queue "vigil": max_stalled must be >= 0 (got -1))");
}

TEST(LocalQueueTest, OpenFailsOnAnUnmigratedDatabase) {
  std::string path = testing::NewTempDir() + "/empty.db";
  auto q = OpenLocalQueue(OpenDb(path, /*migrate=*/false), SystemClock());
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find(R"(open queue "vigil")"), std::string::npos)
      << q.status().ToString();
  EXPECT_NE(q.status().message().find("no such table"), std::string::npos) << q.status().ToString();
}

TEST(LocalQueueTest, QueuesOfOneFileAreSeparateByName) {
  std::string path = testing::NewTempDir() + "/vigil.db";
  LocalQueueOptions other;
  other.name = "other";
  auto a = MustOpen(path);
  auto b = MustOpen(path, other);
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
  std::string path = testing::NewTempDir() + "/vigil.db";
  auto q = MustOpen(path);
  ASSERT_TRUE(q->Add("sync", "{}", Id("later", 60000)).ok());
  auto db = OpenDb(path);
  EXPECT_EQ(testing::Count(
                db.get(), "SELECT COUNT(*) FROM jobs WHERE job_id = 'later' AND state = 'waiting'"),
            1);
  EXPECT_EQ(q->Get("later")->state, JobState::kDelayed);
}

TEST(LocalQueueTest, TakeAndAddWithAnIdAreOneStatementEach) {
  std::string path = testing::NewTempDir() + "/vigil.db";
  auto owned = OpenDb(path);
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
  auto q = MustOpen(testing::NewTempDir() + "/vigil.db");
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
  auto q = MustOpen(testing::NewTempDir() + "/vigil.db");
  EXPECT_EQ(q->Take("w", 0, 0).status().ToString(),
            "invalid argument: take: lease_ms must be > 0 (got 0)");
  EXPECT_EQ(q->Take("w", 1000, -1).status().ToString(),
            "invalid argument: take: wait_ms must be >= 0 (got -1)");
}

TEST(LocalQueueTest, LostLeaseMessageNamesTheJob) {
  auto q = MustOpen(testing::NewTempDir() + "/vigil.db");
  ASSERT_TRUE(q->Add("sync", "{}", Id("sync:3:1700000000000")).ok());
  auto job = q->Take("w", 10000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  Job stale = **job;
  stale.token -= 1;
  EXPECT_EQ(q->Complete(stale, "null").ToString(),
            R"(refused: job "sync:3:1700000000000": lease lost (taken again or recovered))");
}

TEST(LocalQueueTest, AJobAddedInACallersTransactionCommitsOrRollsBackWithIt) {
  std::string path = testing::NewTempDir() + "/vigil.db";
  auto q = MustOpen(path);
  auto db = OpenDb(path);
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
