// PlanNotifications: which notifications a batch of outbox events causes on
// the channels (the pure half of routing; the notifier stores the plan and
// marks the events routed in one transaction).
//
// Event type -> change: alert.opened -> opened, alert.reopened -> reopened,
// alert.resolved -> resolved, alert.updated -> severity_changed when its
// payload's previous_severity differs from severity, else updated;
// alert.flapping -> flapping, alert.stable -> stable. Other events cause
// nothing.
//
// A notification the route takes is stored "suppressed" (never sent, kept in
// the delivery log with the reason) when the payload says the alert was
// snoozed ("muted") or is flapping (except the flapping and stable
// notifications themselves). Otherwise it is pending, due at the event's
// time + the route's group_wait, or, for a digest channel, at the next
// digest time after the event, keyed by that digest.
//
// Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"
#include "notify/notification_store.h"
#include "notify/route.h"

namespace vigil {

struct RoutableChannel {
  int64_t id = 0;
  std::optional<int64_t> owner;  // the tenant that owns the channel
  Route route;
};

// The idempotency key of the notification of event `event_id` on a channel.
std::string NotificationKey(int64_t channel_id, int64_t event_id);
// The message key of a digest of a channel due at `due_at`.
std::string DigestKey(int64_t channel_id, TimeMs due_at);

std::vector<NewNotification> PlanNotifications(const std::vector<Event>& events,
                                               const std::vector<RoutableChannel>& channels);

}  // namespace vigil
