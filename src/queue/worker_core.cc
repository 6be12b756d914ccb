#include "queue/worker_core.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <unordered_map>
#include <utility>

#include "observe/log.h"
#include "observe/metrics.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

// The process registry's series of the jobs called one name:
// vigil_job_wait_seconds{name} (from due to the start of its lease) and
// vigil_job_duration_seconds{name,outcome} (the handler's run; outcome "ok"
// or "error"). Looked up once per thread and job name, so a run takes no
// lock (job names are few: sync, analyze).
struct JobSeries {
  Histogram* wait = nullptr;
  Histogram* ok = nullptr;
  Histogram* error = nullptr;
};

const JobSeries& SeriesOf(const std::string& name) {
  thread_local std::unordered_map<std::string, JobSeries> series;
  auto it = series.find(name);
  if (it != series.end()) return it->second;
  MetricsRegistry* metrics = DefaultMetrics();
  auto duration = [&](const char* outcome) {
    return metrics->GetHistogram("vigil_job_duration_seconds",
                                 "Run time of jobs, by job name and outcome", DurationBuckets(),
                                 {{"name", name}, {"outcome", outcome}});
  };
  JobSeries made;
  made.wait = metrics->GetHistogram("vigil_job_wait_seconds",
                                    "Time jobs waited from due to their start, by job name",
                                    DurationBuckets(), {{"name", name}});
  made.ok = duration("ok");
  made.error = duration("error");
  return series.emplace(name, made).first->second;
}

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace

WorkerCore::WorkerCore(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
                       const Clock* clock)
    : queue_(queue),
      options_(std::move(options)),
      clock_(clock),
      make_handler_(std::move(make_handler)) {}

WorkerCore::~WorkerCore() = default;

Status WorkerCore::MakeHandlers(std::vector<std::unique_ptr<JobHandler>>* handlers) const {
  const std::string what = "worker " + options_.name;
  if (queue_ == nullptr || !make_handler_) {
    return Status::InvalidArgument(what + ": no queue or no handler factory");
  }
  auto at_least = [&](const char* field, int64_t value, int64_t least) {
    return Status::InvalidArgument(what + ": " + field + " must be >= " + std::to_string(least) +
                                   " (got " + std::to_string(value) + ")");
  };
  if (options_.concurrency < 1) return at_least("concurrency", options_.concurrency, 1);
  if (options_.prefetch < 0) return at_least("prefetch", options_.prefetch, 0);
  if (options_.feeders < 1) return at_least("feeders", options_.feeders, 1);
  if (options_.lease_ms <= 0 || options_.take_wait_ms <= 0 || options_.stalled_check_ms <= 0) {
    return Status::InvalidArgument(what +
                                   ": lease_ms, take_wait_ms and stalled_check_ms must be > 0");
  }
  for (int i = 0; i < options_.concurrency; ++i) {
    Result<std::unique_ptr<JobHandler>> handler = make_handler_();
    if (!handler.ok()) {
      return handler.status().Prefixed(what + ": making handler " + std::to_string(i + 1) + " of " +
                                       std::to_string(options_.concurrency));
    }
    if (*handler == nullptr) {
      return Status::InvalidArgument(what + ": the handler factory returned no handler");
    }
    handlers->push_back(std::move(handler).value());
  }
  return Status::Ok();
}

Status WorkerCore::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_)
      return Status::FailedPrecondition("worker " + options_.name + ": already started");
  }
  std::vector<std::unique_ptr<JobHandler>> handlers;
  VIGIL_RETURN_IF_ERROR(MakeHandlers(&handlers));
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;
    handlers_ = std::move(handlers);
  }
  StartThreads();
  keeper_ = std::thread(&WorkerCore::KeepLeases, this);
  return Status::Ok();
}

int WorkerCore::Stop(int64_t drain_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_ || stopped_) return 0;
  stopped_ = true;
  stopping_ = true;
  lock.unlock();
  queue_->WakeAll();
  cv_.notify_all();
  WakeThreads();

  lock.lock();
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(drain_ms);
  cv_.wait_until(lock, deadline, [&] { return in_flight_ == 0; });
  const int abandoned = in_flight_;
  keeper_stopping_ = true;
  lock.unlock();
  cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  // With nothing abandoned every thread is leaving; otherwise Shutdown
  // waits for the abandoned handlers.
  if (abandoned == 0) JoinThreads();
  return abandoned;
}

void WorkerCore::Shutdown() {
  (void)Stop(0);
  JoinThreads();
}

WorkerStats WorkerCore::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void WorkerCore::JoinThreads() {
  std::unique_lock<std::mutex> lock(mu_);
  const int threads = static_cast<int>(threads_.size());
  // A take that began just after Stop's WakeAll would wait out its
  // take_wait_ms: wake again until every thread is out of its loop.
  while (exited_ < threads) {
    lock.unlock();
    queue_->WakeAll();
    WakeThreads();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return exited_ >= threads; });
  }
  lock.unlock();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

template <typename T>
T WorkerCore::WhileTransient(const Job& job, std::string_view event,
                             const std::function<T()>& call) {
  T result = call();
  if (result.ok() || StatusOf(result).code() != Code::kUnavailable ||
      options_.transient_budget_ms <= 0) {
    return result;
  }
  const Steady::time_point give_up =
      Steady::now() + std::chrono::milliseconds(options_.transient_budget_ms);
  int64_t pause_ms = std::max<int64_t>(1, options_.transient_pause_ms);
  while (!result.ok() && StatusOf(result).code() == Code::kUnavailable &&
         Steady::now() + std::chrono::milliseconds(pause_ms) < give_up && StillHolds(job)) {
    Log(LogLevel::kWarn, event,
        {{"job", job.id},
         {"name", job.name},
         {"attempt", job.attempt},
         {"error", StatusOf(result).message()},
         {"retry_in_ms", pause_ms}});
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(pause_ms), [&] { return stopping_; });
      if (stopping_) break;
    }
    pause_ms = std::min(pause_ms * 2, std::max<int64_t>(1, options_.transient_max_pause_ms));
    result = call();
  }
  return result;
}

template Status WorkerCore::WhileTransient<Status>(const Job&, std::string_view,
                                                   const std::function<Status()>&);

Result<std::string> WorkerCore::RunHandler(JobHandler* handler, const Job& job) {
  // As the trace's queue.wait span: from due to the start of the lease.
  SeriesOf(job.name).wait->Observe(
      static_cast<double>(std::max<TimeMs>(0, job.started_at - job.due_at)) / 1000.0);
  return WhileTransient<Result<std::string>>(job, "job.transient_error",
                                             [&] { return RunHandlerOnce(handler, job); });
}

bool WorkerCore::StillHolds(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  return !stopping_ && Holds(job);
}

Result<std::string> WorkerCore::RunHandlerOnce(JobHandler* handler, const Job& job) {
  const JobSeries& series = SeriesOf(job.name);
  const Steady::time_point run_start = Steady::now();
  Result<std::string> value = [&]() -> Result<std::string> {
    try {
      return handler->Run(job);
    } catch (const std::exception& e) {
      return Status::Internal(std::string("handler threw: ") + e.what());
    } catch (...) {
      return Status::Internal("handler threw an exception of an unknown type");
    }
  }();
  const double seconds = std::chrono::duration<double>(Steady::now() - run_start).count();
  (value.ok() ? series.ok : series.error)->Observe(seconds);
  return value;
}

WorkerCore::Reported WorkerCore::CountCompletion(const Status& done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done.ok()) {
    ++stats_.completed;
    return {RunEnd::kCompleted, done};
  }
  if (done.code() == Code::kFailedPrecondition) {
    ++stats_.lease_lost;
    return {RunEnd::kLeaseLost, done};
  }
  ++stats_.errors;
  return {RunEnd::kQueueError, done};
}

WorkerCore::Reported WorkerCore::Report(const Job& job, Result<std::string> value) {
  if (!value.ok()) return ReportFailure(job, value.status());
  Status done = WhileTransient<Status>(job, "job.report_retry",
                                       [&] { return queue_->Complete(job, *value); });
  if (done.code() == Code::kInvalidArgument) {
    return ReportFailure(job, done);  // a return value that is not JSON fails the run
  }
  return CountCompletion(done);  // completed, lease lost, or the queue failed
}

WorkerCore::Reported WorkerCore::ReportFailure(const Job& job, const Status& error) {
  Result<FailResult> failed = WhileTransient<Result<FailResult>>(
      job, "job.report_retry", [&] { return queue_->Fail(job, error.message()); });
  std::lock_guard<std::mutex> lock(mu_);
  if (!failed.ok()) {
    if (failed.status().code() == Code::kFailedPrecondition) {
      ++stats_.lease_lost;
      return {RunEnd::kLeaseLost, failed.status()};
    }
    ++stats_.errors;
    return {RunEnd::kQueueError, failed.status()};
  }
  ++(failed->will_retry ? stats_.retried : stats_.failed);
  return {RunEnd::kFailed, error};
}

void WorkerCore::Finished(const Job& job, const Reported& reported) const {
  if (options_.on_finished) options_.on_finished(job, reported.end, reported.status);
}

void WorkerCore::Hold(const Job& job) { running_[job.id] = job; }

void WorkerCore::Forget(const Job& job) {
  auto it = running_.find(job.id);
  if (it != running_.end() && it->second.token == job.token) running_.erase(it);
}

bool WorkerCore::Holds(const Job& job) const {
  auto it = running_.find(job.id);
  return it != running_.end() && it->second.token == job.token;
}

void WorkerCore::KeepLeases() {
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
      ExtendLeases(lock);
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

void WorkerCore::ExtendLeases(std::unique_lock<std::mutex>& lock) {
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
    Forget(job);  // lost: its Complete or Fail will be refused
  }
  lock.lock();
}

}  // namespace vigil
