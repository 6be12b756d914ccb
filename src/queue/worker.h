// Worker: runs the jobs of a Queue with a JobHandler on `concurrency`
// threads.
//
// Each worker thread owns one handler (made by `make_handler`, so a handler
// may hold its own Db connection), takes a job under a lease of `lease_ms`,
// runs it, and Completes it with the handler's value or Fails it with the
// handler's error (the queue retries it per the job's attempts). A handler
// error (its message becomes the failed reason), an exception thrown by a
// handler ("handler threw: <what>"),
// or a return value that is not JSON fails only that run; the thread goes on
// with the next job. A Complete or Fail refused because the lease was lost
// (the job was recovered and taken again) is counted as lease_lost and
// changes nothing.
//
// A keeper thread extends the leases of running jobs every lease_ms / 3 and
// calls Queue::RecoverStalled every stalled_check_ms (jobs of crashed workers
// anywhere run again).
//
// Prefetch (WorkerOptions::prefetch > 0): feeder threads (two by default)
// take the jobs for all worker threads and report their completions, in
// batches of one Queue::CompleteAndTake each (one round trip for many jobs
// on a backend that batches; with two, one is under way while the other
// hands out its jobs); while no job is held, a worker thread waits in the
// queue itself, so an idle worker starts a new job without a hand-over. At
// most concurrency + prefetch jobs are held: those the worker threads run
// (still at most `concurrency` at a time, one per thread; concurrency 1 runs
// one job at a time), those that wait for a thread (their lease, and so
// Job::started_at, began when they were taken), and finished ones a feeder
// reports with its next round trip. While some are held and the last take
// found the queue empty, the feeders look again every 20 ms (a wait in the
// queue would hold back those reports). The keeper extends the
// leases of all of them; one it finds lost while the job waits ahead is
// dropped unrun (counted as lease_lost). Stop gives the jobs
// no thread started back to the queue (Queue::Release). A failed run is
// reported by its worker thread with Queue::Fail, as without prefetch.
//
// Thread safety: Start and Stop from one controlling thread; stats() from any.
// The queue (and whatever the handlers use) must outlive the Worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
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

// How a run ended, as the worker reported it to the queue.
enum class RunEnd { kCompleted, kFailed, kLeaseLost, kQueueError };

struct WorkerOptions {
  // Leases are held as "<name>/<thread index>".
  std::string name = "worker";
  int concurrency = 1;  // worker threads (>= 1)
  int64_t lease_ms = 30000;
  int64_t take_wait_ms = 1000;  // how long one Take waits for a job (> 0)
  int64_t stalled_check_ms = 5000;
  // Jobs taken ahead of the worker threads (>= 0; see above). 0: each worker
  // thread takes and completes its own jobs, a round trip each. The feeder
  // holds its leases as "<name>/feed".
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
  // (Complete, Fail) that fails with Unavailable is tried again the same way
  // ("job.report_retry"), so a run that finished is not lost to a queue that
  // was briefly away. 0 turns this off.
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

class Worker {
 public:
  // make_handler is called once per worker thread, by Start.
  Worker(Queue* queue, std::function<Result<std::unique_ptr<JobHandler>>()> make_handler,
         WorkerOptions options, const Clock* clock);
  // Stops (as Stop(0)) if running, then waits for every thread, including
  // the handlers of abandoned jobs, to return.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

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

  struct Stats {
    int64_t completed = 0;
    int64_t failed = 0;      // failed for good
    int64_t retried = 0;     // failed runs the queue will retry
    int64_t lease_lost = 0;  // Complete/Fail refused: the lease was lost
    int64_t errors = 0;      // queue calls that failed otherwise
  };
  Stats stats() const;

 private:
  void RunThread(int index, JobHandler* handler);
  // A worker thread with prefetch: runs the jobs the feeder takes.
  void RunPrefetchedThread(JobHandler* handler);
  // A feeder thread (prefetch > 0).
  void Feed();
  // Runs `job` with `handler` (again while it fails transiently, see
  // WorkerOptions), turning an exception into an error.
  Result<std::string> RunHandler(JobHandler* handler, const Job& job);
  // One run of the handler, timed into the job's metrics.
  static Result<std::string> RunHandlerOnce(JobHandler* handler, const Job& job);
  // Whether the worker still holds `job`'s lease and is not stopping.
  bool StillHolds(const Job& job);
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
  // Counts a Complete's (or CompleteAndTake's) answer `done` for a job.
  Reported CountCompletion(const Status& done);
  // Calls options_.on_finished, if any.
  void Finished(const Job& job, const Reported& reported) const;
  // The job is no longer held: the keeper stops extending its lease.
  // Called with mu_ held.
  void Forget(const Job& job);
  // With prefetch, called with mu_ held: no job is ahead, running or
  // finished and unreported.
  bool HoldsNothing() const;
  // Puts the jobs `r` took (asked for `asked`) ahead and wakes a worker
  // thread. Called with mu_ held.
  void TakeAhead(const Result<CompleteAndTakeResult>& r, int asked);
  void KeepLeases();
  // WakeAll until every worker thread has left its loop, then joins them.
  void JoinWorkers();

  Queue* const queue_;
  std::function<Result<std::unique_ptr<JobHandler>>()> make_handler_;
  const WorkerOptions options_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  bool stopping_ = false;  // worker threads leave their loop
  bool keeper_stopping_ = false;
  bool stopped_ = false;
  int in_flight_ = 0;                   // jobs taken and not yet reported
  int exited_ = 0;                      // worker threads that left their loop
  std::map<std::string, Job> running_;  // by job id: leases the keeper extends
  Stats stats_;

  // Prefetch: jobs taken and not started, handlers running, and finished
  // runs the feeder has yet to report.
  std::deque<Job> ahead_;
  int running_count_ = 0;
  std::vector<JobDone> done_;
  bool waiting_in_queue_ = false;  // a worker thread's CompleteAndTake waits for jobs
  int feeding_ = 0;                // the feeders' CompleteAndTake calls under way
  int feeding_want_ = 0;           // how many jobs those calls may take
  bool queue_drained_ = false;   // the last take got fewer jobs than it asked for
  std::chrono::steady_clock::time_point look_again_;  // for new jobs, while queue_drained_
  std::chrono::steady_clock::time_point last_pop_;    // a worker thread last started a job
  std::condition_variable work_cv_;  // worker threads: a job is ahead, or stopping
  std::condition_variable feed_cv_;  // the feeder: a run finished, or stopping

  std::vector<std::unique_ptr<JobHandler>> handlers_;
  std::vector<std::thread> threads_;
  std::thread keeper_;
};

}  // namespace vigil
