// Webhook signatures: how a sender proves that a POST /hooks/{source_id}
// comes from someone who holds the data source's webhook secret
// (store/webhook_store.h), and when. vigil signs its own outbound webhook
// messages the same way (notify/webhook_channel.h, header X-Vigil-Signature,
// keyed with the channel's signing secret), so a receiver checks them with
// the functions below.
//
// The sender sends the header
//
//   Vigil-Signature: t=<unix seconds>,v1=<64 hex digits>
//
// where v1 is HMAC-SHA256, keyed with the secret exactly as `vigil webhook
// secret` printed it (its 64 characters), over `t + "." + body`. Parts are
// separated by commas and may come in any order; several v1= parts are
// allowed (a sender rotating secrets signs with both) and any one may match;
// unknown parts (a future v2=) are ignored. Spaces around parts are ignored.
//
// Comparisons run in constant time (sodium_memcmp), so a mismatch reveals
// nothing about where the signatures differ.
//
// Pure functions; thread-safe (libsodium is initialised on first use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigil {

// The header names a sender uses (HTTP header names are case-insensitive;
// ApiRequest holds them lower-cased).
inline constexpr std::string_view kWebhookSignatureHeader = "Vigil-Signature";
inline constexpr std::string_view kWebhookDeliveryHeader = "Vigil-Delivery";

struct WebhookSignature {
  int64_t timestamp = 0;        // t=, unix seconds
  std::vector<std::string> v1;  // every v1= value, as 64 lower-case hex digits
};

// Parses a Vigil-Signature header value. InvalidArgument saying what is
// wrong: "no t= timestamp", "t=...: not a unix time in seconds", "more than
// one t=", "no v1= signature", "v1=...: expected 64 hex digits".
Result<WebhookSignature> ParseWebhookSignature(std::string_view header);

// HMAC-SHA256 of `timestamp + "." + body` keyed with `secret`, as 64
// lower-case hex digits.
std::string ComputeWebhookSignature(std::string_view secret, int64_t timestamp,
                                    std::string_view body);

// The header value a sender sends: "t=<timestamp>,v1=<signature>".
std::string WebhookSignatureHeaderValue(std::string_view secret, int64_t timestamp,
                                        std::string_view body);

// The v1 value of `signature` that matches `body` under `secret` (the first
// one, comparing each in constant time), or nullopt when none does.
std::optional<std::string> MatchWebhookSignature(const WebhookSignature& signature,
                                                 std::string_view secret, std::string_view body);

}  // namespace vigil
