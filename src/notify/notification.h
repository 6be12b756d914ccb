// Notification and NotificationGroup: what the notifier hands a channel.
//
// A notification is one alert transition on its way to one channel. Its
// idempotency key is the same on every attempt to deliver it, so a receiver
// can drop repeats: "vigil:<channel id>:<event id>" for a transition (the
// event outbox row that announced it), "vigil:<channel id>:repeat:<alert
// id>:<due time>" for a reminder that an alert is still open.
//
// A group is what goes out as ONE message: the notifications of one
// (channel, tenant) that were pending together, or, for a digest channel,
// everything of the channel's period across its tenants. A group's key is
// fixed at its first attempt and kept by every retry, so a message that is
// sent twice (a crash after the receiver answered, before the answer was
// recorded) carries the same key both times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"

namespace vigil {

// Changes a notification can announce (notifications.change; route
// `changes`). The first five come from the alert's history; "updated" is a
// change of details only; "repeat" is a reminder (Route::repeat_interval_ms).
inline constexpr std::string_view kChangeOpened = "opened";
inline constexpr std::string_view kChangeReopened = "reopened";
inline constexpr std::string_view kChangeResolved = "resolved";
inline constexpr std::string_view kChangeSeverity = "severity_changed";
inline constexpr std::string_view kChangeUpdated = "updated";
inline constexpr std::string_view kChangeFlapping = "flapping";
inline constexpr std::string_view kChangeStable = "stable";
inline constexpr std::string_view kChangeRepeat = "repeat";

// Whether `change` is one of the names above.
bool IsKnownChange(std::string_view change);

struct Notification {
  int64_t id = 0;           // notifications.id
  std::string key;          // idempotency key (see the top of this file)
  std::string change;       // kChange*
  TimeMs at = 0;            // when the transition happened
  std::string trace_id;     // the trace of the analysis that caused it
  std::string previous_severity;  // for kChangeSeverity: the severity before
  AlertRow alert;           // the alert as it is when the message is built
};

struct NotificationGroup {
  int64_t channel_id = 0;
  std::string channel;      // the channel's name
  std::string tenant;       // the tenant's name; empty for a digest (several tenants)
  std::string key;          // the message's idempotency key, the same on every retry
  int attempt = 1;          // 1 for the first attempt
  bool digest = false;
  TimeMs period_start = 0;  // digest: the period the message covers
  TimeMs period_end = 0;
  // In (tenant, at, id) order. Never empty.
  std::vector<Notification> notifications;
};

}  // namespace vigil
