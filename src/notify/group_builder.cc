#include "notify/group_builder.h"

#include <algorithm>
#include <map>

#include "alerts/alert_store.h"
#include "common/time.h"

namespace vigil {
namespace {

constexpr size_t kAlertsPerStatement = 500;

Result<std::map<int64_t, AlertRow>> LoadAlerts(Db* db, const ClaimedGroup& claimed) {
  std::vector<int64_t> ids;
  for (const ClaimedNotification& n : claimed.rows) ids.push_back(n.alert_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::map<int64_t, AlertRow> alerts;
  for (size_t begin = 0; begin < ids.size(); begin += kAlertsPerStatement) {
    const size_t end = std::min(ids.size(), begin + kAlertsPerStatement);
    std::string clause = "WHERE a.id IN (";
    for (size_t i = begin; i < end; ++i) clause += i == begin ? "?" : ", ?";
    clause += ")";
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> rows,
                           SelectAlerts(db, clause, [&](Statement* st) {
                             for (size_t i = begin; i < end; ++i) {
                               st->BindInt(static_cast<int>(i - begin) + 1, ids[i]);
                             }
                           }));
    for (AlertRow& row : rows) alerts.emplace(row.id, std::move(row));
  }
  return alerts;
}

// Why `n` must not go out now, or "".
std::string SetAsideReason(const ClaimedNotification& n, const AlertRow* alert, TimeMs now) {
  if (alert == nullptr) return "alert gone";
  if (alert->snoozed_until && *alert->snoozed_until > now) {
    return "snoozed until " + FormatIso8601(*alert->snoozed_until);
  }
  if (n.change == kChangeRepeat && alert->acknowledged_at) return "acknowledged";
  return "";
}

}  // namespace

Result<BuiltGroup> BuildGroup(Db* db, const ChannelSpec& channel, const ClaimedGroup& claimed,
                              TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(auto alerts, LoadAlerts(db, claimed));
  BuiltGroup built;
  NotificationGroup& g = built.group;
  g.channel_id = channel.id;
  g.channel = channel.name;
  g.key = claimed.group_key;
  g.digest = channel.route.digest.has_value();
  for (const ClaimedNotification& n : claimed.rows) {
    auto it = alerts.find(n.alert_id);
    const AlertRow* alert = it == alerts.end() ? nullptr : &it->second;
    if (std::string reason = SetAsideReason(n, alert, now); !reason.empty()) {
      built.suppressed.emplace_back(n.id, std::move(reason));
      continue;
    }
    g.attempt = std::max(g.attempt, n.attempts + 1);
    Notification out;
    out.id = n.id;
    out.key = n.key;
    out.change = n.change;
    out.at = n.at;
    out.trace_id = n.trace_id;
    out.previous_severity = n.previous_severity;
    out.alert = *alert;
    g.notifications.push_back(std::move(out));
  }
  std::stable_sort(g.notifications.begin(), g.notifications.end(),
                   [](const Notification& a, const Notification& b) {
                     if (a.alert.tenant != b.alert.tenant) return a.alert.tenant < b.alert.tenant;
                     if (a.at != b.at) return a.at < b.at;
                     return a.id < b.id;
                   });
  if (!g.notifications.empty()) {
    if (!g.digest) g.tenant = g.notifications.front().alert.tenant;
    g.period_end = now;
    g.period_start = g.notifications.front().at;
    for (const Notification& n : g.notifications) g.period_start = std::min(g.period_start, n.at);
  }
  return built;
}

}  // namespace vigil
