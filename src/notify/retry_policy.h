// When a delivery that may work later is tried again, and when to stop.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "notify/channel_spec.h"

namespace vigil {

// The next attempt after the `attempt`-th (1 for the first) failed at `now`:
// first_retry_ms, doubling each attempt, at most max_retry_ms; never before
// the receiver's Retry-After when it sent one (however long: the receiver
// knows best; give-up still applies).
TimeMs NextAttemptAt(const DeliveryPolicy& policy, int attempt, std::optional<int64_t> retry_after_ms,
                     TimeMs now);

// Whether retries of a group first attempted at `first_attempt_at` have run
// past the channel's give-up time at `now`.
bool GiveUp(const DeliveryPolicy& policy, TimeMs first_attempt_at, TimeMs now);

// Messages per second a channel of `kind` sends at most when its policy
// says 0: slack 1, teams 4, pagerduty 2, email 5 (what those receivers
// allow); 0, no limit, for webhook and alertmanager, which say 429 when
// they want less.
double DefaultMaxPerSecond(std::string_view kind);

}  // namespace vigil
