#include "queue/scheduler.h"

#include <gtest/gtest.h>

#include <functional>

#include "queue/local_queue.h"
#include "queue/pipeline_jobs.h"
#include "queue/schedules.h"
#include "store/span_store.h"
#include "store/tenants.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::FakeClock;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_db_ = testing::OpenTestDatabaseFactory();
    db_ = Open();
    ASSERT_NE(db_, nullptr);
    tenant_id_ = EnsureTenant(db_.get(), "contoso", 1)->id;
    source_id_ = EnsureDataSource(db_.get(), tenant_id_, "graph", "graph_json", "{}", 1)->id;
    queue_ = OpenLocalQueue(Open(), &clock_).value();
  }

  // Another connection to the test's database.
  std::unique_ptr<Db> Open() { return open_db_(); }

  void PutHourly(TimeMs first) {
    Schedule s;
    s.data_source_id = source_id_;
    s.tenant_id = tenant_id_;
    s.interval_ms = 3600000;
    s.next_run_at = first;
    ASSERT_TRUE(PutSchedule(db_.get(), s, 0).ok());
  }

  std::function<std::unique_ptr<Db>()> open_db_;
  std::unique_ptr<Db> db_;
  int64_t tenant_id_ = 0;
  int64_t source_id_ = 0;
  FakeClock clock_{10'000'000};
  std::unique_ptr<Queue> queue_;
};

TEST_F(SchedulerTest, DueScheduleEnqueuesOneSyncJobAndMovesOn) {
  PutHourly(9'000'000);
  Scheduler scheduler(Open(), queue_.get(), &clock_);
  Result<TickSummary> tick = scheduler.Tick();
  ASSERT_TRUE(tick.ok()) << tick.status().message();
  EXPECT_EQ(tick->enqueued, 1);

  Result<JobInfo> job = queue_->Get("sync:" + std::to_string(source_id_) + ":9000000");
  ASSERT_TRUE(job.ok()) << job.status().message();
  EXPECT_EQ(job->name, "sync");
  EXPECT_EQ(job->group, std::to_string(tenant_id_));
  Result<SyncJobPayload> payload = ParseSyncJobPayload(job->payload);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->trigger, "schedule");
  EXPECT_EQ(payload->data_source_id, source_id_);

  // The trigger span is stored under the payload's trace id, and the job's
  // parent span is that span.
  Result<std::vector<SpanRecord>> spans = LoadTrace(db_.get(), payload->trace_id);
  ASSERT_TRUE(spans.ok());
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].name, "trigger");
  EXPECT_EQ((*spans)[0].attributes.at("by"), "schedule");
  EXPECT_EQ((*spans)[0].span_id, payload->parent_span_id);

  Result<std::optional<Schedule>> after = GetSchedule(db_.get(), source_id_);
  EXPECT_EQ((*after)->next_run_at, 9'000'000 + 3'600'000);
  // Not due again: nothing more is enqueued.
  EXPECT_EQ(scheduler.Tick()->enqueued, 0);
  EXPECT_EQ(queue_->Counts()->waiting, 1);
}

TEST_F(SchedulerTest, TwoSchedulersNeverEnqueueTheSameRunTwice) {
  PutHourly(9'000'000);
  auto other_queue = OpenLocalQueue(Open(), &clock_).value();
  Scheduler a(Open(), queue_.get(), &clock_);
  Scheduler b(Open(), other_queue.get(), &clock_);
  // b ticks after a moved the schedule: nothing is due for b. (Both reading
  // it as due is the restart case below: the same job id, deduplicated, and
  // AdvanceSchedule moves it once, see schedules_test.cc.)
  ASSERT_TRUE(a.Tick().ok());
  EXPECT_EQ(b.Tick()->enqueued, 0);
  EXPECT_EQ(queue_->Counts()->waiting, 1);
  clock_.Set(9'000'000 + 3'600'000);
  Result<TickSummary> later_b = b.Tick();
  Result<TickSummary> later_a = a.Tick();
  EXPECT_EQ(later_b->enqueued + later_a->enqueued, 1);
  EXPECT_EQ(queue_->Counts()->waiting, 2);
}

TEST_F(SchedulerTest, RestartAfterEnqueueBeforeAdvanceAddsNothingTwice) {
  PutHourly(9'000'000);
  // A scheduler that enqueued the run but died before moving the schedule:
  // the job exists, the schedule is still due.
  JobOptions options = SyncJobOptions(tenant_id_, "sync:" + std::to_string(source_id_) + ":9000000");
  ASSERT_TRUE(queue_->Add("sync", ToJson(SyncJobPayload{tenant_id_, source_id_, "t", "", "schedule", false}), options).ok());
  Scheduler restarted(Open(), queue_.get(), &clock_);
  Result<TickSummary> tick = restarted.Tick();
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->enqueued, 0);
  EXPECT_EQ(tick->duplicate, 1);
  EXPECT_EQ(queue_->Counts()->waiting, 1);
  EXPECT_EQ((*GetSchedule(db_.get(), source_id_))->next_run_at, 9'000'000 + 3'600'000);
}

TEST_F(SchedulerTest, DisabledSchedulesAreNotRun) {
  Schedule s;
  s.data_source_id = source_id_;
  s.tenant_id = tenant_id_;
  s.next_run_at = 1;
  s.enabled = false;
  ASSERT_TRUE(PutSchedule(db_.get(), s, 0).ok());
  Scheduler scheduler(Open(), queue_.get(), &clock_);
  EXPECT_EQ(scheduler.Tick()->due, 0);
  EXPECT_EQ(queue_->Counts()->waiting, 0);
}

}  // namespace
}  // namespace vigil
