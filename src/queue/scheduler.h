// Scheduler: enqueues the sync job of every due schedule (queue/schedules.h).
//
// The job id of a scheduled run is "sync:<data source id>:<due time ms>", so
// a restart, or two schedulers on one database, never enqueue the same run
// twice: the queue deduplicates the id, and AdvanceSchedule moves a schedule
// on only from the due time it read. A crash between the two leaves the
// schedule due; the next tick adds the same id again (a no-op) and moves on.
//
// Thread safety: Tick is for one thread; Start runs Tick on a thread of its
// own every tick_ms until Stop.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct SchedulerOptions {
  int64_t tick_ms = 1000;
  int max_per_tick = 500;  // due schedules handled per tick (the rest next tick)
};

struct TickSummary {
  int due = 0;       // due schedules read
  int enqueued = 0;  // sync jobs added
  int duplicate = 0; // jobs that existed already (another scheduler, or a retry)
};

class Scheduler {
 public:
  // Owns `db`; borrows `queue` and `clock`, which must outlive it.
  Scheduler(std::unique_ptr<Db> db, Queue* queue, const Clock* clock,
            SchedulerOptions options = {});
  ~Scheduler();

  // Enqueues the due schedules' jobs and moves them to their next run. Fails
  // on the first database or queue error (schedules handled before it stay
  // handled; the failing one stays due).
  Result<TickSummary> Tick();

  // Ticks on a background thread; errors are logged and retried next tick.
  void Start();
  // Stops the thread (waits for a running tick).
  void Stop();

 private:
  void Loop();

  std::unique_ptr<Db> db_;
  Queue* queue_;
  const Clock* clock_;
  SchedulerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigil
