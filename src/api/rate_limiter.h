// RateLimiter: a token bucket per key (the API token's id): each key may
// make `burst` requests at once and `rate_per_second` on average. A
// refused request learns how long until it would be admitted, for the 429's
// Retry-After header.
//
// Keys idle long enough for their bucket to be full again are forgotten, so
// memory stays bounded by the keys active in the last burst/rate seconds.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"

namespace vigil {

class RateLimiter {
 public:
  // rate_per_second <= 0: every request is admitted.
  RateLimiter(double rate_per_second, int burst, const Clock* clock);

  struct Decision {
    bool admitted = true;
    int64_t retry_after_ms = 0;  // when refused: time until one request is admitted
  };
  Decision Admit(int64_t key);

 private:
  struct Bucket {
    double tokens = 0;
    TimeMs updated_at = 0;
  };
  const double rate_;
  const int burst_;
  const Clock* clock_;
  std::mutex mu_;
  std::unordered_map<int64_t, Bucket> buckets_;
  TimeMs last_sweep_ = 0;
};

}  // namespace vigil
