#include "app/channel_factory.h"

#include "http/http_client.h"
#include "notify/alertmanager_channel.h"
#include "notify/email_channel.h"
#include "notify/pagerduty_channel.h"
#include "notify/slack_channel.h"
#include "notify/teams_channel.h"
#include "notify/webhook_channel.h"

namespace vigil {
namespace {

// A channel and the HTTP client it borrows, kept alive together.
class WithClient : public Channel {
 public:
  WithClient(std::unique_ptr<HttpClient> http, std::unique_ptr<Channel> channel)
      : http_(std::move(http)), channel_(std::move(channel)) {}
  DeliveryResult Deliver(const NotificationGroup& group) override {
    return channel_->Deliver(group);
  }
  int64_t refresh_interval_ms() const override { return channel_->refresh_interval_ms(); }
  DeliveryResult Refresh(const std::vector<AlertRow>& open_alerts) override {
    return channel_->Refresh(open_alerts);
  }

 private:
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<Channel> channel_;
};

using HttpKindFactory = Result<std::unique_ptr<Channel>> (*)(const ChannelSpec&, HttpClient*,
                                                             const Clock*);

HttpKindFactory HttpFactoryOf(std::string_view kind) {
  if (kind == kChannelWebhook) return &NewWebhookChannel;
  if (kind == kChannelSlack) return &NewSlackChannel;
  if (kind == kChannelTeams) return &NewTeamsChannel;
  if (kind == kChannelPagerDuty) return &NewPagerDutyChannel;
  if (kind == kChannelAlertmanager) return &NewAlertmanagerChannel;
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Channel>> OpenChannel(const ChannelSpec& spec, const Clock* clock) {
  if (spec.kind == kChannelEmail) return NewEmailChannel(spec);
  HttpKindFactory factory = HttpFactoryOf(spec.kind);
  if (factory == nullptr) {
    return Status::InvalidArgument("unknown channel kind \"" + spec.kind +
                                   "\" (expected webhook, slack, teams, email, pagerduty or "
                                   "alertmanager)");
  }
  HttpClientOptions options;
  options.connect_timeout_ms = std::min<int64_t>(spec.policy.timeout_ms, 5000);
  options.timeout_ms = spec.policy.timeout_ms;
  options.max_body_bytes = 1 << 20;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, NewCurlHttpClient(options));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Channel> channel, factory(spec, http.get(), clock));
  return std::unique_ptr<Channel>(new WithClient(std::move(http), std::move(channel)));
}

}  // namespace vigil
