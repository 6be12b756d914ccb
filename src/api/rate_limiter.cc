#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace vigil {

RateLimiter::RateLimiter(double rate_per_second, int burst, const Clock* clock)
    : rate_(rate_per_second), burst_(std::max(1, burst)), clock_(clock) {}

RateLimiter::Decision RateLimiter::Admit(int64_t key) {
  Decision decision;
  if (rate_ <= 0) return decision;
  const TimeMs now = clock_->NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  // Forget buckets that have refilled completely: they behave as new ones.
  const int64_t refill_ms = static_cast<int64_t>(std::ceil(burst_ * 1000.0 / rate_));
  if (now - last_sweep_ > refill_ms) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      it = now - it->second.updated_at >= refill_ms ? buckets_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now});
  Bucket& bucket = it->second;
  if (!fresh && now > bucket.updated_at) {
    bucket.tokens = std::min<double>(burst_, bucket.tokens + (now - bucket.updated_at) * rate_ / 1000.0);
    bucket.updated_at = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return decision;
  }
  decision.admitted = false;
  decision.retry_after_ms = static_cast<int64_t>(std::ceil((1 - bucket.tokens) * 1000.0 / rate_));
  return decision;
}

}  // namespace vigil
