// The conformance suite of EventBus (tests only): what every backend must
// do, whatever carries the events (in-process calls now, NATS later).
//
// A backend runs it by instantiating the value-parameterized suite with a
// factory of fresh buses, in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(
//       InProcess, EventBusConformanceTest,
//       ::testing::Values(testing::EventBusBackend{"in_process", [] { ... }}),
//       testing::EventBusBackendName);
//
// Pass EventBusBackendName as the name generator: besides naming the tests
// after the backend, it makes the linker take the suite's tests (they live
// in the static library vigil_testing).
//
// The suite does not assume synchronous delivery: it waits (up to
// kDeliveryTimeout) for what it expects, and proves that something was NOT
// delivered by publishing a marker behind it to another subscriber.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "events/event_bus.h"

namespace vigil::testing {

struct EventBusBackend {
  std::string name;  // a gtest name: letters, digits and underscores
  // A new bus, independent of the buses made before.
  std::function<Result<std::unique_ptr<EventBus>>()> make;
};

// Names an instantiation's tests after EventBusBackend::name.
std::string EventBusBackendName(const ::testing::TestParamInfo<EventBusBackend>& info);

inline constexpr std::chrono::seconds kDeliveryTimeout{10};

// Collects the events a handler receives, from any thread.
class EventCollector {
 public:
  EventBus::Handler Handler();
  // Waits until at least `n` events arrived (false after kDeliveryTimeout).
  bool WaitFor(size_t n);
  std::vector<Event> events() const;
  // The ids of events(), in arrival order.
  std::vector<int64_t> ids() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<Event> events_;
};

class EventBusConformanceTest : public ::testing::TestWithParam<EventBusBackend> {
 protected:
  void SetUp() override;

  // A subscription (fails the test when Subscribe fails).
  std::unique_ptr<Subscription> Subscribe(const EventFilter& filter, EventCollector* collector);
  // Publishes and expects OK.
  void Publish(const std::vector<Event>& events);

  std::unique_ptr<EventBus> bus_;
};

// An event with every field set: trace "trace-<id>", at 1000 + id, payload
// {"n":<id>}.
Event TestEvent(int64_t id, std::string type, int64_t tenant_id);

}  // namespace vigil::testing
