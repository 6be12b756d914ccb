#include "queue/primary_health.h"

#include <algorithm>

#include "observe/log.h"

namespace vigil {

PrimaryHealth::PrimaryHealth(PrimaryHealthOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

bool PrimaryHealth::StartProbe() {
  if (probing_ || state_ == State::kUp) return false;
  if (state_ == State::kDown && clock_->NowMs() < next_probe_) return false;
  probing_ = true;
  return true;
}

void PrimaryHealth::ProbeDone(const Status& outcome) {
  probing_ = false;
  const TimeMs now = clock_->NowMs();
  if (state_ == State::kUnknown) {
    if (outcome.ok()) {
      state_ = State::kUp;
      ++epoch_;
    } else {
      GoDown(outcome, now);
    }
    return;
  }
  if (state_ != State::kDown) return;
  if (!outcome.ok()) {
    successes_ = 0;
    backoff_ms_ = std::min(backoff_ms_ * 2, std::max(options_.max_retry_ms, options_.retry_ms));
    next_probe_ = now + backoff_ms_;
    return;
  }
  if (++successes_ < options_.up_after) {
    next_probe_ = now + options_.retry_ms;
    return;
  }
  state_ = State::kUp;
  ++epoch_;
  ++changes_;
  Log(LogLevel::kInfo, "queue.primary_up",
      {{"queue", options_.label}, {"down_ms", int64_t{now - down_since_}}, {"probes", successes_}});
}

void PrimaryHealth::Note(const Status& outcome, uint64_t epoch) {
  if (epoch != epoch_ || state_ != State::kUp) return;
  if (outcome.code() == Code::kUnavailable) GoDown(outcome, clock_->NowMs());
}

void PrimaryHealth::GoDown(const Status& cause, TimeMs now) {
  if (state_ == State::kUp) ++changes_;
  state_ = State::kDown;
  ++epoch_;
  successes_ = 0;
  backoff_ms_ = options_.retry_ms;
  next_probe_ = now + options_.retry_ms;
  down_since_ = now;
  last_error_ = cause.message();
  Log(LogLevel::kWarn, "queue.primary_down",
      {{"queue", options_.label},
       {"error", last_error_},
       {"note", "jobs go to the " + options_.fallback_label + " queue meanwhile"}});
}

}  // namespace vigil
