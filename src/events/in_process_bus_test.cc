#include "events/in_process_bus.h"

#include <gtest/gtest.h>

#include "testing/event_bus_conformance.h"

namespace vigil {
namespace {

using testing::EventBusBackend;
using testing::EventBusConformanceTest;
using testing::EventCollector;
using testing::TestEvent;

INSTANTIATE_TEST_SUITE_P(InProcess, EventBusConformanceTest,
                         ::testing::Values(EventBusBackend{
                             "in_process",
                             [] { return Result<std::unique_ptr<EventBus>>(NewInProcessBus()); }}),
                         testing::EventBusBackendName);

// What the in-process bus promises beyond the conformance suite.
class InProcessBusTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventBus> bus_ = NewInProcessBus();
};

TEST_F(InProcessBusTest, HandlersHaveRunWhenPublishReturns) {
  std::vector<int64_t> seen;
  auto sub = bus_->Subscribe(EventFilter(), [&](const Event& e) { seen.push_back(e.id); });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(
      bus_->Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "sync.failed", 1)}).ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
}

TEST_F(InProcessBusTest, EveryHandlerSeesAnEventBeforeAnyHandlerSeesTheNext) {
  std::vector<std::string> calls;
  auto a = bus_->Subscribe(EventFilter(),
                           [&](const Event& e) { calls.push_back("a" + std::to_string(e.id)); });
  auto b = bus_->Subscribe(EventFilter(),
                           [&](const Event& e) { calls.push_back("b" + std::to_string(e.id)); });
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(
      bus_->Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "alert.opened", 1)}).ok());
  EXPECT_EQ(calls, (std::vector<std::string>{"a1", "b1", "a2", "b2"}));
}

TEST_F(InProcessBusTest, AHandlerMayEndItsOwnSubscription) {
  int calls = 0;
  std::unique_ptr<Subscription> sub;
  auto made = bus_->Subscribe(EventFilter(), [&](const Event&) {
    ++calls;
    sub.reset();
  });
  ASSERT_TRUE(made.ok());
  sub = std::move(made).value();
  ASSERT_TRUE(
      bus_->Publish({TestEvent(1, "alert.opened", 1), TestEvent(2, "alert.opened", 1)}).ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(sub, nullptr);
}

TEST_F(InProcessBusTest, PublishFromAHandlerFailsAndNamesTheMistake) {
  Status inner;
  auto sub = bus_->Subscribe(EventFilter{0, "alert.opened"}, [&](const Event&) {
    inner = bus_->Publish({TestEvent(9, "alert.resolved", 1)});
  });
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(bus_->Publish({TestEvent(1, "alert.opened", 1)}).ok());
  EXPECT_EQ(inner.ToString(), "refused: in-process event bus: Publish called from a handler");
  // The bus still works afterwards.
  EventCollector later;
  auto sub_later = bus_->Subscribe(EventFilter(), later.Handler());
  ASSERT_TRUE(sub_later.ok());
  ASSERT_TRUE(bus_->Publish({TestEvent(2, "sync.completed", 1)}).ok());
  EXPECT_EQ(later.ids(), (std::vector<int64_t>{2}));
}

TEST_F(InProcessBusTest, ASubscriptionMayOutliveItsBus) {
  EventCollector c;
  auto sub = bus_->Subscribe(EventFilter(), c.Handler());
  ASSERT_TRUE(sub.ok());
  bus_.reset();
  sub->reset();  // must not touch the destroyed bus
  EXPECT_TRUE(c.events().empty());
}

TEST_F(InProcessBusTest, SubscribingWithoutAHandlerIsRefused) {
  auto sub = bus_->Subscribe(EventFilter(), EventBus::Handler());
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.status().ToString(),
            "invalid argument: in-process event bus: subscribe without a handler");
}

}  // namespace
}  // namespace vigil
