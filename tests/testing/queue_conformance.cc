#include "testing/queue_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace vigil::testing {

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QueueConformanceTest);

void QueueConformanceTest::SetUp() {
  queue_ = GetParam().open();
  ASSERT_NE(queue_, nullptr);
}

void QueueConformanceTest::TearDown() {
  if (queue_) queue_->WakeAll();
  queue_.reset();
}

std::unique_ptr<Queue> QueueConformanceTest::OpenAgain() {
  if (!GetParam().open_again) return nullptr;
  return GetParam().open_again(queue_.get());
}

std::string QueueFactoryName(const ::testing::TestParamInfo<QueueFactory>& info) {
  return info.param.name;
}

namespace {

// Generous: how long a test waits for something that must happen.
constexpr int64_t kMustMs = 5000;
constexpr int64_t kLeaseMs = 30000;

TimeMs WallNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sleeps until the wall clock is past `t`.
void SleepPast(TimeMs t) {
  while (WallNow() <= t) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

JobOptions WithId(std::string id) {
  JobOptions o;
  o.job_id = std::move(id);
  return o;
}

std::string MustAdd(Queue* q, std::string_view name, const JobOptions& o = {},
                    std::string_view payload = "{}") {
  Result<AddResult> r = q->Add(name, payload, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  EXPECT_TRUE(r->added);
  return r->job_id;
}

// Takes a job that must come within kMustMs.
Job MustTake(Queue* q, int64_t lease_ms = kLeaseMs, std::string_view worker = "w1") {
  Result<std::optional<Job>> r = q->Take(worker, lease_ms, kMustMs);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->has_value()) {
    ADD_FAILURE() << "no job within " << kMustMs << " ms";
    return Job();
  }
  return **r;
}

// Takes without waiting; nullopt when none is due.
std::optional<Job> TakeNow(Queue* q) {
  Result<std::optional<Job>> r = q->Take("w1", kLeaseMs, 0);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

JobInfo MustGet(Queue* q, const std::string& id) {
  Result<JobInfo> r = q->Get(id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : JobInfo();
}

JobCounts MustCount(Queue* q) {
  Result<JobCounts> r = q->Counts();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : JobCounts();
}

std::vector<std::string> Ids(Queue* q, const ListFilter& filter) {
  Result<std::vector<JobInfo>> r = q->List(filter);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  if (r.ok()) {
    for (const JobInfo& j : *r) ids.push_back(j.id);
  }
  return ids;
}

std::string AddError(Queue* q, std::string_view name, std::string_view payload,
                     const JobOptions& o) {
  Result<AddResult> r = q->Add(name, payload, o);
  EXPECT_FALSE(r.ok()) << "added " << name << " " << payload;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

}  // namespace

TEST_P(QueueConformanceTest, AddTakeCompleteStoresTheReturnValue) {
  Queue* q = queue_.get();
  JobOptions o = WithId("sync:3:1700000000000");
  o.group = "tenant-3";
  o.attempts = 2;
  TimeMs before = WallNow();
  ASSERT_EQ(MustAdd(q, "sync", o, R"({"tenant":3})"), "sync:3:1700000000000");
  EXPECT_EQ(MustGet(q, o.job_id).state, JobState::kWaiting);

  Job job = MustTake(q);
  EXPECT_EQ(job.id, o.job_id);
  EXPECT_EQ(job.name, "sync");
  EXPECT_EQ(job.payload, R"({"tenant":3})");
  EXPECT_EQ(job.group, "tenant-3");
  EXPECT_EQ(job.attempt, 1);
  EXPECT_EQ(job.max_attempts, 2);
  EXPECT_GE(job.created_at, before);
  EXPECT_GE(job.started_at, job.due_at);
  EXPECT_EQ(MustGet(q, job.id).state, JobState::kActive);
  EXPECT_EQ(MustCount(q).active, 1);
  EXPECT_FALSE(TakeNow(q).has_value());

  ASSERT_TRUE(q->Complete(job, R"({"synced":12})").ok());
  JobInfo info = MustGet(q, job.id);
  EXPECT_EQ(info.state, JobState::kCompleted);
  EXPECT_EQ(info.return_value, R"({"synced":12})");
  EXPECT_EQ(info.attempts_made, 1);
  ASSERT_TRUE(info.finished_at.has_value());
  EXPECT_GE(*info.finished_at, job.started_at);
  EXPECT_EQ(MustCount(q).completed, 1);
  EXPECT_FALSE(TakeNow(q).has_value());
}

TEST_P(QueueConformanceTest, SameJobIdIsAddedOnce) {
  Queue* q = queue_.get();
  ASSERT_EQ(MustAdd(q, "analyze", WithId("analyze:7"), R"({"n":1})"), "analyze:7");
  Result<AddResult> again = q->Add("analyze", R"({"n":2})", WithId("analyze:7"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->added);
  EXPECT_EQ(again->job_id, "analyze:7");
  EXPECT_EQ(MustCount(q).waiting, 1);

  Job job = MustTake(q);
  EXPECT_EQ(job.payload, R"({"n":1})");
  ASSERT_TRUE(q->Complete(job, "null").ok());
  // Still deduplicated once completed.
  again = q->Add("analyze", "{}", WithId("analyze:7"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->added);
  EXPECT_FALSE(TakeNow(q).has_value());
}

TEST_P(QueueConformanceTest, GeneratedIdsAreUniqueDigits) {
  Queue* q = queue_.get();
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(MustAdd(q, "sync"));
  EXPECT_EQ(ids.size(), 5u);
  for (const std::string& id : ids) {
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
        << id;
  }
}

TEST_P(QueueConformanceTest, SamePriorityIsFirstInFirstOut) {
  Queue* q = queue_.get();
  for (const char* id : {"a", "b", "c", "d"}) MustAdd(q, "sync", WithId(id));
  for (const char* id : {"a", "b", "c", "d"}) {
    Job job = MustTake(q);
    EXPECT_EQ(job.id, id);
  }
}

TEST_P(QueueConformanceTest, PriorityZeroFirstThenOneTwoThree) {
  Queue* q = queue_.get();
  for (auto [id, priority] : std::vector<std::pair<std::string, int>>{
           {"p3", 3}, {"p1", 1}, {"none-a", 0}, {"p2", 2}, {"p1b", 1}, {"none-b", 0}}) {
    JobOptions o = WithId(id);
    o.priority = priority;
    MustAdd(q, "sync", o);
  }
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) order.push_back(MustTake(q).id);
  EXPECT_EQ(order, (std::vector<std::string>{"none-a", "none-b", "p1", "p1b", "p2", "p3"}));
}

TEST_P(QueueConformanceTest, DelayedJobIsTakenOnlyWhenDue) {
  Queue* q = queue_.get();
  JobOptions o = WithId("later");
  o.delay_ms = 100;
  TimeMs before = WallNow();
  MustAdd(q, "sync", o);
  JobInfo info = MustGet(q, "later");
  EXPECT_GE(info.run_at, before + 100);
  if (WallNow() < info.run_at) {
    EXPECT_EQ(info.state, JobState::kDelayed);
    EXPECT_FALSE(TakeNow(q).has_value());
  }
  JobCounts c = MustCount(q);
  EXPECT_EQ(c.delayed + c.waiting, 1);

  Job job = MustTake(q);  // waits until due
  EXPECT_EQ(job.id, "later");
  EXPECT_EQ(job.due_at, info.run_at);
  EXPECT_GE(WallNow(), info.run_at);
  EXPECT_GE(job.started_at, info.run_at);
}

TEST_P(QueueConformanceTest, DueJobGoesBeforeMoreUrgentDelayedJob) {
  Queue* q = queue_.get();
  JobOptions urgent = WithId("urgent-later");
  urgent.priority = 1;
  urgent.delay_ms = 60000;
  MustAdd(q, "sync", urgent);
  JobOptions plain = WithId("plain-now");
  plain.priority = 5;
  MustAdd(q, "sync", plain);
  EXPECT_EQ(MustTake(q).id, "plain-now");
  EXPECT_FALSE(TakeNow(q).has_value());
}

TEST_P(QueueConformanceTest, FixedBackoffRetriesThenFailsWithReason) {
  Queue* q = queue_.get();
  JobOptions o = WithId("flaky");
  o.attempts = 3;
  o.backoff = {Backoff::Type::kFixed, 50};
  MustAdd(q, "sync", o);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Job job = MustTake(q);
    ASSERT_EQ(job.id, "flaky");
    EXPECT_EQ(job.attempt, attempt);
    EXPECT_EQ(job.max_attempts, 3);
    std::string error = "boom " + std::to_string(attempt);
    TimeMs before = WallNow();
    Result<FailResult> r = q->Fail(job, error);
    TimeMs after = WallNow();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    JobInfo info = MustGet(q, "flaky");
    EXPECT_EQ(info.failed_reason, error);
    EXPECT_EQ(info.attempts_made, attempt);
    if (attempt < 3) {
      EXPECT_TRUE(r->will_retry);
      EXPECT_GE(r->retry_at, before + 50);
      EXPECT_LE(r->retry_at, after + 50);
      EXPECT_EQ(info.run_at, r->retry_at);
      EXPECT_TRUE(info.state == JobState::kDelayed || info.state == JobState::kWaiting);
    } else {
      EXPECT_FALSE(r->will_retry);
      EXPECT_EQ(info.state, JobState::kFailed);
      EXPECT_TRUE(info.finished_at.has_value());
    }
  }
  EXPECT_EQ(MustCount(q).failed, 1);
  EXPECT_FALSE(TakeNow(q).has_value());
}

TEST_P(QueueConformanceTest, ExponentialBackoffDoublesPerAttempt) {
  Queue* q = queue_.get();
  JobOptions o = WithId("flaky");
  o.attempts = 4;
  o.backoff = {Backoff::Type::kExponential, 20};
  MustAdd(q, "sync", o);
  const int64_t expected[] = {20, 40, 80};
  for (int attempt = 1; attempt <= 4; ++attempt) {
    Job job = MustTake(q);
    EXPECT_EQ(job.attempt, attempt);
    TimeMs before = WallNow();
    Result<FailResult> r = q->Fail(job, "down");
    TimeMs after = WallNow();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (attempt < 4) {
      ASSERT_TRUE(r->will_retry);
      EXPECT_GE(r->retry_at, before + expected[attempt - 1]) << "attempt " << attempt;
      EXPECT_LE(r->retry_at, after + expected[attempt - 1]) << "attempt " << attempt;
    } else {
      EXPECT_FALSE(r->will_retry);
    }
  }
  JobInfo info = MustGet(q, "flaky");
  EXPECT_EQ(info.state, JobState::kFailed);
  EXPECT_EQ(info.failed_reason, "down");
}

TEST_P(QueueConformanceTest, ExpiredLeaseIsRecoveredAndTheOldHolderIsFenced) {
  Queue* q = queue_.get();
  MustAdd(q, "sync", WithId("slow"));
  Job old = MustTake(q, /*lease_ms=*/50, "worker-a");
  SleepPast(old.started_at + 60);
  Result<int> moved = q->RecoverStalled();
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 1);
  JobInfo info = MustGet(q, "slow");
  EXPECT_EQ(info.state, JobState::kWaiting);
  EXPECT_EQ(info.stalled_count, 1);

  Job now = MustTake(q, kLeaseMs, "worker-b");
  EXPECT_EQ(now.id, "slow");
  EXPECT_GT(now.token, old.token);
  EXPECT_EQ(now.attempt, 1);  // a stall does not use up an attempt

  Status complete = q->Complete(old, "null");
  EXPECT_EQ(complete.code(), Code::kFailedPrecondition) << complete.ToString();
  EXPECT_NE(complete.message().find("lease lost"), std::string::npos) << complete.ToString();
  Result<FailResult> fail = q->Fail(old, "late");
  EXPECT_EQ(fail.status().code(), Code::kFailedPrecondition) << fail.status().ToString();
  Status extend = q->ExtendLease(old, kLeaseMs);
  EXPECT_EQ(extend.code(), Code::kFailedPrecondition) << extend.ToString();
  EXPECT_EQ(MustGet(q, "slow").state, JobState::kActive);  // the rejected calls changed nothing

  ASSERT_TRUE(q->Complete(now, R"({"ok":true})").ok());
  EXPECT_EQ(MustGet(q, "slow").state, JobState::kCompleted);
  EXPECT_EQ(q->Complete(now, "null").code(), Code::kFailedPrecondition);  // only once
}

TEST_P(QueueConformanceTest, StallingMoreThanMaxStalledFails) {
  Queue* q = queue_.get();
  MustAdd(q, "sync", WithId("hangs"));
  const int max_stalled = GetParam().max_stalled;
  for (int stall = 1; stall <= max_stalled + 1; ++stall) {
    Job job = MustTake(q, /*lease_ms=*/30);
    ASSERT_EQ(job.id, "hangs");
    SleepPast(job.started_at + 40);
    Result<int> moved = q->RecoverStalled();
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    EXPECT_EQ(*moved, 1);
  }
  JobInfo info = MustGet(q, "hangs");
  EXPECT_EQ(info.state, JobState::kFailed);
  EXPECT_NE(info.failed_reason.find("stalled"), std::string::npos) << info.failed_reason;
  EXPECT_FALSE(TakeNow(q).has_value());
}

TEST_P(QueueConformanceTest, ExtendedLeaseIsNotRecovered) {
  Queue* q = queue_.get();
  MustAdd(q, "sync", WithId("long"));
  Job job = MustTake(q, /*lease_ms=*/100);
  ASSERT_TRUE(q->ExtendLease(job, kLeaseMs).ok());
  SleepPast(job.started_at + 150);  // past the first lease
  Result<int> moved = q->RecoverStalled();
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 0);
  EXPECT_EQ(MustGet(q, "long").state, JobState::kActive);
  EXPECT_TRUE(q->Complete(job, "null").ok());
}

TEST_P(QueueConformanceTest, PausedQueueHandsOutNothingUntilResumed) {
  Queue* q = queue_.get();
  ASSERT_TRUE(q->Pause().ok());
  EXPECT_TRUE(MustCount(q).paused);
  MustAdd(q, "sync", WithId("held"));
  EXPECT_FALSE(TakeNow(q).has_value());
  Result<std::optional<Job>> waited = q->Take("w1", kLeaseMs, 50);
  ASSERT_TRUE(waited.ok());
  EXPECT_FALSE(waited->has_value());
  if (std::unique_ptr<Queue> other = OpenAgain()) {
    EXPECT_TRUE(MustCount(other.get()).paused);  // durable, seen by every handle
  }
  ASSERT_TRUE(q->Resume().ok());
  EXPECT_FALSE(MustCount(q).paused);
  EXPECT_EQ(MustTake(q).id, "held");
}

TEST_P(QueueConformanceTest, ResumeWakesAWaitingTake) {
  Queue* q = queue_.get();
  ASSERT_TRUE(q->Pause().ok());
  MustAdd(q, "sync", WithId("held"));
  std::optional<Job> got;
  std::thread taker([&] { got = MustTake(q); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(q->Resume().ok());
  taker.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, "held");
}

TEST_P(QueueConformanceTest, CountsEveryState) {
  Queue* q = queue_.get();
  for (const char* id : {"done", "broken", "running", "w1", "w2"}) MustAdd(q, "sync", WithId(id));
  JobOptions later = WithId("later");
  later.delay_ms = 60000;
  MustAdd(q, "sync", later);
  ASSERT_TRUE(q->Complete(MustTake(q), "null").ok());           // done
  ASSERT_FALSE(q->Fail(MustTake(q), "no").value().will_retry);  // broken
  EXPECT_EQ(MustTake(q).id, "running");
  JobCounts c = MustCount(q);
  EXPECT_EQ(c.waiting, 2);
  EXPECT_EQ(c.delayed, 1);
  EXPECT_EQ(c.active, 1);
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(c.failed, 1);
  EXPECT_FALSE(c.paused);
}

TEST_P(QueueConformanceTest, ListFiltersByStateAndGroupNewestFirst) {
  Queue* q = queue_.get();
  for (const char* id : {"j1", "j2", "j3", "j4"}) {
    JobOptions o = WithId(id);
    o.group = (id == std::string("j2") || id == std::string("j4")) ? "t2" : "t1";
    MustAdd(q, "sync", o);
  }
  JobOptions later = WithId("j5");
  later.group = "t1";
  later.delay_ms = 60000;
  MustAdd(q, "sync", later);
  EXPECT_EQ(MustTake(q).id, "j1");

  EXPECT_EQ(Ids(q, {}), (std::vector<std::string>{"j5", "j4", "j3", "j2", "j1"}));
  EXPECT_EQ(Ids(q, {std::nullopt, "t1", 50}), (std::vector<std::string>{"j5", "j3", "j1"}));
  EXPECT_EQ(Ids(q, {JobState::kWaiting, "", 50}), (std::vector<std::string>{"j4", "j3", "j2"}));
  EXPECT_EQ(Ids(q, {JobState::kWaiting, "t2", 50}), (std::vector<std::string>{"j4", "j2"}));
  EXPECT_EQ(Ids(q, {JobState::kDelayed, "", 50}), (std::vector<std::string>{"j5"}));
  EXPECT_EQ(Ids(q, {JobState::kActive, "", 50}), (std::vector<std::string>{"j1"}));
  EXPECT_EQ(Ids(q, {JobState::kCompleted, "", 50}), (std::vector<std::string>{}));
  EXPECT_EQ(Ids(q, {std::nullopt, "", 2}), (std::vector<std::string>{"j5", "j4"}));
  Result<std::vector<JobInfo>> listed = q->List({JobState::kDelayed, "", 50});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, JobState::kDelayed);
  EXPECT_EQ((*listed)[0].group, "t1");
}

TEST_P(QueueConformanceTest, RetryPutsAFailedJobBackWithFreshAttempts) {
  Queue* q = queue_.get();
  JobOptions o = WithId("once");
  o.attempts = 1;
  MustAdd(q, "sync", o);
  ASSERT_TRUE(q->Fail(MustTake(q), "provider down").ok());
  ASSERT_EQ(MustGet(q, "once").state, JobState::kFailed);

  ASSERT_TRUE(q->Retry("once").ok());
  EXPECT_EQ(MustGet(q, "once").state, JobState::kWaiting);
  Job job = MustTake(q);
  EXPECT_EQ(job.attempt, 1);
  ASSERT_TRUE(q->Complete(job, "null").ok());

  Status not_failed = q->Retry("once");
  EXPECT_EQ(not_failed.code(), Code::kFailedPrecondition) << not_failed.ToString();
  Status missing = q->Retry("no-such-job");
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.ToString();
  EXPECT_EQ(q->Get("no-such-job").status().code(), Code::kNotFound);
}

TEST_P(QueueConformanceTest, InvalidInputsNameTheProblem) {
  Queue* q = queue_.get();
  JobOptions ok;
  EXPECT_EQ(AddError(q, "", "{}", ok), "add job: name is empty");
  EXPECT_EQ(AddError(q, "sync", "[1,2]", ok), R"(add job "sync": payload is not a JSON object)");
  EXPECT_EQ(AddError(q, "sync", "{not json", ok),
            R"(add job "sync": payload is not a JSON object)");
  JobOptions o;
  o.attempts = 0;
  EXPECT_EQ(AddError(q, "sync", "{}", o), R"(add job "sync": attempts must be >= 1 (got 0))");
  o = {};
  o.priority = -1;
  EXPECT_EQ(AddError(q, "sync", "{}", o), R"(add job "sync": priority must be >= 0 (got -1))");
  o = {};
  o.delay_ms = -5;
  EXPECT_EQ(AddError(q, "sync", "{}", o), R"(add job "sync": delay_ms must be >= 0 (got -5))");
  o = {};
  o.backoff.delay_ms = -1;
  EXPECT_EQ(AddError(q, "sync", "{}", o),
            R"(add job "sync": backoff delay_ms must be >= 0 (got -1))");
  EXPECT_EQ(AddError(q, "sync", "{}", WithId("42")),
            R"(add job "sync": job id "42" is all digits (such ids are the queue's own))");
  JobCounts c = MustCount(q);
  EXPECT_EQ(c.waiting + c.delayed, 0);
}

TEST_P(QueueConformanceTest, WaitingTakeIsWokenByAnAddFromAnotherThread) {
  Queue* q = queue_.get();
  Result<std::optional<Job>> got = Status::Internal("not run");
  std::atomic<bool> taking{false};
  std::thread taker([&] {
    taking = true;
    got = q->Take("w1", kLeaseMs, kMustMs);
  });
  while (!taking) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  MustAdd(q, "sync", WithId("wake-up"));
  taker.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->id, "wake-up");
}

TEST_P(QueueConformanceTest, WakeAllEndsAWaitingTake) {
  Queue* q = queue_.get();
  Result<std::optional<Job>> got = Status::Internal("not run");
  std::atomic<bool> done{false};
  std::thread taker([&] {
    got = q->Take("w1", kLeaseMs, 60000);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Keep waking until the taker is back (it may not have been waiting yet).
  for (int i = 0; i < 1000 && !done; ++i) {
    q->WakeAll();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  taker.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_P(QueueConformanceTest, SecondHandleSeesJobsAndIsFenced) {
  std::unique_ptr<Queue> other = OpenAgain();
  if (!other) GTEST_SKIP() << "backend has no second handle";
  Queue* a = queue_.get();
  Queue* b = other.get();
  MustAdd(a, "sync", WithId("shared"));
  Result<AddResult> dup = b->Add("sync", "{}", WithId("shared"));
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(dup->added);

  Job held_by_b = MustTake(b, /*lease_ms=*/40, "worker-b");
  EXPECT_EQ(held_by_b.id, "shared");
  SleepPast(held_by_b.started_at + 50);
  Result<int> moved = a->RecoverStalled();
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 1);
  Job held_by_a = MustTake(a, kLeaseMs, "worker-a");
  EXPECT_GT(held_by_a.token, held_by_b.token);
  EXPECT_EQ(b->Complete(held_by_b, "null").code(), Code::kFailedPrecondition);
  ASSERT_TRUE(a->Complete(held_by_a, R"("a")").ok());
  EXPECT_EQ(MustGet(b, "shared").return_value, R"("a")");

  // A Take waiting on one handle finds a job added through the other.
  Result<std::optional<Job>> got = Status::Internal("not run");
  std::thread taker([&] { got = b->Take("worker-b", kLeaseMs, kMustMs); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  MustAdd(a, "sync", WithId("from-a"));
  taker.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->id, "from-a");
}

TEST_P(QueueConformanceTest, ConcurrentTakersTakeEveryJobExactlyOnce) {
  constexpr int kJobs = 200;
  constexpr int kThreads = 4;
  std::unique_ptr<Queue> other = OpenAgain();
  for (int i = 0; i < kJobs; ++i) MustAdd(queue_.get(), "noop", WithId("job-" + std::to_string(i)));

  std::mutex mu;
  std::map<std::string, int> taken;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // With a second handle, half the takers use it (another connection).
    Queue* q = (other && t % 2 == 1) ? other.get() : queue_.get();
    threads.emplace_back([&, q, t] {
      std::string worker = "w" + std::to_string(t);
      for (;;) {
        Result<std::optional<Job>> job = q->Take(worker, kLeaseMs, 0);
        if (!job.ok()) {
          ++errors;
          ADD_FAILURE() << job.status().ToString();
          return;
        }
        if (!job->has_value()) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          ++taken[(*job)->id];
        }
        Status s = q->Complete(**job, "null");
        if (!s.ok()) {
          ++errors;
          ADD_FAILURE() << s.ToString();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(taken.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, times] : taken) EXPECT_EQ(times, 1) << id;
  JobCounts c = MustCount(queue_.get());
  EXPECT_EQ(c.completed, kJobs);
  EXPECT_EQ(c.waiting + c.active, 0);
}

}  // namespace vigil::testing
