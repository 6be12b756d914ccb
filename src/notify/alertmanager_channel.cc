#include "notify/alertmanager_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"
#include "notify/http_delivery.h"
#include "notify/text_cut.h"

namespace vigil {
namespace {

nlohmann::ordered_json PostableAlert(const AlertRow& alert, TimeMs now,
                                     const AlertmanagerPayloadOptions& options) {
  nlohmann::ordered_json labels;
  labels["alertname"] = alert.type;
  labels["tenant"] = alert.tenant;
  labels["type"] = alert.type;
  labels["subject"] = alert.subject;
  labels["severity"] = alert.severity;

  nlohmann::ordered_json annotations;
  annotations["summary"] = alert.tenant + ": " + alert.type + " " + alert.subject_name;
  annotations["description"] = Abbreviate(alert.details, kAlertmanagerDescriptionBytes);
  annotations["vigil_alert_id"] = std::to_string(alert.id);

  TimeMs ends;
  if (alert.state == kAlertOpen) {
    ends = now + options.firing_for_ms;
  } else {
    ends = std::min(alert.resolved_at.value_or(now), now);
  }
  ends = std::max(ends, alert.first_seen);

  nlohmann::ordered_json out;
  out["labels"] = std::move(labels);
  out["annotations"] = std::move(annotations);
  out["startsAt"] = FormatIso8601(alert.first_seen);
  out["endsAt"] = FormatIso8601(ends);
  if (!options.generator_url_prefix.empty()) {
    out["generatorURL"] = options.generator_url_prefix + std::to_string(alert.id);
  }
  return out;
}

}  // namespace

std::string AlertmanagerPayload(const std::vector<AlertRow>& alerts, TimeMs now,
                                const AlertmanagerPayloadOptions& options) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const AlertRow& alert : alerts) array.push_back(PostableAlert(alert, now, options));
  // Invalid UTF-8 in a name or the details becomes U+FFFD instead of failing.
  return array.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::vector<AlertRow> AlertmanagerAlertsOf(const NotificationGroup& group) {
  // Per alert: the index of its last notification, and the severities it
  // left in the group (each once, with when it left it).
  struct Seen {
    size_t last = 0;
    std::vector<std::pair<std::string, TimeMs>> left;
  };
  std::unordered_map<int64_t, Seen> seen;
  for (size_t i = 0; i < group.notifications.size(); ++i) {
    const Notification& n = group.notifications[i];
    Seen& s = seen[n.alert.id];
    s.last = i;
    if (n.change != kChangeSeverity || n.previous_severity.empty()) continue;
    const bool known = std::any_of(s.left.begin(), s.left.end(),
                                   [&](const auto& l) { return l.first == n.previous_severity; });
    if (!known) s.left.emplace_back(n.previous_severity, n.at);
  }
  std::vector<AlertRow> out;
  for (size_t i = 0; i < group.notifications.size(); ++i) {
    const AlertRow& alert = group.notifications[i].alert;
    const Seen& s = seen[alert.id];
    if (s.last != i) continue;
    out.push_back(alert);
    for (const auto& [severity, at] : s.left) {
      if (severity == alert.severity) continue;
      AlertRow before = alert;
      before.severity = severity;
      before.state = std::string(kAlertResolved);
      before.resolved_at = at;
      out.push_back(std::move(before));
    }
  }
  return out;
}

AlertmanagerChannel::AlertmanagerChannel(const ChannelSpec& spec, HttpClient* http,
                                         const Clock* clock, AlertmanagerPayloadOptions options)
    : route_(spec.route),
      owner_(spec.tenant_id),
      channel_id_(spec.id),
      http_(http),
      clock_(clock),
      options_(std::move(options)) {
  std::string base = spec.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  endpoint_ = base + "/api/v2/alerts";
}

Result<std::unique_ptr<AlertmanagerChannel>> AlertmanagerChannel::Open(
    const ChannelSpec& spec, HttpClient* http, const Clock* clock,
    AlertmanagerPayloadOptions options) {
  VIGIL_RETURN_IF_ERROR(CheckHttpChannelDeps(kChannelAlertmanager, http, clock));
  VIGIL_RETURN_IF_ERROR(CheckRequiredUrl(kChannelAlertmanager, spec.url));
  return std::unique_ptr<AlertmanagerChannel>(
      new AlertmanagerChannel(spec, http, clock, std::move(options)));
}

DeliveryResult AlertmanagerChannel::Post(const std::vector<AlertRow>& alerts,
                                         const std::string& key) {
  HttpRequest request = JsonPost(endpoint_, AlertmanagerPayload(alerts, clock_->NowMs(), options_));
  request.headers["Idempotency-Key"] = key;
  return DeliverHttp(kChannelAlertmanager, http_, *clock_, request);
}

DeliveryResult AlertmanagerChannel::Deliver(const NotificationGroup& group) {
  return Post(AlertmanagerAlertsOf(group), group.key);
}

DeliveryResult AlertmanagerChannel::RepostFiring(const std::vector<AlertRow>& open_alerts) {
  std::vector<AlertRow> firing;
  for (const AlertRow& alert : open_alerts) {
    if (alert.state != kAlertOpen) continue;
    RouteInput in{alert.tenant_id, alert.type, alert.severity, kChangeOpened};
    RouteInput again = in;
    again.change = kChangeReopened;
    if (RouteTakes(route_, owner_, in) || RouteTakes(route_, owner_, again)) {
      firing.push_back(alert);
    }
  }
  DeliveryResult result;
  if (firing.empty()) {
    result.outcome = DeliveryOutcome::kSent;
    return result;
  }
  const TimeMs now = clock_->NowMs();
  return Post(firing, "vigil:" + std::to_string(channel_id_) + ":repost:" + std::to_string(now));
}

Result<std::unique_ptr<Channel>> NewAlertmanagerChannel(const ChannelSpec& spec, HttpClient* http,
                                                        const Clock* clock) {
  VIGIL_ASSIGN_OR_RETURN(auto channel, AlertmanagerChannel::Open(spec, http, clock));
  return std::unique_ptr<Channel>(std::move(channel));
}

}  // namespace vigil
