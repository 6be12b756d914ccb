// Pruner: the service's retention. Every interval_ms it removes the jobs
// that finished, the events that were published and routed, and the
// notifications and delivery log rows that are done, more than retention_ms
// ago (queue/job_retention.h, events/outbox.h, notify/notification_store.h),
// so a service
// that runs for months keeps a bounded database. Alerts, their history,
// syncs and traces are records and are kept.
//
// Thread safety: Pass is for one thread; Start runs it on a thread of its own
// until Stop. Owns `db`; `clock` must outlive it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct PrunerOptions {
  std::string queue = "vigil";
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;
  int64_t interval_ms = 3600 * 1000;
};

struct PruneSummary {
  int64_t jobs = 0;    // local queue rows
  int64_t outbox = 0;  // job outbox rows
  int64_t events = 0;  // event outbox rows
  int64_t deliveries = 0;  // notifications done and delivery log rows
};

class Pruner {
 public:
  Pruner(std::unique_ptr<Db> db, const Clock* clock, PrunerOptions options);
  ~Pruner();  // Stop()

  // Removes what is older than the retention now.
  Result<PruneSummary> Pass();

  // Passes on a background thread, the first one at once; errors are logged
  // and retried at the next interval.
  void Start();
  // Stops the thread (waits for a running pass). Idempotent.
  void Stop();

 private:
  void Loop();

  std::unique_ptr<Db> db_;
  const Clock* clock_;
  const PrunerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vigil
