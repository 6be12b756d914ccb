#include "notify/webhook_channel.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "alerts/alert_json.h"
#include "common/time.h"
#include "http/webhook_signature.h"
#include "notify/http_delivery.h"

namespace vigil {
namespace {

class WebhookChannel : public Channel {
 public:
  WebhookChannel(ChannelSpec spec, HttpClient* client, const Clock* clock)
      : spec_(std::move(spec)), client_(client), clock_(clock) {}

  DeliveryResult Deliver(const NotificationGroup& group) override {
    const HttpRequest request = BuildWebhookRequest(spec_, group, clock_->NowMs());
    return DeliverHttp(kChannelWebhook, client_, *clock_, request);
  }

 private:
  const ChannelSpec spec_;
  HttpClient* const client_;
  const Clock* const clock_;
};

nlohmann::ordered_json NotificationJson(const Notification& n) {
  nlohmann::ordered_json out;
  out["id"] = n.key;
  out["change"] = n.change;
  out["previous_severity"] = n.change == kChangeSeverity
                                 ? nlohmann::ordered_json(n.previous_severity)
                                 : nlohmann::ordered_json(nullptr);
  out["at"] = FormatIso8601(n.at);
  out["trace_id"] = n.trace_id;
  out["alert"] = AlertJsonValue(n.alert);
  return out;
}

}  // namespace

std::string WebhookBody(const NotificationGroup& group) {
  nlohmann::ordered_json body;
  body["version"] = kWebhookPayloadVersion;
  body["channel"] = group.channel;
  body["tenant"] =
      group.digest ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(group.tenant);
  body["group_key"] = group.key;
  body["digest"] = group.digest;
  nlohmann::ordered_json notifications = nlohmann::ordered_json::array();
  for (const Notification& n : group.notifications) notifications.push_back(NotificationJson(n));
  body["notifications"] = std::move(notifications);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

HttpRequest BuildWebhookRequest(const ChannelSpec& spec, const NotificationGroup& group,
                                TimeMs now) {
  HttpRequest request = JsonPost(spec.url, WebhookBody(group));
  request.headers[std::string(kIdempotencyKeyHeader)] = group.key;
  if (!spec.signing_secret.empty()) {
    request.headers[std::string(kWebhookSignatureOutHeader)] =
        WebhookSignatureHeaderValue(spec.signing_secret, now / 1000, request.body);
  }
  return request;
}

Result<std::unique_ptr<Channel>> NewWebhookChannel(const ChannelSpec& spec, HttpClient* client,
                                                   const Clock* clock) {
  VIGIL_RETURN_IF_ERROR(CheckHttpChannelDeps(kChannelWebhook, client, clock));
  VIGIL_RETURN_IF_ERROR(CheckRequiredUrl(kChannelWebhook, spec.url));
  return std::unique_ptr<Channel>(std::make_unique<WebhookChannel>(spec, client, clock));
}

}  // namespace vigil
