#include "queue/job_retention.h"

#include <gtest/gtest.h>

#include "queue/job_outbox.h"
#include "queue/local_queue.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::Count;

JobOptions Id(std::string id) {
  JobOptions o;
  o.job_id = std::move(id);
  return o;
}

TEST(JobRetentionTest, OnlyJobsThatFinishedBeforeTheCutoffAreRemoved) {
  auto open_db = testing::OpenTestDatabaseFactory();
  auto db = open_db();
  ASSERT_NE(db, nullptr);
  testing::FakeClock clock(1000);
  auto queue = OpenLocalQueue(open_db(), &clock).value();
  // Finished at 1000: "old-ok" completed, "old-bad" failed for good.
  for (const char* id : {"old-ok", "old-bad", "running", "waiting"}) {
    ASSERT_TRUE(queue->Add("sync", "{}", Id(id)).ok());
    ASSERT_TRUE(AppendOutboxJob(db.get(), "vigil", "sync", "{}", Id(id), 1000).ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto job = queue->Take("w", 60000, 0);
    ASSERT_TRUE(job.ok() && job->has_value());
    if ((*job)->id == "old-ok") {
      ASSERT_TRUE(queue->Complete(**job, "{}").ok());
    } else if ((*job)->id == "old-bad") {
      ASSERT_TRUE(queue->Fail(**job, "boom").ok());
    }
  }
  ASSERT_TRUE(MarkOutboxFinished(db.get(), "vigil", "old-ok", "completed", 1000).ok());
  ASSERT_TRUE(MarkOutboxFinished(db.get(), "vigil", "old-bad", "failed", 1000).ok());
  // Another queue's finished job is not ours to remove.
  ASSERT_TRUE(AppendOutboxJob(db.get(), "other", "sync", "{}", Id("old-ok"), 1000).ok());
  ASSERT_TRUE(MarkOutboxFinished(db.get(), "other", "old-ok", "completed", 1000).ok());

  // A cutoff at the finish time removes nothing: strictly before.
  Result<PrunedJobs> none = PruneFinishedJobs(db.get(), "vigil", 1000);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->jobs + none->outbox, 0);

  Result<PrunedJobs> pruned = PruneFinishedJobs(db.get(), "vigil", 1001, 1);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->jobs, 2);
  EXPECT_EQ(pruned->outbox, 2);
  EXPECT_EQ(queue->Get("old-ok").status().code(), Code::kNotFound);
  EXPECT_EQ(queue->Get("running")->state, JobState::kActive);
  EXPECT_EQ(queue->Get("waiting")->state, JobState::kWaiting);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM job_outbox WHERE queue = 'vigil'"), 2);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM job_outbox WHERE queue = 'other'"), 1);
  EXPECT_EQ(PruneFinishedJobs(db.get(), "vigil", 1001, 0).status().ToString(),
            "invalid argument: prune jobs: batch must be > 0 (got 0)");
}

}  // namespace
}  // namespace vigil
