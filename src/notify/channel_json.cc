#include "notify/channel_json.h"

#include "common/duration.h"
#include "common/time.h"

namespace vigil {
namespace {

nlohmann::ordered_json TimeOrNull(const std::optional<TimeMs>& t) {
  return t ? nlohmann::ordered_json(FormatIso8601(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json ChannelJsonValue(const ChannelRow& c) {
  nlohmann::ordered_json route;
  route["tenants"] = c.route_tenants;
  route["types"] = c.route.types;
  route["min_severity"] = c.route.min_severity;
  route["changes"] = c.route.changes;
  route["group_wait"] = FormatDuration(c.route.group_wait_ms);
  route["repeat_interval"] = FormatDuration(c.route.repeat_interval_ms);
  route["digest"] = c.route.digest ? nlohmann::ordered_json(DigestScheduleText(*c.route.digest))
                                   : nlohmann::ordered_json(nullptr);
  route["timezone"] = c.route.digest ? nlohmann::ordered_json(c.route.digest->timezone)
                                     : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["kind"] = c.kind;
  j["tenant"] = c.tenant.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.tenant);
  j["route"] = route;
  j["give_up"] = FormatDuration(c.policy.give_up_ms);
  j["timeout"] = FormatDuration(c.policy.timeout_ms);
  j["max_retry_wait"] = FormatDuration(c.policy.max_retry_ms);
  j["max_per_second"] = c.policy.max_per_second;
  if (c.kind == "email") {
    j["smtp_url"] = c.smtp_url;
    j["smtp_user"] = c.smtp_user;
    j["from"] = c.from;
    j["to"] = c.to;
  }
  j["secrets"] = c.secrets;
  j["created_at"] = FormatIso8601(c.created_at);
  j["last_attempt_at"] = TimeOrNull(c.last_attempt_at);
  j["last_outcome"] = c.last_outcome.empty() ? nlohmann::ordered_json(nullptr)
                                             : nlohmann::ordered_json(c.last_outcome);
  j["last_error"] = c.last_error;
  j["pending"] = c.pending;
  j["failed"] = c.failed;
  return j;
}

nlohmann::ordered_json NotificationJsonValue(const NotificationRow& n) {
  nlohmann::ordered_json j;
  j["id"] = n.id;
  j["key"] = n.key;
  j["channel"] = n.channel;
  j["tenant"] = n.tenant;
  j["alert_id"] = n.alert_id;
  j["alert_type"] = n.alert_type;
  j["subject_name"] = n.subject_name;
  j["change"] = n.change;
  j["at"] = FormatIso8601(n.at);
  j["state"] = n.state;
  j["reason"] = n.reason;
  j["attempts"] = n.attempts;
  j["sent_at"] = TimeOrNull(n.sent_at);
  j["group_key"] = n.group_key;
  nlohmann::ordered_json last = nullptr;
  if (n.attempted_at) {
    last = {{"at", FormatIso8601(*n.attempted_at)},
            {"status", n.status},
            {"response", n.response},
            {"error", n.error}};
  }
  j["last_attempt"] = last;
  return j;
}

}  // namespace vigil
