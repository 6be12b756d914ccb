#include "notify/alertmanager_channel.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/time.h"

namespace vigil {
namespace {

constexpr std::string_view kKind = "alertmanager";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr size_t kErrorBodyBytes = 200;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// `text` cut to at most `limit` bytes at a UTF-8 character boundary, with an
// ellipsis at the end when something was cut.
std::string Bounded(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t cut = limit - kEllipsis.size();
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += kEllipsis;
  return out;
}

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
  annotations["description"] = Bounded(alert.details, kAlertmanagerDescriptionBytes);
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

// Retry-After in whole seconds as milliseconds; nullopt when absent or not a
// number of seconds.
std::optional<int64_t> RetryAfterMs(const HttpResponse& response) {
  auto it = response.headers.find("retry-after");
  if (it == response.headers.end()) return std::nullopt;
  int64_t seconds = 0;
  const std::string& v = it->second;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) return std::nullopt;
  return seconds * 1000;
}

// The answer's first bytes on one line, for an error message.
std::string Excerpt(std::string_view body) {
  std::string out = Bounded(body, kErrorBodyBytes);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What the HTTP client said, without the "POST <url>: " it starts with (the
// URL may carry a user and password).
std::string WithoutRequest(const Status& status, const HttpRequest& request) {
  const std::string prefix = DescribeRequest(request) + ": ";
  std::string_view message = status.message();
  if (StartsWith(message, prefix)) message.remove_prefix(prefix.size());
  if (message.find(request.url) != std::string_view::npos) return "the request did not complete";
  return std::string(message);
}

// Classifies an answer (or its absence) per notify/channel.h.
DeliveryResult Classify(const Result<HttpResponse>& answer, const HttpRequest& request) {
  DeliveryResult result;
  if (!answer.ok()) {
    const bool no_answer = answer.status().code() == Code::kUnavailable;
    result.outcome = no_answer ? DeliveryOutcome::kRetry : DeliveryOutcome::kFailed;
    result.error = std::string(kKind) + (no_answer ? ": no answer: " : ": ") +
                   WithoutRequest(answer.status(), request);
    return result;
  }
  const HttpResponse& r = *answer;
  result.status = r.status;
  result.response = r.body.substr(0, kResponsePrefixBytes);
  if (r.status >= 200 && r.status < 300) {
    result.outcome = DeliveryOutcome::kSent;
    return result;
  }
  const bool again = r.status == 429 || r.status >= 500;
  result.outcome = again ? DeliveryOutcome::kRetry : DeliveryOutcome::kFailed;
  if (again) result.retry_after_ms = RetryAfterMs(r);
  result.error = std::string(kKind) + ": the server answered " + std::to_string(r.status);
  const std::string excerpt = Excerpt(r.body);
  if (!excerpt.empty()) result.error += ": " + excerpt;
  return result;
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
  // The index of each alert's last notification.
  std::unordered_map<int64_t, size_t> last;
  for (size_t i = 0; i < group.notifications.size(); ++i) {
    last[group.notifications[i].alert.id] = i;
  }
  std::vector<AlertRow> out;
  for (size_t i = 0; i < group.notifications.size(); ++i) {
    const Notification& n = group.notifications[i];
    if (last[n.alert.id] != i) continue;
    out.push_back(n.alert);
    if (n.change == kChangeSeverity && !n.previous_severity.empty() &&
        n.previous_severity != n.alert.severity) {
      AlertRow before = n.alert;
      before.severity = n.previous_severity;
      before.state = std::string(kAlertResolved);
      before.resolved_at = n.at;
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
  if (spec.url.empty()) return Status::InvalidArgument("alertmanager channel: url is required");
  if (!StartsWith(spec.url, "http://") && !StartsWith(spec.url, "https://")) {
    return Status::InvalidArgument("alertmanager channel: url must start with http:// or https://");
  }
  return std::unique_ptr<AlertmanagerChannel>(
      new AlertmanagerChannel(spec, http, clock, std::move(options)));
}

DeliveryResult AlertmanagerChannel::Post(const std::vector<AlertRow>& alerts,
                                         const std::string& key) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_;
  request.headers["Content-Type"] = "application/json";
  request.headers["Idempotency-Key"] = key;
  request.body = AlertmanagerPayload(alerts, clock_->NowMs(), options_);
  return Classify(http_->Send(request), request);
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
