// The conformance cases of the batch calls of queue/queue.h
// (AddBulk, CompleteAndTake, Release): part of QueueConformanceTest, so every
// backend that instantiates the suite runs them.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "testing/queue_conformance.h"

namespace vigil::testing {
namespace {

constexpr int64_t kMustMs = 5000;
constexpr int64_t kLeaseMs = 30000;

TimeMs WallNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepPast(TimeMs t) {
  while (WallNow() <= t) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void MustAdd(Queue* q, const std::string& id, int priority = 0) {
  JobOptions o;
  o.job_id = id;
  o.priority = priority;
  Result<AddResult> r = q->Add("sync", "{}", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->added);
}

CompleteAndTakeResult MustCompleteAndTake(Queue* q, const std::vector<JobDone>& done, int max_take,
                                          int64_t lease_ms = kLeaseMs, int64_t wait_ms = 0) {
  Result<CompleteAndTakeResult> r = q->CompleteAndTake(done, "w1", max_take, lease_ms, wait_ms);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_TRUE(r->take_status.ok()) << r->take_status.ToString();
  EXPECT_EQ(r->completed.size(), done.size());
  return std::move(r).value();
}

std::vector<std::string> IdsOf(const std::vector<Job>& jobs) {
  std::vector<std::string> ids;
  for (const Job& j : jobs) ids.push_back(j.id);
  return ids;
}

JobState StateOf(Queue* q, const std::string& id) {
  Result<JobInfo> info = q->Get(id);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? info->state : JobState::kWaiting;
}

}  // namespace

int QueueBatchConformanceAnchor() { return 0; }

// AddBulk adds in order, one result per job, deduplicates by job id (in
// the queue and within the call), and keeps each job's options.
TEST_P(QueueConformanceTest, AddBulkAddsInOrderWithOneResultPerJob) {
  Queue* q = queue_.get();
  MustAdd(q, "existing");
  std::vector<JobToQueue> jobs;
  for (const char* id : {"b1", "existing", "b2", "b1"}) {
    JobToQueue job{"sync", std::string(R"({"id":")") + id + "\"}", {}};
    job.options.job_id = id;
    jobs.push_back(job);
  }
  jobs.push_back({"analyze", R"({"generated":true})", {}});
  jobs.back().options.attempts = 3;
  Result<std::vector<AddResult>> r = q->AddBulk(jobs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 5u);
  const std::vector<std::pair<std::string, bool>> want = {
      {"b1", true}, {"existing", false}, {"b2", true}, {"b1", false}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*r)[i].job_id, want[i].first) << i;
    EXPECT_EQ((*r)[i].added, want[i].second) << i;
  }
  const std::string generated = (*r)[4].job_id;
  EXPECT_TRUE((*r)[4].added);
  EXPECT_FALSE(generated.empty());
  EXPECT_TRUE(q->AddBulk({}).value().empty());

  CompleteAndTakeResult taken = MustCompleteAndTake(q, {}, 10);
  std::vector<std::string> order;
  for (const Job& job : taken.taken) order.push_back(job.id);
  EXPECT_EQ(order, (std::vector<std::string>{"existing", "b1", "b2", generated}));
  ASSERT_EQ(taken.taken.size(), 4u);
  EXPECT_EQ(taken.taken[1].payload, R"({"id":"b1"})");
  EXPECT_EQ(taken.taken[3].name, "analyze");
  EXPECT_EQ(taken.taken[3].max_attempts, 3);
}

// One job Add would refuse makes AddBulk refuse them all, naming it.
TEST_P(QueueConformanceTest, AddBulkWithABadJobAddsNone) {
  Queue* q = queue_.get();
  std::vector<JobToQueue> jobs = {{"sync", "{}", {}}, {"sync", "{}", {}}, {"sync", "[1]", {}}};
  Result<std::vector<AddResult>> r = q->AddBulk(jobs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("job 2: add job \"sync\": ", 0), 0u)
      << r.status().message();
  EXPECT_EQ(q->Counts().value().waiting, 0);
}

TEST_P(QueueConformanceTest, CompleteAndTakeCompletesThenTakesInTakeOrder) {
  Queue* q = queue_.get();
  MustAdd(q, "p2", 2);
  MustAdd(q, "p1", 1);
  MustAdd(q, "a");
  MustAdd(q, "b");
  MustAdd(q, "c");
  CompleteAndTakeResult first = MustCompleteAndTake(q, {}, 2);
  ASSERT_EQ(IdsOf(first.taken), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(first.taken[0].attempt, 1);

  CompleteAndTakeResult second = MustCompleteAndTake(
      q, {{first.taken[0], R"({"n":1})"}, {first.taken[1], ""}}, 10);
  EXPECT_TRUE(second.completed[0].ok()) << second.completed[0].ToString();
  EXPECT_TRUE(second.completed[1].ok()) << second.completed[1].ToString();
  EXPECT_EQ(IdsOf(second.taken), (std::vector<std::string>{"c", "p1", "p2"}));
  for (const Job& j : second.taken) EXPECT_EQ(StateOf(q, j.id), JobState::kActive);
  JobInfo a = q->Get("a").value();
  EXPECT_EQ(a.state, JobState::kCompleted);
  EXPECT_EQ(a.return_value, R"({"n":1})");
  EXPECT_EQ(q->Get("b")->return_value, "null");
  EXPECT_EQ(q->Counts()->active, 3);

  // Nothing left: completing the rest takes nothing.
  std::vector<JobDone> rest;
  for (const Job& j : second.taken) rest.push_back({j, "null"});
  CompleteAndTakeResult last = MustCompleteAndTake(q, rest, 5);
  for (const Status& s : last.completed) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(last.taken.empty());
  EXPECT_EQ(q->Counts()->completed, 5);
}

TEST_P(QueueConformanceTest, CompleteAndTakeReportsEachOutcomeOnItsOwn) {
  Queue* q = queue_.get();
  MustAdd(q, "lost");
  MustAdd(q, "fine");
  MustAdd(q, "not-json");
  CompleteAndTakeResult taken = MustCompleteAndTake(q, {}, 3, /*lease_ms=*/50);
  ASSERT_EQ(taken.taken.size(), 3u);
  const Job& lost = taken.taken[0];
  // Keep two leases; let "lost" expire, be recovered and be taken again.
  ASSERT_TRUE(q->ExtendLease(taken.taken[1], kLeaseMs).ok());
  ASSERT_TRUE(q->ExtendLease(taken.taken[2], kLeaseMs).ok());
  SleepPast(lost.started_at + 60);
  ASSERT_EQ(q->RecoverStalled().value(), 1);
  CompleteAndTakeResult again = MustCompleteAndTake(q, {}, 1);
  ASSERT_EQ(IdsOf(again.taken), (std::vector<std::string>{"lost"}));
  EXPECT_GT(again.taken[0].token, lost.token);

  CompleteAndTakeResult r = MustCompleteAndTake(
      q, {{lost, "null"}, {taken.taken[1], "null"}, {taken.taken[2], "{not json"}}, 0);
  EXPECT_EQ(r.completed[0].code(), Code::kFailedPrecondition) << r.completed[0].ToString();
  EXPECT_TRUE(r.completed[1].ok()) << r.completed[1].ToString();
  EXPECT_EQ(r.completed[2].code(), Code::kInvalidArgument) << r.completed[2].ToString();
  EXPECT_TRUE(r.taken.empty());
  EXPECT_EQ(StateOf(q, "lost"), JobState::kActive);  // the new holder's
  EXPECT_EQ(StateOf(q, "fine"), JobState::kCompleted);
  EXPECT_EQ(StateOf(q, "not-json"), JobState::kActive);
  EXPECT_TRUE(q->Complete(again.taken[0], "null").ok());
  EXPECT_TRUE(q->Complete(taken.taken[2], "null").ok());
}

TEST_P(QueueConformanceTest, CompleteAndTakeRespectsPauseAndRejectsBadArguments) {
  Queue* q = queue_.get();
  MustAdd(q, "a");
  EXPECT_EQ(q->CompleteAndTake({}, "w1", -1, kLeaseMs, 0).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(q->CompleteAndTake({}, "w1", 1, 0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(q->CompleteAndTake({}, "w1", 1, kLeaseMs, -1).status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(MustCompleteAndTake(q, {}, 0).taken.empty());
  ASSERT_TRUE(q->Pause().ok());
  EXPECT_TRUE(MustCompleteAndTake(q, {}, 5, kLeaseMs, /*wait_ms=*/30).taken.empty());
  EXPECT_EQ(StateOf(q, "a"), JobState::kWaiting);
  ASSERT_TRUE(q->Resume().ok());
  EXPECT_EQ(IdsOf(MustCompleteAndTake(q, {}, 5).taken), (std::vector<std::string>{"a"}));
}

TEST_P(QueueConformanceTest, WaitingCompleteAndTakeIsWokenByAnAdd) {
  Queue* q = queue_.get();
  Result<CompleteAndTakeResult> got = Status::Internal("not run");
  std::atomic<bool> taking{false};
  std::thread taker([&] {
    taking = true;
    got = q->CompleteAndTake({}, "w1", 4, kLeaseMs, kMustMs);
  });
  while (!taking) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  MustAdd(q, "wake-up");
  taker.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(IdsOf(got->taken), (std::vector<std::string>{"wake-up"}));
}

TEST_P(QueueConformanceTest, EachJobTakenInABatchHasItsOwnLease) {
  Queue* q = queue_.get();
  MustAdd(q, "kept");
  MustAdd(q, "expired");
  CompleteAndTakeResult r = MustCompleteAndTake(q, {}, 2, /*lease_ms=*/50);
  ASSERT_EQ(IdsOf(r.taken), (std::vector<std::string>{"kept", "expired"}));
  ASSERT_TRUE(q->ExtendLease(r.taken[0], kLeaseMs).ok());
  SleepPast(r.taken[1].started_at + 60);
  ASSERT_EQ(q->RecoverStalled().value(), 1);
  EXPECT_EQ(StateOf(q, "kept"), JobState::kActive);
  EXPECT_EQ(StateOf(q, "expired"), JobState::kWaiting);
  EXPECT_TRUE(q->Complete(r.taken[0], "null").ok());
  EXPECT_EQ(q->Complete(r.taken[1], "null").code(), Code::kFailedPrecondition);
}

TEST_P(QueueConformanceTest, ReleasedJobIsTakenAgainAndTheOldTokenIsFenced) {
  Queue* q = queue_.get();
  MustAdd(q, "ahead");
  CompleteAndTakeResult r = MustCompleteAndTake(q, {}, 1);
  ASSERT_EQ(r.taken.size(), 1u);
  const Job old = r.taken[0];
  ASSERT_TRUE(q->Release(old).ok());
  // A backend that cannot give it back directly lets its lease lapse.
  SleepPast(WallNow() + 5);
  ASSERT_TRUE(q->RecoverStalled().ok());
  Result<std::optional<Job>> again = q->Take("w2", kLeaseMs, kMustMs);
  ASSERT_TRUE(again.ok() && again->has_value()) << again.status().ToString();
  EXPECT_EQ((*again)->id, "ahead");
  EXPECT_EQ((*again)->attempt, 1);
  EXPECT_GT((*again)->token, old.token);
  EXPECT_EQ(q->Complete(old, "null").code(), Code::kFailedPrecondition);
  EXPECT_EQ(q->Release(old).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(q->Complete(**again, "null").ok());
}

}  // namespace vigil::testing
