#include "testing/event_bus_conformance.h"

#include <atomic>
#include <thread>

namespace vigil::testing {

std::string EventBusBackendName(const ::testing::TestParamInfo<EventBusBackend>& info) {
  return info.param.name;
}

EventBus::Handler EventCollector::Handler() {
  return [this](const Event& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
    arrived_.notify_all();
  };
}

bool EventCollector::WaitFor(size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  return arrived_.wait_for(lock, kDeliveryTimeout, [&] { return events_.size() >= n; });
}

std::vector<Event> EventCollector::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::vector<int64_t> EventCollector::ids() const {
  std::vector<int64_t> out;
  for (const Event& e : events()) out.push_back(e.id);
  return out;
}

void EventBusConformanceTest::SetUp() {
  Result<std::unique_ptr<EventBus>> bus = GetParam().make();
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  bus_ = std::move(bus).value();
}

std::unique_ptr<Subscription> EventBusConformanceTest::Subscribe(const EventFilter& filter,
                                                                 EventCollector* collector) {
  Result<std::unique_ptr<Subscription>> sub = bus_->Subscribe(filter, collector->Handler());
  EXPECT_TRUE(sub.ok()) << sub.status().ToString();
  return sub.ok() ? std::move(sub).value() : nullptr;
}

void EventBusConformanceTest::Publish(const std::vector<Event>& events) {
  Status s = bus_->Publish(events);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

Event TestEvent(int64_t id, std::string type, int64_t tenant_id) {
  Event e;
  e.id = id;
  e.type = std::move(type);
  e.tenant_id = tenant_id;
  e.trace_id = "trace-" + std::to_string(id);
  e.at = 1000 + id;
  e.payload = "{\"n\":" + std::to_string(id) + "}";
  return e;
}

namespace {

using Ids = std::vector<int64_t>;

// The suite's tests are instantiated by each backend's test file.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EventBusConformanceTest);

TEST_P(EventBusConformanceTest, DeliversEveryFieldInPublishOrder) {
  EventCollector all;
  auto sub = Subscribe(EventFilter(), &all);
  Publish({TestEvent(1, "sync.completed", 7), TestEvent(2, "alert.opened", 7),
           TestEvent(3, "alert.resolved", 8)});
  Publish({TestEvent(4, "analysis.completed", 7)});
  Publish({});
  Publish({TestEvent(5, "sync.failed", 9)});
  ASSERT_TRUE(all.WaitFor(5));
  EXPECT_EQ(all.ids(), (Ids{1, 2, 3, 4, 5}));
  const Event got = all.events()[1];
  const Event want = TestEvent(2, "alert.opened", 7);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.tenant_id, want.tenant_id);
  EXPECT_EQ(got.trace_id, want.trace_id);
  EXPECT_EQ(got.at, want.at);
  EXPECT_EQ(got.payload, want.payload);
}

TEST_P(EventBusConformanceTest, FiltersByTenant) {
  EventCollector all, seven;
  auto sub_all = Subscribe(EventFilter(), &all);
  auto sub_seven = Subscribe(EventFilter{7, ""}, &seven);
  Publish({TestEvent(1, "alert.opened", 7), TestEvent(2, "alert.opened", 8),
           TestEvent(3, "sync.completed", 7), TestEvent(4, "sync.completed", 70)});
  ASSERT_TRUE(all.WaitFor(4));
  ASSERT_TRUE(seven.WaitFor(2));
  EXPECT_EQ(seven.ids(), (Ids{1, 3}));
}

TEST_P(EventBusConformanceTest, FiltersByExactType) {
  EventCollector all, opened;
  auto sub_all = Subscribe(EventFilter(), &all);
  auto sub_opened = Subscribe(EventFilter{0, "alert.opened"}, &opened);
  Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "alert.reopened", 1),
           TestEvent(3, "alert.opened.more", 1), TestEvent(4, "alert", 1),
           TestEvent(5, "alert.opened", 2)});
  ASSERT_TRUE(all.WaitFor(5));
  ASSERT_TRUE(opened.WaitFor(2));
  EXPECT_EQ(opened.ids(), (Ids{1, 5}));
}

TEST_P(EventBusConformanceTest, FiltersByTypePrefix) {
  EventCollector all, alerts;
  auto sub_all = Subscribe(EventFilter(), &all);
  auto sub_alerts = Subscribe(EventFilter{0, "alert.*"}, &alerts);
  Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "sync.completed", 1),
           TestEvent(3, "alert.resolved", 2), TestEvent(4, "alerts.opened", 1),
           TestEvent(5, "alert", 1), TestEvent(6, "analysis.completed", 1),
           TestEvent(7, "alert.reopened", 1)});
  ASSERT_TRUE(all.WaitFor(7));
  ASSERT_TRUE(alerts.WaitFor(3));
  EXPECT_EQ(alerts.ids(), (Ids{1, 3, 7}));
}

TEST_P(EventBusConformanceTest, FiltersByTenantAndTypeTogether) {
  EventCollector all, mine;
  auto sub_all = Subscribe(EventFilter(), &all);
  auto sub_mine = Subscribe(EventFilter{2, "sync.*"}, &mine);
  Publish({TestEvent(1, "sync.completed", 1), TestEvent(2, "sync.completed", 2),
           TestEvent(3, "alert.opened", 2), TestEvent(4, "sync.failed", 2)});
  ASSERT_TRUE(all.WaitFor(4));
  ASSERT_TRUE(mine.WaitFor(2));
  EXPECT_EQ(mine.ids(), (Ids{2, 4}));
}

TEST_P(EventBusConformanceTest, SeveralSubscribersEachGetEveryMatchingEvent) {
  EventCollector a, b, c;
  auto sub_a = Subscribe(EventFilter(), &a);
  auto sub_b = Subscribe(EventFilter(), &b);
  auto sub_c = Subscribe(EventFilter{0, "alert.*"}, &c);
  Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "sync.completed", 1),
           TestEvent(3, "alert.updated", 1)});
  ASSERT_TRUE(a.WaitFor(3));
  ASSERT_TRUE(b.WaitFor(3));
  ASSERT_TRUE(c.WaitFor(2));
  EXPECT_EQ(a.ids(), (Ids{1, 2, 3}));
  EXPECT_EQ(b.ids(), (Ids{1, 2, 3}));
  EXPECT_EQ(c.ids(), (Ids{1, 3}));
}

TEST_P(EventBusConformanceTest, EndingASubscriptionStopsItsDelivery) {
  EventCollector ended, marker;
  auto sub_ended = Subscribe(EventFilter(), &ended);
  auto sub_marker = Subscribe(EventFilter(), &marker);
  Publish({TestEvent(1, "alert.opened", 1)});
  ASSERT_TRUE(ended.WaitFor(1));
  sub_ended.reset();
  Publish({TestEvent(2, "alert.opened", 1), TestEvent(3, "alert.resolved", 1)});
  // The marker subscriber got what was published after the end: the ended
  // one would have had it by now.
  ASSERT_TRUE(marker.WaitFor(3));
  EXPECT_EQ(ended.ids(), (Ids{1}));
  EXPECT_EQ(marker.ids(), (Ids{1, 2, 3}));
}

TEST_P(EventBusConformanceTest, EachPublishersOrderHoldsUnderConcurrency) {
  constexpr int kPublishers = 3;
  constexpr int kEach = 200;
  EventCollector all;
  auto sub = Subscribe(EventFilter(), &all);
  std::vector<std::thread> threads;
  for (int p = 0; p < kPublishers; ++p) {
    threads.emplace_back([this, p] {
      for (int i = 0; i < kEach; ++i) {
        // Publisher p's events are p * 1000 + i: in increasing order.
        EXPECT_TRUE(bus_->Publish({TestEvent(p * 1000 + i, "alert.opened", p + 1)}).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(all.WaitFor(kPublishers * kEach));
  std::vector<int64_t> last(kPublishers, -1);
  for (int64_t id : all.ids()) {
    const int p = static_cast<int>(id / 1000);
    EXPECT_GT(id, last[p]) << "publisher " << p << " out of order";
    last[p] = id;
  }
  EXPECT_EQ(all.ids().size(), static_cast<size_t>(kPublishers * kEach));
}

TEST_P(EventBusConformanceTest, NoCallAfterSubscriptionEndsWhilePublishing) {
  // A publisher runs on another thread while the subscription ends; once its
  // destructor has returned, the handler must never run again.
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> ended{false};
    std::atomic<int> calls{0};
    std::atomic<int> late_calls{0};
    Result<std::unique_ptr<Subscription>> sub = bus_->Subscribe(EventFilter(), [&](const Event&) {
      calls.fetch_add(1);
      if (ended.load()) late_calls.fetch_add(1);
    });
    ASSERT_TRUE(sub.ok()) << sub.status().ToString();
    std::atomic<bool> stop{false};
    std::thread publisher([&] {
      int64_t id = 0;
      while (!stop.load()) EXPECT_TRUE(bus_->Publish({TestEvent(++id, "alert.opened", 1)}).ok());
    });
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
    while (calls.load() < 5 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_GE(calls.load(), 5) << "nothing was delivered";
    sub->reset();
    ended.store(true);
    // Keep publishing a little after the end.
    const int after = calls.load();
    for (int i = 0; i < 1000 && calls.load() == after; ++i) std::this_thread::yield();
    stop.store(true);
    publisher.join();
    EXPECT_EQ(late_calls.load(), 0) << "round " << round;
  }
}

}  // namespace
}  // namespace vigil::testing
