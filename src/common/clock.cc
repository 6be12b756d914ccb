#include "common/clock.h"

#include <chrono>

namespace vigil {
namespace {

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimeMs at) : at_(at) {}
  TimeMs NowMs() const override { return at_; }

 private:
  TimeMs at_;
};

}  // namespace

std::unique_ptr<Clock> NewSystemClock() { return std::make_unique<SystemClock>(); }
std::unique_ptr<Clock> NewFixedClock(TimeMs at) { return std::make_unique<FixedClock>(at); }

}  // namespace vigil
