// Per-tenant fairness of the Redis queue backend (see the ring of groups in
// queue/redis_scripts.h): takes rotate across groups, ungrouped jobs are one
// member of the rotation, and within a group the order of queue.h holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "queue/redis_connection.h"
#include "queue/redis_queue.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::RedisServer;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}

RedisServer* Server() { return testing::SharedRedisServer(); }

class RedisFairnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Server(), nullptr);
    static std::atomic<int> n{0};
    name_ = "fair-" + std::to_string(n++);
    RedisQueueOptions o;
    o.url = Server()->url();
    o.name = name_;
    auto q = OpenRedisQueue(o, SystemClock());
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q).value();
    RedisEndpoint e;
    e.port = Server()->port();
    auto c = RedisConnection::Connect(e, 2000, 10000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    raw_ = std::move(c).value();
  }

  void Add(const std::string& id, const std::string& group, int priority = 0,
           int64_t delay_ms = 0) {
    JobOptions o;
    o.job_id = id;
    o.group = group;
    o.priority = priority;
    o.delay_ms = delay_ms;
    auto added = queue_->Add("run", "{}", o);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    ASSERT_TRUE(added->added) << id;
  }

  // Takes a due job now; fails the test when there is none.
  Job Take() {
    auto taken = queue_->Take("w", 30000, 0);
    EXPECT_TRUE(taken.ok()) << taken.status().ToString();
    if (!taken.ok() || !taken->has_value()) {
      ADD_FAILURE() << "no job to take";
      return Job();
    }
    return **taken;
  }

  std::vector<std::string> TakeIds(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(Take().id);
    return ids;
  }

  RedisReply Cmd(std::vector<std::string> argv) {
    auto r = raw_->Command(argv);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RedisReply();
  }

  std::string Key(const std::string& suffix) { return "bull:" + name_ + ":" + suffix; }

  std::string name_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<RedisConnection> raw_;
};

// Tenant A has 1,000 waiting jobs, tenant B adds one later: B's job is
// among the first `slots` taken. When every slot is busy with A's jobs as
// B's job arrives, it is taken by one of the next two slots that free up
// (round robin puts B behind A's current turn, never behind A's backlog).
TEST_F(RedisFairnessTest, ABigTenantDelaysAnotherByAtMostOneJobPerSlot) {
  constexpr int kSlots = 4;
  for (int i = 0; i < 1000; ++i) Add("a" + std::to_string(i), "A");
  Add("b0", "B");
  std::vector<std::string> first = TakeIds(kSlots);
  EXPECT_NE(std::find(first.begin(), first.end(), "b0"), first.end())
      << ::testing::PrintToString(first);

  std::vector<Job> busy;
  for (int i = 0; i < kSlots; ++i) busy.push_back(Take());
  for (const Job& j : busy) EXPECT_EQ(j.group, "A");
  Add("b1", "B");
  std::vector<std::string> next;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(queue_->Complete(busy[i], "null").ok());
    next.push_back(Take().id);
  }
  EXPECT_NE(std::find(next.begin(), next.end(), "b1"), next.end())
      << ::testing::PrintToString(next);
  EXPECT_EQ(queue_->Counts()->waiting, 1002 - 2 * kSlots - 2);
}

TEST_F(RedisFairnessTest, TakesRotateAcrossTenants) {
  for (const char* g : {"A", "B", "C"}) {
    for (int i = 0; i < 3; ++i) Add(std::string(g) + std::to_string(i), g);
  }
  EXPECT_EQ(TakeIds(9), (std::vector<std::string>{"A0", "B0", "C0", "A1", "B1", "C1", "A2", "B2",
                                                   "C2"}));
  EXPECT_FALSE(queue_->Take("w", 30000, 0)->has_value());
  // Nothing waits: the ring and the group sets are gone.
  EXPECT_EQ(Cmd({"EXISTS", Key("vigil:groups"), Key("vigil:g:A"), Key("vigil:gc")}).integer, 0);
}

// One CompleteAndTake of many jobs takes them in the order as many Takes
// would: round robin across tenants, the ungrouped ones as one member.
TEST_F(RedisFairnessTest, ABatchTakeRotatesAcrossTenantsAsTakesDo) {
  for (const char* g : {"A", "B"}) {
    for (int i = 0; i < 3; ++i) Add(std::string(g) + std::to_string(i), g);
  }
  Add("u0", "");
  Add("u1", "");
  auto r = queue_->CompleteAndTake({}, "w", 5, 30000, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> ids;
  for (const Job& j : r->taken) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"u0", "A0", "B0", "u1", "A1"}));
  std::vector<JobDone> done;
  for (const Job& j : r->taken) done.push_back({j, "null"});
  auto rest = queue_->CompleteAndTake(done, "w", 10, 30000, 0);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ids.clear();
  for (const Job& j : rest->taken) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B1", "A2", "B2"}));
  EXPECT_EQ(Cmd({"EXISTS", Key("vigil:groups"), Key("vigil:g:A"), Key("vigil:gc")}).integer, 0);
}

// Within a group: priority 0 first, then 1, 2, ...; within a priority the
// earliest due first (a delayed job once promoted), then the earliest added.
TEST_F(RedisFairnessTest, AGroupKeepsTheOrderOfQueueH) {
  Add("a1", "A", /*priority=*/2);
  Add("a2", "A");
  Add("a3", "A", /*priority=*/1);
  Add("a4", "A", 0, /*delay_ms=*/100);
  Add("a5", "A");
  Add("b1", "B", /*priority=*/5);
  EXPECT_EQ(queue_->Get("a4")->state, JobState::kDelayed);
  // Wait until a4 is due (the Take blocks on the marker until then).
  auto first = queue_->Take("w", 30000, 0);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->id, "a2");
  auto wait_due = [&] {
    TimeMs due = queue_->Get("a4")->run_at;
    while (SystemClock()->NowMs() <= due) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  wait_due();
  std::vector<std::string> taken = TakeIds(5);
  EXPECT_EQ(taken, (std::vector<std::string>{"b1", "a5", "a4", "a3", "a1"}));
}

// Ungrouped jobs stay in BullMQ's keys and together take one turn of the
// rotation.
TEST_F(RedisFairnessTest, UngroupedJobsAreOneMemberOfTheRotation) {
  Add("u1", "");
  Add("u2", "");
  Add("u3", "", /*priority=*/1);
  Add("a1", "A");
  Add("a2", "A");
  Add("b1", "B");
  EXPECT_EQ(Cmd({"LLEN", Key("wait")}).integer, 2);
  EXPECT_EQ(Cmd({"ZCARD", Key("prioritized")}).integer, 1);
  EXPECT_EQ(Cmd({"ZCARD", Key("vigil:g:A")}).integer, 2);
  EXPECT_EQ(queue_->Counts()->waiting, 6);
  EXPECT_EQ(queue_->Get("a2")->state, JobState::kWaiting);
  std::vector<JobInfo> listed = queue_->List({JobState::kWaiting, "A", 50}).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "a2");

  // Paused: no group gives a job either.
  ASSERT_TRUE(queue_->Pause().ok());
  EXPECT_FALSE(queue_->Take("w", 30000, 0)->has_value());
  ASSERT_TRUE(queue_->Resume().ok());
  EXPECT_EQ(Cmd({"ZSCORE", Key("marker"), "0"}).str, "0");

  EXPECT_EQ(TakeIds(6), (std::vector<std::string>{"u1", "a1", "b1", "u2", "a2", "u3"}));
  EXPECT_EQ(Cmd({"EXISTS", Key("vigil:groups")}).integer, 0);
}

// A grouped job that fails with attempts left, or whose lease is lost, goes
// back to its group, not to BullMQ's wait list.
TEST_F(RedisFairnessTest, RetriedAndStalledJobsGoBackToTheirGroup) {
  JobOptions o;
  o.job_id = "a1";
  o.group = "A";
  o.attempts = 2;
  ASSERT_TRUE(queue_->Add("run", "{}", o).ok());
  Add("a2", "A");
  Job a1 = Take();
  ASSERT_EQ(a1.id, "a1");
  ASSERT_TRUE(queue_->Fail(a1, "boom")->will_retry);
  EXPECT_EQ(Cmd({"LLEN", Key("wait")}).integer, 0);
  EXPECT_EQ(Cmd({"ZCARD", Key("vigil:g:A")}).integer, 2);
  EXPECT_EQ(TakeIds(2), (std::vector<std::string>{"a2", "a1"}));

  Add("a3", "A");
  auto short_lease = queue_->Take("w", 1, 0);
  ASSERT_TRUE(short_lease.ok() && short_lease->has_value());
  EXPECT_EQ((*short_lease)->id, "a3");
  Add("a4", "A");
  while (Cmd({"EXISTS", Key("a3:lock")}).integer == 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(queue_->RecoverStalled().value(), 1);
  EXPECT_EQ(TakeIds(2), (std::vector<std::string>{"a3", "a4"}));  // a stalled job goes first
}

}  // namespace
}  // namespace vigil
