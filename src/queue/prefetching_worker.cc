#include "queue/prefetching_worker.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

// How long a thread pauses after a failed take before the next one.
constexpr std::chrono::milliseconds kTakeErrorPause(200);

// How often the feeders look for new jobs while the worker threads are
// busy and the last take found the queue empty (a wait in the queue would
// delay reporting the runs that finish meanwhile).
constexpr std::chrono::milliseconds kDrainedPoll(20);

// A worker thread whose last job ran shorter than kShortRun takes the next
// job itself instead of waking another thread for it; the feeders wake an
// idle thread when jobs wait ahead and none was started for kSpreadAfter.
constexpr std::chrono::microseconds kShortRun(50);
constexpr std::chrono::milliseconds kSpreadAfter(1);

}  // namespace

PrefetchingWorker::PrefetchingWorker(Queue* queue, JobHandlerFactory make_handler,
                                     WorkerOptions options, const Clock* clock)
    : WorkerCore(queue, std::move(make_handler), std::move(options), clock),
      owner_(options_.name + "/feed"),
      capacity_(std::max(options_.concurrency, options_.prefetch)) {}

PrefetchingWorker::~PrefetchingWorker() { Shutdown(); }

void PrefetchingWorker::StartThreads() {
  for (int i = 0; i < options_.concurrency; ++i) {
    threads_.emplace_back(&PrefetchingWorker::RunThread, this, handlers_[i].get());
  }
  for (int i = 0; i < options_.feeders; ++i) threads_.emplace_back(&PrefetchingWorker::Feed, this);
}

void PrefetchingWorker::WakeThreads() {
  work_cv_.notify_all();
  feed_cv_.notify_all();
}

bool PrefetchingWorker::HoldsNothing() const {
  return ahead_.empty() && running_count_ == 0 && done_.empty();
}

void PrefetchingWorker::TakeAhead(const Result<CompleteAndTakeResult>& r, int asked) {
  size_t taken = 0;
  if (r.ok()) {
    taken = r->taken.size();
    for (const Job& job : r->taken) {
      Hold(job);
      ahead_.push_back(job);
    }
  }
  queue_drained_ = static_cast<int>(taken) < asked;
  if (queue_drained_) look_again_ = Steady::now() + kDrainedPoll;
  if (taken > 0) work_cv_.notify_one();  // it wakes the next one while jobs are left
}

// ---- worker threads ----

void PrefetchingWorker::RunThread(JobHandler* handler) {
  bool last_short = false;  // this thread's last job ran under kShortRun
  Lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] {
      return stopping_ || !ahead_.empty() ||
             (HoldsNothing() && feeding_ == 0 && !waiting_in_queue_);
    });
    if (stopping_) break;  // the feeders give back the jobs left ahead
    if (ahead_.empty()) {
      WaitInQueue(lock);
    } else {
      RunNextAhead(lock, handler, &last_short);
    }
  }
  ++exited_;
  lock.unlock();
  cv_.notify_all();
  feed_cv_.notify_all();
}

void PrefetchingWorker::WaitInQueue(Lock& lock) {
  // Nothing held: this thread waits in the queue for jobs itself, so the
  // first one runs here without a hand-over from a feeder.
  waiting_in_queue_ = true;
  lock.unlock();
  Result<CompleteAndTakeResult> r =
      queue_->CompleteAndTake({}, owner_, capacity_, options_.lease_ms, options_.take_wait_ms);
  lock.lock();
  waiting_in_queue_ = false;
  TakeAhead(r, capacity_);
  // A feeder is needed now only to take more or to spread jobs over
  // threads; a lone job this thread runs itself (and its completion wakes
  // a feeder), without a second thread waking beside it.
  if (!queue_drained_ || ahead_.size() > 1) feed_cv_.notify_one();
  if (!r.ok() || !r->take_status.ok()) {
    ++stats_.errors;
    cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
  }
}

void PrefetchingWorker::RunNextAhead(Lock& lock, JobHandler* handler, bool* last_short) {
  Job job = std::move(ahead_.front());
  ahead_.pop_front();
  const Steady::time_point popped = Steady::now();
  last_pop_ = popped;
  if (!Holds(job)) {
    ++stats_.lease_lost;  // lost while it waited ahead (the keeper saw it): not run
    if (HoldsNothing()) work_cv_.notify_one();
    return;
  }
  ++running_count_;
  ++in_flight_;
  // Wake one more thread while jobs are left, unless this thread's last job
  // was short: it will be back for the next one before a woken thread would
  // run, so tiny jobs run on few threads (a feeder wakes more after
  // kSpreadAfter if this one turns out long).
  if (!ahead_.empty() && !*last_short) work_cv_.notify_one();
  lock.unlock();
  Result<std::string> value = RunHandler(handler, job);
  *last_short = Steady::now() - popped < kShortRun;
  if (value.ok()) {
    lock.lock();
    --running_count_;
    done_.push_back({std::move(job), std::move(value).value()});
    feed_cv_.notify_one();
    return;
  }
  Finished(job, ReportFailure(job, value.status()));
  lock.lock();
  --running_count_;
  --in_flight_;
  Forget(job);
  if (HoldsNothing()) work_cv_.notify_one();  // someone waits in the queue now
  cv_.notify_all();
}

// ---- feeders ----

void PrefetchingWorker::Feed() {
  Lock lock(mu_);
  for (;;) {
    if (stopping_ && !ahead_.empty()) {
      GiveBackAhead(lock);
      continue;
    }
    if (waiting_in_queue_) {  // a worker thread waits in the queue; nothing is held
      feed_cv_.wait(lock);
      continue;
    }
    const int want = WantMore();
    if (done_.empty()) {
      if (stopping_) {
        if (running_count_ == 0) break;
        feed_cv_.wait(lock);
        continue;
      }
      if (IdleUntilNeeded(lock, want)) continue;
    }
    RoundTrip(lock, want);
  }
  ++exited_;
  lock.unlock();
  cv_.notify_all();
}

void PrefetchingWorker::GiveBackAhead(Lock& lock) {
  std::vector<Job> back(std::make_move_iterator(ahead_.begin()),
                        std::make_move_iterator(ahead_.end()));
  ahead_.clear();
  for (const Job& job : back) Forget(job);
  lock.unlock();
  int errors = 0;
  for (const Job& job : back) {
    Status s = queue_->Release(job);
    // On failure its lease expires and the queue recovers it.
    if (!s.ok() && s.code() != Code::kFailedPrecondition) ++errors;
  }
  lock.lock();
  stats_.errors += errors;
}

int PrefetchingWorker::WantMore() const {
  if (stopping_) return 0;
  const int held = static_cast<int>(ahead_.size()) + running_count_;
  return std::max(0, capacity_ - held - feeding_want_);
}

bool PrefetchingWorker::IdleUntilNeeded(Lock& lock, int want) {
  const int held = static_cast<int>(ahead_.size()) + running_count_;
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
    return true;
  }
  if (queue_drained_) {
    feed_cv_.wait_until(lock, waiting_ahead ? std::min(spread_at, look_again_) : look_again_);
    if (Steady::now() >= look_again_) queue_drained_ = false;
    return true;
  }
  return false;
}

void PrefetchingWorker::RoundTrip(Lock& lock, int want) {
  std::vector<JobDone> done;
  done.swap(done_);
  ++feeding_;
  feeding_want_ += want;
  lock.unlock();

  Result<CompleteAndTakeResult> r =
      queue_->CompleteAndTake(done, owner_, want, options_.lease_ms, /*wait_ms=*/0);
  ReportBatch(done, r);

  lock.lock();
  --feeding_;
  feeding_want_ -= want;
  for (const JobDone& d : done) Forget(d.job);
  in_flight_ -= static_cast<int>(done.size());
  TakeAhead(r, want);
  if (HoldsNothing()) work_cv_.notify_one();        // a worker thread waits in the queue now
  if (options_.feeders > 1) feed_cv_.notify_all();  // one may wait for this call's end
  cv_.notify_all();
  if (want > 0 && (!r.ok() || !r->take_status.ok())) {
    ++stats_.errors;
    cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
  }
}

void PrefetchingWorker::ReportBatch(const std::vector<JobDone>& done,
                                    const Result<CompleteAndTakeResult>& r) {
  for (size_t i = 0; i < done.size(); ++i) {
    const Job& job = done[i].job;
    const Status outcome = r.ok() && i < r->completed.size() ? r->completed[i] : r.status();
    if (outcome.code() == Code::kInvalidArgument && r.ok()) {
      Finished(job, ReportFailure(job, outcome));  // not JSON: the run fails
      continue;
    }
    if (outcome.code() != Code::kUnavailable) {
      Finished(job, CountCompletion(outcome));
      continue;
    }
    // The queue was away: report this one again on its own, as the plain
    // worker does (the first call of WhileTransient is the batch's answer).
    bool first = true;
    const Status again = WhileTransient<Status>(job, "job.report_retry", [&]() -> Status {
      if (first) {
        first = false;
        return outcome;
      }
      return queue_->Complete(job, done[i].return_value);
    });
    Finished(job, CountCompletion(again));
  }
}

}  // namespace vigil
