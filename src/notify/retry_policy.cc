#include "notify/retry_policy.h"

#include <algorithm>

namespace vigil {

TimeMs NextAttemptAt(const DeliveryPolicy& policy, int attempt,
                     std::optional<int64_t> retry_after_ms, TimeMs now) {
  int64_t wait = std::max<int64_t>(policy.first_retry_ms, 1);
  for (int i = 1; i < attempt && wait < policy.max_retry_ms; ++i) wait *= 2;
  wait = std::min(wait, policy.max_retry_ms);
  if (retry_after_ms) wait = std::max(wait, *retry_after_ms);
  return now + wait;
}

bool GiveUp(const DeliveryPolicy& policy, TimeMs first_attempt_at, TimeMs now) {
  return now - first_attempt_at >= policy.give_up_ms;
}

double DefaultMaxPerSecond(std::string_view kind) {
  if (kind == kChannelSlack) return 1;
  if (kind == kChannelTeams) return 4;
  if (kind == kChannelPagerDuty) return 2;  // its Events API takes about 120 a minute
  if (kind == kChannelEmail) return 5;
  return 0;  // webhook, alertmanager: the receiver's own limits (429) pace it
}

}  // namespace vigil
