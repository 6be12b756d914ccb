#include "queue/worker.h"

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

// How long a worker thread pauses after a failed Take before the next one.
constexpr std::chrono::milliseconds kTakeErrorPause(200);

// With prefetch: how often the feeder looks for new jobs while its worker
// threads are busy and its last take found the queue empty (a wait in the
// queue would delay reporting the runs that finish meanwhile).
constexpr std::chrono::milliseconds kDrainedPoll(20);

// With prefetch: a worker thread whose last job ran shorter than kShortRun
// takes the next job itself instead of waking another thread for it; the
// feeder wakes an idle thread when jobs wait ahead and none was started for
// kSpreadAfter.
constexpr std::chrono::microseconds kShortRun(50);
constexpr std::chrono::milliseconds kSpreadAfter(1);

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
  if (options_.prefetch < 0) {
    return Status::InvalidArgument(what + ": prefetch must be >= 0 (got " +
                                   std::to_string(options_.prefetch) + ")");
  }
  if (options_.feeders < 1) {
    return Status::InvalidArgument(what + ": feeders must be >= 1 (got " +
                                   std::to_string(options_.feeders) + ")");
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
    if (options_.prefetch > 0) {
      threads_.emplace_back(&Worker::RunPrefetchedThread, this, handlers_[i].get());
    } else {
      threads_.emplace_back(&Worker::RunThread, this, i, handlers_[i].get());
    }
  }
  for (int i = 0; options_.prefetch > 0 && i < options_.feeders; ++i) {
    threads_.emplace_back(&Worker::Feed, this);
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
  work_cv_.notify_all();
  feed_cv_.notify_all();

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
    work_cv_.notify_all();
    feed_cv_.notify_all();
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
    Finished(job, Report(job, RunHandler(handler, job)));
    {
      std::lock_guard<std::mutex> lock(mu_);
      Forget(job);
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

namespace {

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace

template <typename T>
T Worker::WhileTransient(const Job& job, std::string_view event, const std::function<T()>& call) {
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

Result<std::string> Worker::RunHandler(JobHandler* handler, const Job& job) {
  // As the trace's queue.wait span: from due to the start of the lease.
  SeriesOf(job.name).wait->Observe(
      static_cast<double>(std::max<TimeMs>(0, job.started_at - job.due_at)) / 1000.0);
  return WhileTransient<Result<std::string>>(job, "job.transient_error",
                                             [&] { return RunHandlerOnce(handler, job); });
}

bool Worker::StillHolds(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  auto it = running_.find(job.id);
  return it != running_.end() && it->second.token == job.token;
}

Result<std::string> Worker::RunHandlerOnce(JobHandler* handler, const Job& job) {
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

Worker::Reported Worker::CountCompletion(const Status& done) {
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

Worker::Reported Worker::Report(const Job& job, Result<std::string> value) {
  if (!value.ok()) return ReportFailure(job, value.status());
  Status done = WhileTransient<Status>(job, "job.report_retry",
                                       [&] { return queue_->Complete(job, *value); });
  if (done.code() == Code::kInvalidArgument) {
    return ReportFailure(job, done);  // a return value that is not JSON fails the run
  }
  return CountCompletion(done);  // completed, lease lost, or the queue failed
}

Worker::Reported Worker::ReportFailure(const Job& job, const Status& error) {
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

void Worker::Finished(const Job& job, const Reported& reported) const {
  if (options_.on_finished) options_.on_finished(job, reported.end, reported.status);
}

void Worker::Forget(const Job& job) {
  auto it = running_.find(job.id);
  if (it != running_.end() && it->second.token == job.token) running_.erase(it);
}

void Worker::RunPrefetchedThread(JobHandler* handler) {
  const std::string owner = options_.name + "/feed";
  bool last_short = false;  // this thread's last job ran under kShortRun
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] {
      return stopping_ || !ahead_.empty() ||
             (HoldsNothing() && feeding_ == 0 && !waiting_in_queue_);
    });
    if (stopping_) break;  // the feeder gives back the jobs left ahead
    if (ahead_.empty()) {
      // Nothing held: this thread waits in the queue for jobs itself, so
      // the first one runs here without a hand-over from the feeder.
      waiting_in_queue_ = true;
      lock.unlock();
      Result<CompleteAndTakeResult> r = queue_->CompleteAndTake(
          {}, owner, options_.concurrency + options_.prefetch, options_.lease_ms,
          options_.take_wait_ms);
      lock.lock();
      waiting_in_queue_ = false;
      TakeAhead(r, options_.concurrency + options_.prefetch);
      // The feeder is needed now only to take more or to spread jobs over
      // threads; a lone job this thread runs itself (and its completion
      // wakes the feeder), without a second thread waking beside it.
      if (!queue_drained_ || ahead_.size() > 1) feed_cv_.notify_one();
      if (!r.ok() || !r->take_status.ok()) {
        ++stats_.errors;
        cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
      }
      continue;
    }
    Job job = std::move(ahead_.front());
    ahead_.pop_front();
    const Steady::time_point popped = Steady::now();
    last_pop_ = popped;
    auto held = running_.find(job.id);
    if (held == running_.end() || held->second.token != job.token) {
      ++stats_.lease_lost;  // lost while it waited ahead (the keeper saw it): not run
      if (HoldsNothing()) work_cv_.notify_one();
      continue;
    }
    ++running_count_;
    ++in_flight_;
    // Wake one more thread while jobs are left, unless this thread's last
    // job was short: it will be back for the next one before a woken thread
    // would run, so tiny jobs run on few threads (the feeder's kSpreadAfter
    // wakes more if this one turns out long).
    if (!ahead_.empty() && !last_short) work_cv_.notify_one();
    lock.unlock();
    Result<std::string> value = RunHandler(handler, job);
    last_short = Steady::now() - popped < kShortRun;
    if (value.ok()) {
      lock.lock();
      --running_count_;
      done_.push_back({std::move(job), std::move(value).value()});
      feed_cv_.notify_one();
      continue;
    }
    Finished(job, ReportFailure(job, value.status()));
    lock.lock();
    --running_count_;
    --in_flight_;
    Forget(job);
    if (HoldsNothing()) work_cv_.notify_one();  // someone waits in the queue now
    cv_.notify_all();
  }
  ++exited_;
  lock.unlock();
  cv_.notify_all();
  feed_cv_.notify_all();
}

bool Worker::HoldsNothing() const {
  return ahead_.empty() && running_count_ == 0 && done_.empty();
}

void Worker::TakeAhead(const Result<CompleteAndTakeResult>& r, int asked) {
  size_t taken = 0;
  if (r.ok()) {
    taken = r->taken.size();
    for (const Job& job : r->taken) {
      running_[job.id] = job;
      ahead_.push_back(job);
    }
  }
  queue_drained_ = static_cast<int>(taken) < asked;
  if (queue_drained_) look_again_ = Steady::now() + kDrainedPoll;
  if (taken > 0) work_cv_.notify_one();  // it wakes the next one while jobs are left
}

void Worker::Feed() {
  const std::string owner = options_.name + "/feed";
  const int capacity = options_.concurrency + options_.prefetch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopping_ && !ahead_.empty()) {
      std::vector<Job> back(std::make_move_iterator(ahead_.begin()),
                            std::make_move_iterator(ahead_.end()));
      ahead_.clear();
      for (const Job& job : back) Forget(job);
      lock.unlock();
      for (const Job& job : back) {
        Status s = queue_->Release(job);
        if (!s.ok() && s.code() != Code::kFailedPrecondition) {
          std::lock_guard<std::mutex> relock(mu_);
          ++stats_.errors;  // its lease expires and the queue recovers it
        }
      }
      lock.lock();
      continue;
    }
    if (waiting_in_queue_) {  // a worker thread waits in the queue; nothing is held
      feed_cv_.wait(lock);
      continue;
    }
    const int held = static_cast<int>(ahead_.size()) + running_count_;
    const int want = stopping_ ? 0 : std::max(0, capacity - held - feeding_want_);
    if (done_.empty()) {
      if (stopping_) {
        if (running_count_ == 0) break;
        feed_cv_.wait(lock);
        continue;
      }
      // Jobs wait ahead while a thread is idle and none was started for
      // kSpreadAfter (the busy threads run long jobs): wake an idle one.
      const bool waiting_ahead = !ahead_.empty() && running_count_ < options_.concurrency;
      if (waiting_ahead && Steady::now() >= last_pop_ + kSpreadAfter) {
        last_pop_ = Steady::now();
        work_cv_.notify_one();
      }
      const Steady::time_point spread_at = last_pop_ + kSpreadAfter;
      // Full, or idle (a worker thread takes then).
      if (want == 0 || (held == 0 && feeding_ == 0)) {
        if (waiting_ahead) {
          feed_cv_.wait_until(lock, spread_at);
        } else {
          feed_cv_.wait(lock);
        }
        continue;
      }
      if (queue_drained_) {
        feed_cv_.wait_until(lock, waiting_ahead ? std::min(spread_at, look_again_) : look_again_);
        if (Steady::now() >= look_again_) queue_drained_ = false;
        continue;
      }
    }
    std::vector<JobDone> done;
    done.swap(done_);
    ++feeding_;
    feeding_want_ += want;
    lock.unlock();

    Result<CompleteAndTakeResult> r =
        queue_->CompleteAndTake(done, owner, want, options_.lease_ms, /*wait_ms=*/0);
    for (size_t i = 0; i < done.size(); ++i) {
      const Status outcome = r.ok() && i < r->completed.size() ? r->completed[i] : r.status();
      Finished(done[i].job, outcome.code() == Code::kInvalidArgument && r.ok()
                                ? ReportFailure(done[i].job, outcome)  // not JSON: the run fails
                                : CountCompletion(outcome));
    }
    lock.lock();
    --feeding_;
    feeding_want_ -= want;
    for (const JobDone& d : done) Forget(d.job);
    in_flight_ -= static_cast<int>(done.size());
    TakeAhead(r, want);
    if (HoldsNothing()) work_cv_.notify_one();  // a worker thread waits in the queue now
    if (options_.feeders > 1) feed_cv_.notify_all();  // one may wait for this call's end
    cv_.notify_all();
    if (want > 0 && (!r.ok() || !r->take_status.ok())) {
      ++stats_.errors;
      cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
    }
  }
  ++exited_;
  lock.unlock();
  cv_.notify_all();
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
