#include "notify/pagerduty_channel.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "alerts/alert_json.h"
#include "common/time.h"
#include "notify/http_delivery.h"
#include "notify/text_cut.h"

namespace vigil {
namespace {

constexpr std::string_view kTrigger = "trigger";
constexpr std::string_view kResolve = "resolve";

class PagerDutyChannel : public Channel {
 public:
  PagerDutyChannel(ChannelSpec spec, HttpClient* client, const Clock* clock)
      : spec_(std::move(spec)), client_(client), clock_(clock) {}

  DeliveryResult Deliver(const NotificationGroup& group) override;

 private:
  const ChannelSpec spec_;
  HttpClient* const client_;
  const Clock* const clock_;
};

DeliveryResult PagerDutyChannel::Deliver(const NotificationGroup& group) {
  const std::vector<HttpRequest> requests = BuildPagerDutyRequests(spec_, group);
  DeliveryResult result;
  result.outcome = DeliveryOutcome::kSent;
  for (size_t i = 0; i < requests.size(); ++i) {
    result = DeliverHttp(kChannelPagerDuty, client_, *clock_, requests[i]);
    if (result.outcome == DeliveryOutcome::kSent) continue;
    // "pagerduty: event 2 of 3: https://... answered HTTP 400"
    const std::string prefix = std::string(kChannelPagerDuty) + ": ";
    if (result.error.rfind(prefix, 0) == 0) {
      result.error.insert(prefix.size(), "event " + std::to_string(i + 1) + " of " +
                                             std::to_string(requests.size()) + ": ");
    }
    return result;
  }
  return result;
}

nlohmann::ordered_json TriggerPayload(const Notification& n) {
  const AlertRow& alert = n.alert;
  nlohmann::ordered_json payload;
  payload["summary"] = Abbreviate(alert.tenant + ": " + alert.type + " " + alert.subject_name,
                                  kPagerDutySummaryBytes);
  payload["source"] = "vigil/" + alert.tenant;
  payload["severity"] = PagerDutySeverity(alert.severity);
  payload["timestamp"] = FormatIso8601(n.at);
  payload["component"] = alert.type;
  payload["group"] = alert.tenant;
  payload["class"] = alert.analysis_type;
  payload["custom_details"] = AlertJsonValue(alert);
  return payload;
}

}  // namespace

std::string_view PagerDutyAction(std::string_view change) {
  if (change == kChangeOpened || change == kChangeReopened || change == kChangeSeverity ||
      change == kChangeUpdated || change == kChangeRepeat) {
    return kTrigger;
  }
  if (change == kChangeResolved) return kResolve;
  return "";
}

std::string_view PagerDutySeverity(std::string_view severity) {
  if (severity == "critical") return "critical";
  if (severity == "high") return "error";
  if (severity == "low") return "info";
  return "warning";  // medium, and a severity vigil does not know
}

std::string PagerDutyDedupKey(const AlertRow& alert) {
  return "vigil-" + std::to_string(alert.tenant_id) + "-" + std::to_string(alert.id);
}

std::string PagerDutyEventBody(const ChannelSpec& spec, const Notification& n,
                               std::string_view action) {
  nlohmann::ordered_json event;
  event["routing_key"] = spec.routing_key;
  event["event_action"] = action;
  event["dedup_key"] = PagerDutyDedupKey(n.alert);
  if (action == kTrigger) event["payload"] = TriggerPayload(n);
  return event.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::vector<HttpRequest> BuildPagerDutyRequests(const ChannelSpec& spec,
                                                const NotificationGroup& group) {
  const std::string url = spec.url.empty() ? std::string(kPagerDutyEventsUrl) : spec.url;
  std::vector<HttpRequest> requests;
  for (const Notification& n : group.notifications) {
    const std::string_view action = PagerDutyAction(n.change);
    if (action.empty()) continue;
    requests.push_back(JsonPost(url, PagerDutyEventBody(spec, n, action)));
  }
  return requests;
}

Result<std::unique_ptr<Channel>> NewPagerDutyChannel(const ChannelSpec& spec, HttpClient* client,
                                                     const Clock* clock) {
  VIGIL_RETURN_IF_ERROR(CheckHttpChannelDeps(kChannelPagerDuty, client, clock));
  if (spec.routing_key.empty()) {
    return Status::InvalidArgument("pagerduty channel: routing_key is required");
  }
  if (!spec.url.empty()) VIGIL_RETURN_IF_ERROR(CheckChannelUrl(kChannelPagerDuty, spec.url));
  return std::unique_ptr<Channel>(std::make_unique<PagerDutyChannel>(spec, client, clock));
}

}  // namespace vigil
