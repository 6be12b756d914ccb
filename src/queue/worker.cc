#include "queue/worker.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

// How long a worker thread pauses after a failed Take before the next one.
constexpr std::chrono::milliseconds kTakeErrorPause(200);

}  // namespace

Worker::Worker(Queue* queue, std::function<Result<std::unique_ptr<JobHandler>>()> make_handler,
               WorkerOptions options, const Clock* clock)
    : queue_(queue),
      make_handler_(std::move(make_handler)),
      options_(std::move(options)),
      clock_(clock) {}

Worker::~Worker() {
  (void)Stop(0);
  JoinWorkers();
}

Status Worker::Start() {
  const std::string what = "worker " + options_.name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return Status::FailedPrecondition(what + ": already started");
  }
  if (queue_ == nullptr || !make_handler_) {
    return Status::InvalidArgument(what + ": no queue or no handler factory");
  }
  if (options_.concurrency < 1) {
    return Status::InvalidArgument(what + ": concurrency must be >= 1 (got " +
                                   std::to_string(options_.concurrency) + ")");
  }
  if (options_.lease_ms <= 0 || options_.take_wait_ms <= 0 || options_.stalled_check_ms <= 0) {
    return Status::InvalidArgument(what +
                                   ": lease_ms, take_wait_ms and stalled_check_ms must be > 0");
  }
  std::vector<std::unique_ptr<JobHandler>> handlers;
  for (int i = 0; i < options_.concurrency; ++i) {
    Result<std::unique_ptr<JobHandler>> handler = make_handler_();
    if (!handler.ok()) {
      return handler.status().Prefixed(what + ": making handler " + std::to_string(i + 1) + " of " +
                                       std::to_string(options_.concurrency));
    }
    if (*handler == nullptr) {
      return Status::InvalidArgument(what + ": the handler factory returned no handler");
    }
    handlers.push_back(std::move(handler).value());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    handlers_ = std::move(handlers);
  }
  for (int i = 0; i < options_.concurrency; ++i) {
    threads_.emplace_back(&Worker::RunThread, this, i, handlers_[i].get());
  }
  keeper_ = std::thread(&Worker::KeepLeases, this);
  return Status::Ok();
}

int Worker::Stop(int64_t drain_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_ || stopped_) return 0;
  stopped_ = true;
  stopping_ = true;
  lock.unlock();
  queue_->WakeAll();
  cv_.notify_all();

  lock.lock();
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(drain_ms);
  cv_.wait_until(lock, deadline, [&] { return in_flight_ == 0; });
  const int abandoned = in_flight_;
  keeper_stopping_ = true;
  lock.unlock();
  cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  // With nothing abandoned every thread is leaving; otherwise the destructor
  // waits for the abandoned handlers.
  if (abandoned == 0) JoinWorkers();
  return abandoned;
}

Worker::Stats Worker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Worker::JoinWorkers() {
  std::unique_lock<std::mutex> lock(mu_);
  const int threads = static_cast<int>(threads_.size());
  // A Take that began just after Stop's WakeAll would wait out its
  // take_wait_ms: wake again until every thread is out of its loop.
  while (exited_ < threads) {
    lock.unlock();
    queue_->WakeAll();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return exited_ >= threads; });
  }
  lock.unlock();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Worker::RunThread(int index, JobHandler* handler) {
  const std::string owner = options_.name + "/" + std::to_string(index);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    Result<std::optional<Job>> taken =
        queue_->Take(owner, options_.lease_ms, options_.take_wait_ms);
    if (!taken.ok()) {
      std::unique_lock<std::mutex> lock(mu_);
      ++stats_.errors;
      cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
      continue;
    }
    if (!taken->has_value()) continue;
    const Job& job = **taken;
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_[job.id] = job;
      ++in_flight_;
    }
    Status outcome = RunOne(handler, job);
    if (options_.on_finished) options_.on_finished(job, outcome);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = running_.find(job.id);
      if (it != running_.end() && it->second.token == job.token) running_.erase(it);
      --in_flight_;
    }
    cv_.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++exited_;
  }
  cv_.notify_all();
}

Status Worker::RunOne(JobHandler* handler, const Job& job) {
  Result<std::string> value = Status::Internal("job not run");
  try {
    value = handler->Run(job);
  } catch (const std::exception& e) {
    value = Status::Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    value = Status::Internal("handler threw an exception of an unknown type");
  }

  Status outcome = value.ok() ? Status::Ok() : value.status();
  if (value.ok()) {
    Status done = queue_->Complete(job, *value);
    if (done.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.completed;
      return done;
    }
    if (done.code() != Code::kInvalidArgument) {  // lease lost, or the queue failed
      std::lock_guard<std::mutex> lock(mu_);
      ++(done.code() == Code::kFailedPrecondition ? stats_.lease_lost : stats_.errors);
      return done;
    }
    outcome = done;  // a return value that is not JSON fails the run
  }

  Result<FailResult> failed = queue_->Fail(job, outcome.message());
  std::lock_guard<std::mutex> lock(mu_);
  if (!failed.ok()) {
    ++(failed.status().code() == Code::kFailedPrecondition ? stats_.lease_lost : stats_.errors);
    return failed.status();
  }
  ++(failed->will_retry ? stats_.retried : stats_.failed);
  return outcome;
}

void Worker::KeepLeases() {
  const auto extend_every = std::chrono::milliseconds(std::max<int64_t>(1, options_.lease_ms / 3));
  const auto recover_every = std::chrono::milliseconds(options_.stalled_check_ms);
  Steady::time_point next_extend = Steady::now() + extend_every;
  Steady::time_point next_recover = Steady::now() + recover_every;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_until(lock, std::min(next_extend, next_recover), [&] { return keeper_stopping_; });
    if (keeper_stopping_) return;
    const Steady::time_point now = Steady::now();
    if (now >= next_extend) {
      next_extend = now + extend_every;
      std::vector<Job> jobs;
      for (const auto& [id, job] : running_) jobs.push_back(job);
      lock.unlock();
      for (const Job& job : jobs) {
        Status s = queue_->ExtendLease(job, options_.lease_ms);
        if (s.ok()) continue;
        std::lock_guard<std::mutex> relock(mu_);
        if (s.code() != Code::kFailedPrecondition) {
          ++stats_.errors;
          continue;
        }
        // Lost: stop extending it; its Complete or Fail will be refused.
        auto it = running_.find(job.id);
        if (it != running_.end() && it->second.token == job.token) running_.erase(it);
      }
      lock.lock();
    }
    if (now >= next_recover) {
      next_recover = now + recover_every;
      lock.unlock();
      Result<int> moved = queue_->RecoverStalled();
      lock.lock();
      if (!moved.ok()) ++stats_.errors;
    }
  }
}

}  // namespace vigil
