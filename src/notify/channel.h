// Channel: one destination kind that turns a NotificationGroup into what its
// receiver understands and sends it (notify/channel_kinds.h lists the kinds;
// src/app opens them).
//
// Contract of Deliver:
//  - Sends the group as one message, or as the few requests the receiver's
//    API needs (PagerDuty takes one event per request). A group is delivered
//    whole or retried whole: a receiver must tolerate a repeat, and every
//    request carries the group's or the notification's idempotency key.
//  - kSent when the receiver accepted everything (2xx, SMTP 250).
//  - kRetry when it may work later: no answer (connection refused, timeout),
//    429, 5xx, SMTP 4xx. `retry_after_ms` carries the receiver's Retry-After
//    when it sent one.
//  - kFailed when repeating cannot help: any other 4xx, SMTP 5xx, a message
//    the receiver refused as malformed. Never retried.
//  - `status` is the receiver's HTTP status or SMTP reply code (0 when none
//    arrived); `response` the first kResponsePrefixBytes bytes of its answer;
//    `error` says what went wrong in words, naming the channel's kind and
//    never a secret (no URL path or query, no key).
//
// A channel that handles notifications one by one (open, note, close) -- a
// ticketing system, PagerDuty -- loops over the group's notifications and
// keys each request with the notification's key; Deliver's outcome is then
// the worst of them.
//
// Thread safety: Deliver is called by one thread at a time per Channel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/notification.h"

namespace vigil {

inline constexpr size_t kResponsePrefixBytes = 512;

enum class DeliveryOutcome { kSent, kRetry, kFailed };

std::string_view DeliveryOutcomeName(DeliveryOutcome outcome);  // "sent", "retry", "failed"

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kFailed;
  int status = 0;
  std::string response;
  std::string error;
  std::optional<int64_t> retry_after_ms;
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual DeliveryResult Deliver(const NotificationGroup& group) = 0;

  // A receiver that forgets an alert unless reminded (Alertmanager: a
  // firing alert lapses at its endsAt) says how often it wants every open
  // alert again; 0, the default, for a receiver that keeps what it got.
  virtual int64_t refresh_interval_ms() const { return 0; }
  // Sends `open_alerts` (every open alert of the channel's tenants, snoozed,
  // acknowledged and flapping ones too: the receiver would otherwise take
  // their silence for a resolution) again; the channel applies its route.
  // Called every refresh_interval_ms by the notifier. Default: nothing.
  virtual DeliveryResult Refresh(const std::vector<AlertRow>& open_alerts) {
    (void)open_alerts;
    return {DeliveryOutcome::kSent, 0, "", "", std::nullopt};
  }
};

}  // namespace vigil
