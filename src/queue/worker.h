// Worker: runs the jobs of a Queue with a JobHandler on `concurrency`
// threads.
//
// Each worker thread owns one handler (made by `make_handler`, so a handler
// may hold its own Db connection), runs the jobs taken under a lease of
// `lease_ms`, and the run is Completed with the handler's value or Failed
// with the handler's error (the queue retries it per the job's attempts).
// A handler error (its message becomes the failed reason), an exception
// thrown by a handler ("handler threw: <what>"), or a return value that is
// not JSON fails only that run; the thread goes on with the next job. A
// transient failure (Unavailable) runs again in place (WorkerOptions). A
// Complete or Fail refused because the lease was lost (the job was
// recovered and taken again) is counted as lease_lost and changes nothing.
// A keeper thread extends the leases of held jobs every lease_ms / 3 and
// calls Queue::RecoverStalled every stalled_check_ms (jobs of crashed
// workers anywhere run again).
//
// Two ways to take and report, picked by WorkerOptions::prefetch over one
// shared core (queue/worker_core.h):
//   0    the plain worker (queue/plain_worker.h): each thread Takes and
//        Completes its own jobs, two round trips per job;
//   > 0  the prefetching worker (queue/prefetching_worker.h): feeder
//        threads take the jobs for all threads, holding at most
//        max(concurrency, prefetch), and report completions in batches, one
//        Queue::CompleteAndTake per batch.
//
// Thread safety: Start and Stop from one controlling thread; stats() from any.
// The queue (and whatever the handlers use) must outlive the Worker.
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "queue/worker_core.h"

namespace vigil {

class Worker {
 public:
  using Stats = WorkerStats;

  // make_handler is called once per worker thread, by Start.
  Worker(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options, const Clock* clock);
  // Stops (as Stop(0)) if running, then waits for every thread, including
  // the handlers of abandoned jobs, to return.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // See WorkerCore::Start, Stop and stats.
  Status Start() { return impl_->Start(); }
  int Stop(int64_t drain_ms) { return impl_->Stop(drain_ms); }
  Stats stats() const { return impl_->stats(); }

 private:
  std::unique_ptr<WorkerCore> impl_;
};

}  // namespace vigil
