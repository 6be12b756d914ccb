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
// Thread safety: Start and Stop from one controlling thread; stats() from any.
// The queue (and whatever the handlers use) must outlive the Worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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

struct WorkerOptions {
  // Leases are held as "<name>/<thread index>".
  std::string name = "worker";
  int concurrency = 1;  // worker threads (>= 1)
  int64_t lease_ms = 30000;
  int64_t take_wait_ms = 1000;  // how long one Take waits for a job (> 0)
  int64_t stalled_check_ms = 5000;
  // Called on the worker thread after each run with the outcome: OK when
  // the job completed, else the handler's (or the queue's) error. May be
  // empty; must not throw.
  std::function<void(const Job&, const Status&)> on_finished;
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
  // Runs `job` and reports its outcome to the queue; returns the outcome.
  Status RunOne(JobHandler* handler, const Job& job);
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

  std::vector<std::unique_ptr<JobHandler>> handlers_;
  std::vector<std::thread> threads_;
  std::thread keeper_;
};

}  // namespace vigil
