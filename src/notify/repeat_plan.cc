#include "notify/repeat_plan.h"

#include "notify/notification.h"

namespace vigil {

Result<std::vector<NewNotification>> PlanRepeats(Db* db, const RoutableChannel& channel,
                                                 TimeMs now) {
  const int64_t interval = channel.route.repeat_interval_ms;
  std::vector<NewNotification> plan;
  if (interval <= 0) return plan;
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db->Prepare("SELECT a.id, a.tenant_id, a.type, a.severity, a.last_trace_id FROM alerts a"
                  " WHERE a.state = 'open' AND a.acknowledged_at IS NULL"
                  " AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)"
                  " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id"
                  " AND n.channel_id = ? AND n.at > ?) ORDER BY a.id"));
  st->BindAll({now, channel.id, now - interval});
  const int64_t bucket = now / interval;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    const int64_t tenant = st->Int(1);
    const std::string type = st->String(2);
    const std::string severity = st->String(3);
    // A reminder goes where the alert's opening went.
    if (!RouteTakes(channel.route, channel.owner, {tenant, type, severity, kChangeOpened})) continue;
    NewNotification n;
    n.channel_id = channel.id;
    n.tenant_id = tenant;
    n.alert_id = st->Int(0);
    n.change = std::string(kChangeRepeat);
    n.key = "vigil:" + std::to_string(channel.id) + ":repeat:" + std::to_string(n.alert_id) + ":" +
            std::to_string(bucket);
    n.state = std::string(kNotificationPending);
    n.at = now;
    n.trace_id = st->String(4);
    n.due_at = now + channel.route.group_wait_ms;
    plan.push_back(std::move(n));
  }
  return plan;
}

}  // namespace vigil
