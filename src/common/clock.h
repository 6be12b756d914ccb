// Clock: where vigil reads the time. Injected everywhere time matters so that
// analyses can be pinned (`--now`) and tests are deterministic.
// Times are milliseconds since the Unix epoch (UTC) throughout vigil.
#pragma once

#include <cstdint>
#include <memory>

namespace vigil {

using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time in ms since the epoch. Thread-safe for every implementation.
  virtual TimeMs NowMs() const = 0;
};

// The system's wall clock.
std::unique_ptr<Clock> NewSystemClock();

// A clock that always answers `at`: the pinned analysis clock of `--now`.
std::unique_ptr<Clock> NewFixedClock(TimeMs at);

}  // namespace vigil
