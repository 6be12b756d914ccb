// WebhookChannel: the `webhook` kind. POSTs a group as vigil's own JSON,
// version "1", to the channel's URL:
//
//   {"version": "1",
//    "channel": "<channel name>",
//    "tenant": "<tenant name>",          (null for a digest: several tenants)
//    "group_key": "<the group's key>",    (the same on every retry)
//    "digest": false,
//    "notifications": [
//      {"id": "<the notification's idempotency key>",
//       "change": "opened",               (notify/notification.h kChange*)
//       "at": "2026-11-28T21:29:41Z",     (ISO 8601 UTC)
//       "trace_id": "<trace of the analysis that caused it>",
//       "alert": {...}}]}                 (exactly as `vigil alerts --json`
//                                          prints it, alerts/alert_json.h)
//
// Headers:
//   Content-Type: application/json
//   Idempotency-Key: <group key>          a receiver drops a repeat by it
//   X-Vigil-Signature: t=<unix seconds>,v1=<64 hex digits>
//       HMAC-SHA256 keyed with the channel's signing secret over
//       t + "." + body: the scheme of vigil's inbound hooks
//       (http/webhook_signature.h; MatchWebhookSignature checks it). Left
//       out when the channel has no signing secret.
//
// Keys come in the order shown. Text that is not valid UTF-8 is replaced
// (U+FFFD), never fatal. The answer is read as notify/http_delivery.h says.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"
#include "notify/notification.h"

namespace vigil {

inline constexpr std::string_view kWebhookPayloadVersion = "1";
inline constexpr std::string_view kWebhookSignatureOutHeader = "X-Vigil-Signature";
inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";

// The JSON body of `group`, as above.
std::string WebhookBody(const NotificationGroup& group);

// The request for `group`: POST spec.url with the body and headers above,
// signed at `now` (its whole seconds) when spec.signing_secret is set.
HttpRequest BuildWebhookRequest(const ChannelSpec& spec, const NotificationGroup& group,
                                TimeMs now);

// A webhook channel sending through `client` (not owned; outlives the
// channel), reading the time for signatures and Retry-After dates from
// `clock` (likewise). InvalidArgument "webhook channel: url is required",
// "... url must be an http:// or https:// URL", or when client or clock is
// null. The signing secret is optional.
Result<std::unique_ptr<Channel>> NewWebhookChannel(const ChannelSpec& spec, HttpClient* client,
                                                   const Clock* clock);

}  // namespace vigil
