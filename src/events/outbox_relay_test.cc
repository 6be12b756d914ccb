#include "events/outbox_relay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "events/in_process_bus.h"
#include "events/outbox.h"
#include "store/span_store.h"
#include "testing/event_bus_conformance.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::Count;
using testing::EventCollector;

constexpr TimeMs kNow = 5000;

// A bus for tests: records what it is given; when `fail` is set it accepts
// the first `accept_before_failing` events of a Publish call and then fails.
class FakeEventBus : public EventBus {
 public:
  Status Publish(const std::vector<Event>& events) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    for (size_t i = 0; i < events.size(); ++i) {
      if (fail_ && static_cast<int>(i) >= accept_before_failing_) {
        return Status::Unavailable("fake bus down");
      }
      published_.push_back(events[i]);
    }
    sizes_.push_back(static_cast<int>(events.size()));
    return Status::Ok();
  }

  Result<std::unique_ptr<Subscription>> Subscribe(const EventFilter&, Handler) override {
    return Status::Internal("FakeEventBus: no subscriptions");
  }

  void SetFailing(bool fail, int accept_before_failing = 0) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
    accept_before_failing_ = accept_before_failing;
  }
  std::vector<int64_t> published_ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<int64_t> ids;
    for (const Event& e : published_) ids.push_back(e.id);
    return ids;
  }
  // Sizes of the Publish calls that succeeded.
  std::vector<int> sizes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sizes_;
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  bool fail_ = false;
  int accept_before_failing_ = 0;
  int calls_ = 0;
  std::vector<Event> published_;
  std::vector<int> sizes_;
};

// Polls `done` every millisecond for up to 10 seconds.
bool WaitUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A database shared by a writer connection (the test's) and the relay's own
// connection, as between a writer process and the relay.
class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_db_ = testing::OpenTestDatabaseFactory();
    writer_ = open_db_();
    ASSERT_NE(writer_, nullptr);
    clock_ = NewFixedClock(kNow);
  }

  std::unique_ptr<OutboxRelay> NewRelay(EventBus* bus, OutboxRelayOptions options = {}) {
    return std::make_unique<OutboxRelay>(open_db_(), bus, clock_.get(), options);
  }

  // Commits `n` events (types alert.opened) for tenant 1.
  void AppendCommitted(int n) {
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      Event e;
      e.type = "alert.opened";
      e.tenant_id = 1;
      e.trace_id = "trace";
      e.at = 1000;
      e.payload = "{\"n\":" + std::to_string(i) + "}";
      events.push_back(e);
    }
    Transaction tx(writer_.get());
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(AppendEvents(writer_.get(), events).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }

  int64_t Backlog() {
    Result<int64_t> n = CountUnpublished(writer_.get());
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  std::function<std::unique_ptr<Db>()> open_db_;
  std::unique_ptr<Db> writer_;
  std::unique_ptr<Clock> clock_;
};

TEST_F(OutboxRelayTest, PublishesEachEventOnceAndMarksIt) {
  FakeEventBus bus;
  auto relay = NewRelay(&bus);
  AppendCommitted(3);
  Result<int> first = relay->RelayOnce();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 3);
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Backlog(), 0);
  EXPECT_EQ(Count(writer_.get(), "SELECT COUNT(*) FROM event_outbox WHERE published_at = 5000"), 3);

  Result<int> second = relay->RelayOnce();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 0);
  AppendCommitted(1);
  ASSERT_TRUE(relay->RelayOnce().ok());
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(OutboxRelayTest, EachTraceGetsOneEventPublishSpanPerRound) {
  FakeEventBus bus;
  auto relay = NewRelay(&bus, {200, 2});
  AppendCommitted(5);  // three batches of at most two, one trace
  ASSERT_TRUE(relay->RelayOnce().ok());
  Result<std::vector<SpanRecord>> spans = LoadTrace(writer_.get(), "trace");
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].name, "event.publish");
  EXPECT_EQ((*spans)[0].tenant_id, 1);
  EXPECT_EQ((*spans)[0].attributes.at("events"), "5");
  EXPECT_EQ((*spans)[0].attributes.at("types"), "alert.opened");
  // A round that publishes nothing stores no span.
  ASSERT_TRUE(relay->RelayOnce().ok());
  EXPECT_EQ(LoadTrace(writer_.get(), "trace")->size(), 1u);
}

TEST_F(OutboxRelayTest, PublishesInBatchesOldestFirst) {
  FakeEventBus bus;
  OutboxRelayOptions options;
  options.batch = 2;
  auto relay = NewRelay(&bus, options);
  AppendCommitted(5);
  Result<int> n = relay->RelayOnce();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 5);
  EXPECT_EQ(bus.sizes(), (std::vector<int>{2, 2, 1}));
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(OutboxRelayTest, AFailingBusLeavesEventsUnpublishedUntilTheNextRound) {
  FakeEventBus bus;
  auto relay = NewRelay(&bus);
  AppendCommitted(3);
  bus.SetFailing(true);
  Result<int> failed = relay->RelayOnce();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().ToString(), "unavailable: outbox relay: publishing: fake bus down");
  EXPECT_EQ(relay->last_error().ToString(), failed.status().ToString());
  EXPECT_EQ(Backlog(), 3);

  bus.SetFailing(false);
  Result<int> retried = relay->RelayOnce();
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(*retried, 3);
  EXPECT_TRUE(relay->last_error().ok());
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(OutboxRelayTest, APartlyPublishedBatchIsPublishedAgainWhole) {
  FakeEventBus bus;
  auto relay = NewRelay(&bus);
  AppendCommitted(3);
  bus.SetFailing(true, /*accept_before_failing=*/2);
  ASSERT_FALSE(relay->RelayOnce().ok());
  EXPECT_EQ(Backlog(), 3);
  bus.SetFailing(false);
  ASSERT_TRUE(relay->RelayOnce().ok());
  // At least once: 1 and 2 twice, each with its id, so a consumer can drop the repeat.
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 1, 2, 3}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(OutboxRelayTest, ACrashBetweenPublishAndMarkRepublishesTheSameIds) {
  auto bus = NewInProcessBus();
  EventCollector consumer;
  auto sub = bus->Subscribe(EventFilter(), consumer.Handler());
  ASSERT_TRUE(sub.ok());
  AppendCommitted(3);
  // The mark never lands, as if the relay died right after Publish.
  ASSERT_TRUE(testing::InstallFailingTrigger(writer_.get(), "no_mark", "UPDATE", "event_outbox", "",
                                             "relay crashed")
                  .ok());
  {
    auto crashed = NewRelay(bus.get());
    Result<int> r = crashed->RelayOnce();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("outbox relay: marking events published"),
              std::string::npos)
        << r.status().ToString();
    EXPECT_NE(r.status().message().find("relay crashed"), std::string::npos);
  }
  EXPECT_EQ(consumer.ids(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Backlog(), 3);

  ASSERT_TRUE(testing::RemoveFailingTrigger(writer_.get(), "no_mark", "event_outbox").ok());
  auto restarted = NewRelay(bus.get());
  Result<int> again = restarted->RelayOnce();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 3);
  EXPECT_EQ(consumer.ids(), (std::vector<int64_t>{1, 2, 3, 1, 2, 3}));
  std::set<int64_t> deduped;
  for (const Event& e : consumer.events()) deduped.insert(e.id);
  EXPECT_EQ(deduped.size(), 3u);
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(OutboxRelayTest, NotifyWakesTheBackgroundRelayAtOnce) {
  auto bus = NewInProcessBus();
  EventCollector consumer;
  auto sub = bus->Subscribe(EventFilter(), consumer.Handler());
  ASSERT_TRUE(sub.ok());
  OutboxRelayOptions options;
  options.poll_ms = 600'000;  // only Notify can wake it within the test
  auto relay = NewRelay(bus.get(), options);
  ASSERT_TRUE(relay->Start().ok());
  for (int round = 1; round <= 3; ++round) {
    AppendCommitted(2);
    relay->Notify();
    ASSERT_TRUE(consumer.WaitFor(2 * round)) << "round " << round;
  }
  EXPECT_EQ(consumer.ids(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(WaitUntil([&] { return Backlog() == 0; }));
  relay->Stop();
  EXPECT_TRUE(relay->last_error().ok()) << relay->last_error().ToString();
}

TEST_F(OutboxRelayTest, TheBackgroundRelayPollsForEventsOfOtherWriters) {
  auto bus = NewInProcessBus();
  EventCollector consumer;
  auto sub = bus->Subscribe(EventFilter(), consumer.Handler());
  ASSERT_TRUE(sub.ok());
  OutboxRelayOptions options;
  options.poll_ms = 5;
  auto relay = NewRelay(bus.get(), options);
  ASSERT_TRUE(relay->Start().ok());
  AppendCommitted(4);  // no Notify
  ASSERT_TRUE(consumer.WaitFor(4));
  EXPECT_EQ(consumer.ids(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(OutboxRelayTest, StopRelaysWhatIsPending) {
  FakeEventBus bus;
  OutboxRelayOptions options;
  options.poll_ms = 600'000;
  auto relay = NewRelay(&bus, options);
  ASSERT_TRUE(relay->Start().ok());
  AppendCommitted(3);  // committed before Stop, never notified
  relay->Stop();
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Backlog(), 0);
}

TEST_F(OutboxRelayTest, TheBackgroundRelayRecordsFailuresAndKeepsTrying) {
  FakeEventBus bus;
  bus.SetFailing(true);
  OutboxRelayOptions options;
  options.poll_ms = 2;
  auto relay = NewRelay(&bus, options);
  AppendCommitted(2);
  ASSERT_TRUE(relay->Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return !relay->last_error().ok(); }));
  EXPECT_EQ(relay->last_error().ToString(), "unavailable: outbox relay: publishing: fake bus down");
  ASSERT_TRUE(WaitUntil([&] { return bus.calls() >= 3; }));  // it retries
  EXPECT_EQ(Backlog(), 2);

  bus.SetFailing(false);
  EXPECT_TRUE(WaitUntil([&] { return Backlog() == 0; }));
  EXPECT_TRUE(WaitUntil([&] { return relay->last_error().ok(); }));
  relay->Stop();
  EXPECT_EQ(bus.published_ids(), (std::vector<int64_t>{1, 2}));
}

TEST_F(OutboxRelayTest, StartsOnlyOnce) {
  FakeEventBus bus;
  auto relay = NewRelay(&bus);
  ASSERT_TRUE(relay->Start().ok());
  EXPECT_EQ(relay->Start().ToString(), "refused: outbox relay: already started");
  relay->Stop();
  relay->Stop();  // idempotent
  EXPECT_EQ(relay->Start().ToString(), "refused: outbox relay: stopped");
}

TEST_F(OutboxRelayTest, RelayOnceWhileStartedDoesNotOverlapTheBackgroundRound) {
  auto bus = NewInProcessBus();
  EventCollector consumer;
  auto sub = bus->Subscribe(EventFilter(), consumer.Handler());
  ASSERT_TRUE(sub.ok());
  OutboxRelayOptions options;
  options.poll_ms = 1;
  options.batch = 3;
  auto relay = NewRelay(bus.get(), options);
  ASSERT_TRUE(relay->Start().ok());
  int total = 0;
  for (int i = 0; i < 20; ++i) {
    AppendCommitted(5);
    Result<int> n = relay->RelayOnce();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    total += *n;
  }
  relay->Stop();
  // Rounds never overlap, so no event went out twice.
  std::vector<int64_t> expected;
  for (int64_t id = 1; id <= 100; ++id) expected.push_back(id);
  EXPECT_EQ(consumer.ids(), expected);
  EXPECT_LE(total, 100);
}

}  // namespace
}  // namespace vigil
