// EventBus: where events go after the outbox (events/outbox.h) has made them
// durable. Backends: in-process (events/in_process_bus.h) and NATS
// (events/nats_bus.h).
// Both pass the same conformance suite.
//
// Delivery is at-least-once: the relay may publish an event again after a
// crash, and subscribers may see it twice (Event::id tells).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "events/event.h"

namespace vigil {

struct EventFilter {
  int64_t tenant_id = 0;  // 0: every tenant
  std::string type;       // "": every type; "alert.*" matches a prefix before ".*"
  bool Matches(const Event& event) const;
};

// Ends its subscription when destroyed; after the destructor returns the
// handler is not called again.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  virtual ~EventBus() = default;

  // Publishes `events` in order. OK means the bus accepted every one (for
  // the in-process bus: every matching handler has been called). On error,
  // a prefix may have been published; the caller publishes the rest again.
  virtual Status Publish(const std::vector<Event>& events) = 0;

  // Calls `handler` for each later event that matches `filter`, in publish
  // order. Handlers must not block for long and must not Publish.
  virtual Result<std::unique_ptr<Subscription>> Subscribe(const EventFilter& filter,
                                                          Handler handler) = 0;
};

}  // namespace vigil
