// The in-process EventBus: subscribers in the same process, called
// synchronously by Publish, in publish order.
//
// Publish calls, for each event in order, every subscription whose filter
// matches it, on the publishing thread, and returns OK once all have been
// called. Concurrent Publish calls are serialised, so every subscriber sees
// the same order. A subscription made during a Publish call receives events
// from the next call on.
//
// Thread safety: every method may be called from any thread. Destroying a
// Subscription waits for a call of its handler running on another thread to
// return; afterwards its handler is never called again. A handler may
// destroy its own (or another) Subscription and may Subscribe; it must not
// Publish (Publish from a handler fails with FailedPrecondition). A
// Subscription may outlive its bus.
#pragma once

#include <memory>

#include "events/event_bus.h"

namespace vigil {

std::unique_ptr<EventBus> NewInProcessBus();

}  // namespace vigil
