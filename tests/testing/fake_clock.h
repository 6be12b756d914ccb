// FakeClock: a Clock the test sets by hand (tests only). Thread-safe.
#pragma once

#include <atomic>

#include "common/clock.h"

namespace vigil::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(TimeMs now) : now_(now) {}
  TimeMs NowMs() const override { return now_.load(); }
  void Set(TimeMs now) { now_.store(now); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace vigil::testing
