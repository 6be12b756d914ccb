// HttpDelivery: what the HTTP channel kinds (webhook, Slack, Teams,
// PagerDuty) share: checking a channel's URL, and sending one request to the
// receiver and reading its answer as notify/channel.h's contract says, so a
// kind only builds its message.
//
// How an answer is read (ClassifyHttpAnswer):
//   2xx                  kSent
//   429, 5xx             kRetry; retry_after_ms from a Retry-After header
//                        (seconds, or an HTTP date taken relative to `now`)
//   other statuses       kFailed (1xx, a redirect -- none is followed --, any
//                        other 4xx)
//   no answer            kRetry (HttpClient's Unavailable: refused, timed
//                        out, broken mid-body)
//   any other error      kFailed (a request curl refuses, a body above the
//                        client's limit: repeating cannot help)
// `status` is the HTTP status (0 without an answer), `response` the first
// bytes of the body (ResponsePrefix), `error` (empty when sent) e.g.
//   "slack: https://hooks.slack.com answered HTTP 404"
//   "webhook: no answer from http://127.0.0.1:9: could not connect: ..."
// A receiver is named by its origin only (ReceiverOrigin): a channel's URL path
// or query may be its secret (Slack's and Teams' are), so they never appear.
//
// Pure functions except DeliverHttp; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "notify/channel.h"

namespace vigil {

// OK when `url` is an http:// or https:// URL with a host; otherwise
// InvalidArgument "<kind> channel: url must be an http:// or https:// URL"
// (the URL itself is not repeated: it may be a secret).
Status CheckChannelUrl(std::string_view kind, std::string_view url);

// InvalidArgument "<kind> channel: url is required" when `url` is empty;
// CheckChannelUrl's answer otherwise.
Status CheckRequiredUrl(std::string_view kind, std::string_view url);

// InvalidArgument "<kind> channel: an HTTP client and a clock are required"
// when either is null: what every HTTP kind's factory checks first.
Status CheckHttpChannelDeps(std::string_view kind, const HttpClient* client, const Clock* clock);

// Scheme, host and port of `url` ("https://hooks.slack.com",
// "http://127.0.0.1:8080"), without user info, path, query or fragment.
std::string ReceiverOrigin(std::string_view url);

// The wait a Retry-After value asks for, in ms from `now`: delta-seconds
// ("120"), or an HTTP date -- IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT")
// or the obsolete RFC 850 and asctime forms. A date in the past gives 0.
// nullopt for anything else.
std::optional<int64_t> ParseRetryAfter(std::string_view value, TimeMs now);

// The first kResponsePrefixBytes bytes of `body`, cut back so that no UTF-8
// character is split (the delivery log stores it as text).
std::string ResponsePrefix(std::string_view body);

// The DeliveryResult of `answer`, the answer to `request`, for a channel of
// `kind` (see the top of this file). `now` dates a Retry-After given as a date.
DeliveryResult ClassifyHttpAnswer(std::string_view kind, const HttpRequest& request,
                                  const Result<HttpResponse>& answer, TimeMs now);

// Sends `request` through `client` and classifies the answer at clock's now.
DeliveryResult DeliverHttp(std::string_view kind, HttpClient* client, const Clock& clock,
                           const HttpRequest& request);

// A JSON POST of `body` to `url` (Content-Type: application/json).
HttpRequest JsonPost(std::string url, std::string body);

}  // namespace vigil
