// WorkerCore: what both workers of queue/worker.h share — the plain one
// (queue/plain_worker.h: each thread takes and completes its own jobs) and
// the prefetching one (queue/prefetching_worker.h: jobs taken ahead and
// reported in batches). Each of those is a WorkerCore that adds its own
// threads; this file holds the rest:
//
//   - the options, the handlers (one per worker thread, made by Start) and
//     the counts (WorkerStats);
//   - running a job: RunHandler times the handler into the job's metrics,
//     turns an exception into an error, and runs it again while it fails
//     transiently (WhileTransient, see WorkerOptions);
//   - reporting a run: Report / ReportFailure / CountCompletion (a report
//     that fails with Unavailable is tried again the same way), and
//     Finished (WorkerOptions::on_finished);
//   - the leases: Hold/Forget the jobs held, and a keeper thread that extends
//     their leases every lease_ms / 3 and calls Queue::RecoverStalled every
//     stalled_check_ms;
//   - the life cycle: Start (checks the options, makes the handlers, then
//     StartThreads), Stop (drains up to a deadline) and joining.
//
// Thread safety: Start and Stop from one controlling thread; stats() from
// any. The queue (and whatever the handlers use) must outlive the worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"

namespace vigil {

class JobHandler {
 public:
  virtual ~JobHandler() = default;

  // Runs one job; the value is the job's return value (JSON text; empty
  // means null). An error fails the run (retried per the job's attempts).
  // An unknown job name is an error too. Called on one thread at a time.
  virtual Result<std::string> Run(const Job& job) = 0;
};

using JobHandlerFactory = std::function<Result<std::unique_ptr<JobHandler>>()>;

// How a run ended, as the worker reported it to the queue.
enum class RunEnd { kCompleted, kFailed, kLeaseLost, kQueueError };

struct WorkerOptions {
  // Leases are held as "<name>/<thread index>" (plain), or "<name>/feed"
  // (prefetching).
  std::string name = "worker";
  int concurrency = 1;  // worker threads (>= 1)
  int64_t lease_ms = 30000;
  int64_t take_wait_ms = 1000;  // how long one take waits for a job (> 0)
  int64_t stalled_check_ms = 5000;
  // How many jobs the worker holds at most, the running ones included (>=
  // 0; a message broker's prefetch count). 0: the plain worker, each thread
  // takes and completes its own jobs, two round trips per job; > 0: the
  // prefetching worker (queue/prefetching_worker.h), which holds at most
  // max(concurrency, prefetch) jobs, those beyond the running ones taken
  // ahead, and reports completions in batches. The library's default is 0;
  // the commands choose their own (queue work 100; serve and worker with
  // --redis their concurrency, so no job waits for a thread; see
  // docs/ARCHITECTURE.md).
  int prefetch = 0;
  // With prefetch: feeder threads, each with one CompleteAndTake under way
  // at most (>= 1). Two keep a queue server busy while the worker handles
  // the last reply.
  int feeders = 2;
  // Transient failures: a handler error with code Unavailable (a lost or
  // refused database connection, a pool or lock that stayed busy, a
  // service that did not answer) does not end the run. The worker thread
  // logs a warning ("job.transient_error": job, attempt, error, retry_in_ms)
  // and runs the handler again after a pause (transient_pause_ms, doubling
  // up to transient_max_pause_ms), under the same lease and attempt, for up
  // to transient_budget_ms after the run's first transient failure. Only
  // then, or when the worker stops or the lease was lost, is the error
  // reported to the queue as a failed attempt. A report to the queue
  // (Complete, Fail, or a batch's completion) that fails with Unavailable
  // is tried again the same way ("job.report_retry"), so a run that
  // finished is not lost to a queue that was briefly away. 0 turns this off.
  int64_t transient_budget_ms = 600000;
  int64_t transient_pause_ms = 250;
  int64_t transient_max_pause_ms = 10000;
  // Called after each run with how it ended and the status that says so: OK
  // (kCompleted); the handler's error, or the return value's (kFailed); the
  // queue's refusal (kLeaseLost: the lease was lost, nothing was recorded);
  // the queue's own error (kQueueError). On the worker thread; with
  // prefetch, a completion is reported on the feeder thread. May be empty;
  // must not throw.
  std::function<void(const Job&, RunEnd, const Status&)> on_finished;
};

struct WorkerStats {
  int64_t completed = 0;
  int64_t failed = 0;      // failed for good
  int64_t retried = 0;     // failed runs the queue will retry
  int64_t lease_lost = 0;  // Complete/Fail refused: the lease was lost
  int64_t errors = 0;      // queue calls that failed otherwise
};

class WorkerCore {
 public:
  // A derived worker's destructor calls Shutdown() first (this one cannot:
  // the derived threads would outlive the derived members).
  virtual ~WorkerCore();
  WorkerCore(const WorkerCore&) = delete;
  WorkerCore& operator=(const WorkerCore&) = delete;

  // Makes the handlers and starts the threads. InvalidArgument for bad
  // options; the first make_handler error (prefixed with the worker's
  // name), in which case nothing was started; FailedPrecondition when
  // called twice.
  Status Start();

  // Stops taking jobs and waits up to drain_ms for the running ones (their
  // leases are still extended meanwhile). Returns how many were still
  // running then: those are abandoned (their leases expire and the queue
  // recovers them later; if a handler returns while its lease still holds,
  // the job is completed as usual). Idempotent: later calls return 0.
  int Stop(int64_t drain_ms);

  WorkerStats stats() const;

 protected:
  WorkerCore(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
             const Clock* clock);

  // Starts the worker's own threads (one per handler, and any helpers)
  // into threads_; each counts itself in exited_ (under mu_) and notifies
  // cv_ when it leaves its loop. Called by Start, without mu_.
  virtual void StartThreads() = 0;
  // Wakes the worker's threads that wait on condition variables of its
  // own. Called by Stop and while joining, without mu_.
  virtual void WakeThreads() = 0;
  // Stop(0), then waits for every thread, including the handlers of
  // abandoned jobs, to return. For the derived destructor.
  void Shutdown();

  // Runs `job` with `handler` (again while it fails transiently, see
  // WorkerOptions), turning an exception into an error; records the job's
  // wait and run time in the metrics.
  Result<std::string> RunHandler(JobHandler* handler, const Job& job);
  // Calls `call` (a run of the handler, or a report to the queue) again
  // while it fails with Unavailable, as WorkerOptions describes, logging
  // `event` before each pause.
  template <typename T>
  T WhileTransient(const Job& job, std::string_view event, const std::function<T()>& call);

  // How a report to the queue ended, and the status that says so.
  struct Reported {
    RunEnd end;
    Status status;
  };
  // Reports the handler's `value` for `job` to the queue (Complete, or Fail)
  // and counts it.
  Reported Report(const Job& job, Result<std::string> value);
  // Fails the run of `job` with `error` and counts it.
  Reported ReportFailure(const Job& job, const Status& error);
  // Counts a completion's answer `done` for a job.
  Reported CountCompletion(const Status& done);
  // Calls options_.on_finished, if any.
  void Finished(const Job& job, const Reported& reported) const;

  // The keeper extends the lease of `job` from now on. Called with mu_ held.
  void Hold(const Job& job);
  // The job is no longer held: the keeper stops extending its lease.
  // Called with mu_ held.
  void Forget(const Job& job);
  // Whether the lease of `job` is still held (the keeper did not find it
  // lost). Called with mu_ held.
  bool Holds(const Job& job) const;

  Queue* const queue_;
  const WorkerOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // in_flight_, exited_, stopping_ changed
  bool stopping_ = false;       // worker threads leave their loop
  int in_flight_ = 0;           // jobs taken to run and not yet reported
  int exited_ = 0;              // threads of threads_ that left their loop
  WorkerStats stats_;
  std::vector<std::unique_ptr<JobHandler>> handlers_;  // one per worker thread
  std::vector<std::thread> threads_;

 private:
  // Whether the worker still holds `job`'s lease and is not stopping.
  bool StillHolds(const Job& job);
  // One run of the handler, timed into the job's metrics.
  static Result<std::string> RunHandlerOnce(JobHandler* handler, const Job& job);
  // Checks the options and makes the handlers.
  Status MakeHandlers(std::vector<std::unique_ptr<JobHandler>>* handlers) const;
  void KeepLeases();
  // Extends the lease of every job held; drops those found lost.
  void ExtendLeases(std::unique_lock<std::mutex>& lock);
  // Wakes until every thread of threads_ has left its loop, then joins them.
  void JoinThreads();

  JobHandlerFactory make_handler_;
  bool started_ = false;
  bool stopped_ = false;
  bool keeper_stopping_ = false;
  std::map<std::string, Job> running_;  // by job id: leases the keeper extends
  std::thread keeper_;
};

}  // namespace vigil
