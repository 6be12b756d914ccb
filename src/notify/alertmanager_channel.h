// The `alertmanager` channel: hands vigil's alerts to a Prometheus
// Alertmanager through its API v2, so an MSP that already runs one gets its
// routing, grouping, inhibition and silences for vigil's alerts too.
//
// Alertmanager keeps state, not messages: it holds each alert (identified by
// its label set) as firing until its `endsAt` passes. So this channel posts
// the alerts' current state, whatever change a notification announces:
//
//   POST <url>/api/v2/alerts   (url: ChannelSpec::url, the Alertmanager's base)
//   [{"labels": {"alertname": <alert type>, "tenant": <tenant name>,
//                "type": <alert type>, "subject": <subject id>,
//                "severity": "low" | "medium" | "high" | "critical"},
//     "annotations": {"summary": "<tenant>: <type> <subject name>",
//                     "description": <details JSON, at most
//                                     kAlertmanagerDescriptionBytes>,
//                     "vigil_alert_id": "<alert id>"},
//     "startsAt": <first_seen>, "endsAt": ..., "generatorURL": optional}, ...]
//
//  - An open alert is firing: endsAt = now + firing_for (kAlertmanagerFiringForMs,
//    one hour). Should vigil stop reposting it (vigil down), Alertmanager
//    resolves it by itself an hour later at most, as it does for Prometheus.
//  - A resolved alert is posted with endsAt in the past, which resolves it
//    at once: its resolved_at (the analysis time that resolved it), or now
//    when that is unset or later than now. Alertmanager only honours an
//    endsAt that has passed by its own clock, so the analysis time (normally
//    seconds or minutes ago) also absorbs a small clock skew between vigil and
//    Alertmanager, where "now" would not.
//  - endsAt is never before startsAt (Alertmanager refuses that with 400).
//  - severity is a label, so a severity change makes a new Alertmanager
//    alert: for a severity_changed notification the label set with the
//    previous severity is posted resolved in the same request, so the old one
//    does not stay firing until its endsAt lapses.
//  - Each alert appears once per request (the last notification of an alert
//    in the group decides), in the order of the group.
//  - Times are ISO 8601 in UTC with milliseconds when they have any
//    ("2026-11-28T21:29:41.250Z"), which Alertmanager accepts.
//
// A group goes out as ONE request carrying the group's key in an
// Idempotency-Key header (Alertmanager ignores it; posting the same state
// twice is harmless anyway). The answer is classified by notify/http_delivery.h
// (2xx sent; 429, 5xx or no answer retry, with Retry-After; any other 4xx
// failed). Alertmanager refuses a request with 400 and the reason as its body
// ("at least one label pair required") yet keeps the valid alerts of it.
// Errors name the receiver by its origin only (the URL may carry a user and
// password).
//
// Re-posting firing alerts: Deliver only runs when something changes, so the
// notifier must also call RepostFiring with every open alert of the
// channel's tenants at least every kAlertmanagerRepostEveryMs (firing_for / 3,
// twenty minutes), so two reposts may fail before an alert lapses. Pass the
// open alerts whether acknowledged, snoozed or flapping: Alertmanager must
// mirror what is open, or it would announce a false resolution; muting is
// the job of its silences. RepostFiring keeps those the channel's route
// would have sent as opened or reopened (RouteTakes) and posts them in one
// request (nothing is sent and kSent returned when none is left).
//
// Thread safety: one thread at a time per channel (notify/channel.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"

namespace vigil {

inline constexpr int64_t kAlertmanagerFiringForMs = 3600 * 1000LL;  // one hour
inline constexpr int64_t kAlertmanagerRepostEveryMs = kAlertmanagerFiringForMs / 3;
inline constexpr size_t kAlertmanagerDescriptionBytes = 2048;

struct AlertmanagerPayloadOptions {
  int64_t firing_for_ms = kAlertmanagerFiringForMs;
  // Set: generatorURL = this + the alert id (e.g. "https://vigil.example.com/
  // api/v1/alerts/"); empty: no generatorURL.
  std::string generator_url_prefix;
};

// The JSON array of postable alerts for `alerts` at `now`, as described at
// the top: firing when `state` is open, resolved otherwise. Pure.
std::string AlertmanagerPayload(const std::vector<AlertRow>& alerts, TimeMs now,
                                const AlertmanagerPayloadOptions& options = {});

// The alerts a group posts, in the group's order: each alert once (at its
// last notification), followed by a resolved copy for each other severity
// its severity_changed notifications in the group say it had, resolved at
// that change. Pure.
std::vector<AlertRow> AlertmanagerAlertsOf(const NotificationGroup& group);

class AlertmanagerChannel final : public Channel {
 public:
  // InvalidArgument "alertmanager channel: url is required" when spec.url is
  // empty, "alertmanager channel: url must be an http:// or https:// URL"
  // when it is not one, or when `http` or `clock` is null
  // (notify/http_delivery.h). `http` and `clock` must outlive the channel.
  static Result<std::unique_ptr<AlertmanagerChannel>> Open(const ChannelSpec& spec,
                                                           HttpClient* http, const Clock* clock,
                                                           AlertmanagerPayloadOptions options = {});

  DeliveryResult Deliver(const NotificationGroup& group) override;
  int64_t refresh_interval_ms() const override { return kAlertmanagerRepostEveryMs; }
  DeliveryResult Refresh(const std::vector<AlertRow>& open_alerts) override {
    return RepostFiring(open_alerts);
  }

  // Re-posts the firing ones of `open_alerts` with a fresh endsAt (see the
  // top of this file for how often).
  DeliveryResult RepostFiring(const std::vector<AlertRow>& open_alerts);

 private:
  AlertmanagerChannel(const ChannelSpec& spec, HttpClient* http, const Clock* clock,
                      AlertmanagerPayloadOptions options);
  DeliveryResult Post(const std::vector<AlertRow>& alerts, const std::string& key);

  std::string endpoint_;  // <url>/api/v2/alerts
  Route route_;
  std::optional<int64_t> owner_;
  int64_t channel_id_;
  HttpClient* http_;
  const Clock* clock_;
  AlertmanagerPayloadOptions options_;
};

// The channel of kind "alertmanager" (AlertmanagerChannel::Open).
Result<std::unique_ptr<Channel>> NewAlertmanagerChannel(const ChannelSpec& spec, HttpClient* http,
                                                        const Clock* clock);

}  // namespace vigil
