// QueueReconciler: repairs a queue from the job outbox (queue/job_outbox.h).
// Each pass walks the outbox's unfinished jobs older than `grace_ms` (younger
// ones may still be on their way from Add) and asks the target queue for
// each by job id:
//   - NotFound: the queue never got it (relay failed) or lost it (restart
//     without persistence, failover, FLUSHALL): it is added again under the
//     same id, with what is left of its delay.
//   - completed / failed: the outbox row is finished (say, a Node BullMQ
//     worker ran it); nothing runs.
//   - anything else: the queue has it; nothing to do.
// A job that a run holds (a live run claim in the outbox) is left alone,
// whatever the queue says of it: that run records its own outcome, and a
// copy added meanwhile could only wait for it. If the run dies its claim
// ends, and the next pass restores the job when the queue lost it.
// A due schedule lost with the queue is covered too: the scheduler's sync
// job went through the outbox. The pass stops at the first error (e.g. the
// queue is unreachable: Unavailable) and the next one starts over.
//
// With FailoverQueue the target is its relay_target(): re-adds go to the
// primary while it answers, else to the fallback.
//
// Thread safety: Pass is for one thread; Start runs it on a thread of its
// own every interval_ms until Stop. Owns `db`; `target` and `clock` must
// outlive it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct QueueReconcilerOptions {
  int64_t interval_ms = 2000;
  int64_t grace_ms = 2000;  // rows younger than this are left to their Add
  int batch = 500;          // rows read per query
};

struct ReconcileQueueSummary {
  int checked = 0;    // unfinished rows looked at
  int restored = 0;   // added again (lost, or never relayed)
  int finished = 0;   // rows recorded finished from the queue's state
};

class QueueReconciler {
 public:
  QueueReconciler(std::unique_ptr<Db> db, Queue* target, const Clock* clock,
                  QueueReconcilerOptions options = {});
  ~QueueReconciler();

  // One pass over every unfinished row; see above.
  Result<ReconcileQueueSummary> Pass();

  // Passes on a background thread; errors are logged and retried next time.
  void Start();
  // Runs a pass soon (e.g. when the queue came back).
  void Notify();
  // Stops the thread (waits for a running pass).
  void Stop();

 private:
  void Loop();

  std::unique_ptr<Db> db_;
  Queue* target_;
  const Clock* clock_;
  const QueueReconcilerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace vigil
