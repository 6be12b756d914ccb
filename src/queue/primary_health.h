// PrimaryHealth: whether FailoverQueue (queue/failover_queue.h) may use its
// primary backend (Redis) now, decided so that a server that stalls is
// dropped at once and one that comes back is taken up again only once it
// has stayed back:
//
//   unknown --first open works--> up
//   unknown --first open fails--> down
//   up      --a call answers Unavailable (refused, reset, no answer within
//             the timeout)--> down
//   down    --up_after consecutive probes work--> up
//
// While down nothing but probes goes to the primary: one caller at a time
// probes (StartProbe/ProbeDone), the first retry_ms after the fall; a probe
// that fails doubles the delay to the next one (up to max_retry_ms), one
// that works schedules the next after retry_ms. Outcomes of calls made
// before the last change of state (an older epoch) are ignored, so a call
// that was slow to fail does not take the primary down again after it came
// back.
//
// Each change of state is logged once: a warning "queue.primary_down" with
// the cause, an info "queue.primary_up" with how long it was down.
//
// Thread safety: none; FailoverQueue calls it under its mutex. `clock` must
// outlive it.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

struct PrimaryHealthOptions {
  std::string label = "redis";           // the primary, in logs
  std::string fallback_label = "local";  // where jobs go meanwhile, in logs
  int64_t retry_ms = 1000;               // first probe after the fall; spacing of probes that work
  int64_t max_retry_ms = 8000;           // failed probes back off up to this
  int up_after = 3;                      // consecutive probes that must work before it is up
};

class PrimaryHealth {
 public:
  enum class State { kUnknown, kUp, kDown };

  PrimaryHealth(PrimaryHealthOptions options, const Clock* clock);

  State state() const { return state_; }
  bool up() const { return state_ == State::kUp; }
  // Changes with every change of state.
  uint64_t epoch() const { return epoch_; }
  // Why it went down last; empty until it did.
  const std::string& last_error() const { return last_error_; }
  // How many times the state changed (unknown -> up counts as none).
  int64_t changes() const { return changes_; }

  // True when the caller is to probe now: unknown, or down with a probe due,
  // and no probe under way. The caller then probes and calls ProbeDone.
  bool StartProbe();
  bool probing() const { return probing_; }
  // Records the outcome of the probe StartProbe handed out.
  void ProbeDone(const Status& outcome);

  // Records the outcome of a call to the primary made in `epoch`: while up,
  // Unavailable takes it down; anything else changes nothing.
  void Note(const Status& outcome, uint64_t epoch);

 private:
  void GoDown(const Status& cause, TimeMs now);

  const PrimaryHealthOptions options_;
  const Clock* clock_;
  State state_ = State::kUnknown;
  uint64_t epoch_ = 0;
  int64_t changes_ = 0;
  bool probing_ = false;
  int successes_ = 0;       // consecutive probes that worked while down
  int64_t backoff_ms_ = 0;  // delay after the last failed probe
  TimeMs next_probe_ = 0;
  TimeMs down_since_ = 0;
  std::string last_error_;
};

}  // namespace vigil
