#include "notify/notification_plan.h"

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "notify/notification.h"

namespace vigil {
namespace {

using nlohmann::json;

struct AlertEvent {
  int64_t alert_id = 0;
  std::string alert_type;
  std::string severity;
  std::string change;
  std::string previous_severity;
  std::string suppressed;  // why, or empty
};

std::string ChangeOf(const Event& event, const json& payload) {
  const std::string_view type = event.type;
  if (type == kEventAlertOpened) return std::string(kChangeOpened);
  if (type == kEventAlertReopened) return std::string(kChangeReopened);
  if (type == kEventAlertResolved) return std::string(kChangeResolved);
  if (type == "alert.flapping") return std::string(kChangeFlapping);
  if (type == "alert.stable") return std::string(kChangeStable);
  if (type != kEventAlertUpdated) return "";
  const auto previous = payload.find("previous_severity");
  const bool severity_changed = previous != payload.end() && previous->is_string() &&
                                previous->get<std::string>() != payload.value("severity", "");
  return std::string(severity_changed ? kChangeSeverity : kChangeUpdated);
}

// The alert event `event` announces; nullopt for other events and for a
// payload that does not parse (events are written by vigil only).
std::optional<AlertEvent> ReadAlertEvent(const Event& event) {
  if (event.type.rfind("alert.", 0) != 0) return std::nullopt;
  const json payload = json::parse(event.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return std::nullopt;
  AlertEvent a;
  a.change = ChangeOf(event, payload);
  if (a.change.empty()) return std::nullopt;
  a.alert_id = payload.value("alert_id", int64_t{0});
  a.alert_type = payload.value("alert_type", "");
  a.severity = payload.value("severity", "");
  if (a.change == kChangeSeverity) a.previous_severity = payload.value("previous_severity", "");
  const bool quiet_change = a.change == kChangeFlapping || a.change == kChangeStable;
  if (payload.value("muted", false)) {
    const auto until = payload.find("snoozed_until");
    a.suppressed = "snoozed until " + (until != payload.end() && until->is_string()
                                           ? until->get<std::string>()
                                           : std::string("later"));
  } else if (payload.value("flapping", false) && !quiet_change) {
    a.suppressed = "flapping";
  }
  return a;
}

}  // namespace

std::string NotificationKey(int64_t channel_id, int64_t event_id) {
  return "vigil:" + std::to_string(channel_id) + ":" + std::to_string(event_id);
}

std::string DigestKey(int64_t channel_id, TimeMs due_at) {
  return "vigil:" + std::to_string(channel_id) + ":digest:" + FormatIso8601(due_at);
}

std::vector<NewNotification> PlanNotifications(const std::vector<Event>& events,
                                               const std::vector<RoutableChannel>& channels) {
  std::vector<NewNotification> plan;
  for (const Event& event : events) {
    const std::optional<AlertEvent> a = ReadAlertEvent(event);
    if (!a) continue;
    for (const RoutableChannel& c : channels) {
      if (!RouteTakes(c.route, c.owner, {event.tenant_id, a->alert_type, a->severity, a->change})) {
        continue;
      }
      NewNotification n;
      n.channel_id = c.id;
      n.tenant_id = event.tenant_id;
      n.alert_id = a->alert_id;
      n.event_id = event.id;
      n.change = a->change;
      n.previous_severity = a->previous_severity;
      n.key = NotificationKey(c.id, event.id);
      n.state = a->suppressed.empty() ? std::string(kNotificationPending)
                                      : std::string(kNotificationSuppressed);
      n.reason = a->suppressed;
      n.at = event.at;
      n.trace_id = event.trace_id;
      if (c.route.digest) {
        n.due_at = NextDigestTime(*c.route.digest, event.at);
        n.group_key = DigestKey(c.id, n.due_at);
      } else {
        n.due_at = event.at + c.route.group_wait_ms;
      }
      plan.push_back(std::move(n));
    }
  }
  return plan;
}

}  // namespace vigil
