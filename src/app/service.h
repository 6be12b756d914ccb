// Service: vigil's long-running pipeline on embedded defaults, as `vigil
// serve` and `vigil worker` run it: the local queue in the SQLite database,
// workers running the pipeline jobs, the scheduler, the outbox relay to an
// in-process event bus whose events are logged, and a WAL checkpointer
// thread (the service's connections do not checkpoint inside commits), and
// (serve) the Pruner that bounds the jobs and events kept. Wiring only;
// each part is its own component.
//
// Connections: the worker slots share one DbPool (at most `concurrency`
// connections, opened on first use, leased per job); the queue, relay,
// scheduler, reconciler, pruner and checkpointer each keep one of their own,
// since each runs on its own thread for the life of the service.
//
// Redis mode (ServiceOptions::open_primary_queue set, `--redis URL`): the
// queue is a FailoverQueue (queue/failover_queue.h) over that primary, with
// the local queue as its fallback and the job outbox in the database in
// front; with run_scheduler the service also runs a QueueReconciler that
// restores, from the outbox, every unfinished job the primary lost.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "pipeline/pruner.h"
#include "common/clock.h"
#include "common/status.h"
#include "events/event_bus.h"
#include "events/outbox_relay.h"
#include "notify/notifier.h"
#include "queue/failover_queue.h"
#include "queue/queue.h"
#include "queue/queue_reconciler.h"
#include "queue/scheduler.h"
#include "queue/worker.h"
#include "store/db_pool.h"
#include "store/wal_checkpointer.h"

namespace vigil {

struct ServiceOptions {
  std::string db_path = "vigil.db";
  bool run_scheduler = true;  // serve: yes; worker: no
  bool run_relay = true;      // serve: yes; worker: no (serve relays the outbox)
  bool log_events = true;     // log every relayed event
  // Deliver alert changes to channels (notify/notifier.h): serve and worker
  // both do; leases keep them from sending a group twice.
  bool run_notifier = true;
  NotifierOptions notifier;  // its worker name is worker_name
  int concurrency = 2;
  int64_t lease_ms = 30000;
  int64_t stalled_check_ms = 5000;
  int64_t coalesce_window_ms = 2000;
  int64_t scheduler_tick_ms = 1000;
  int64_t poll_ms = 200;      // how soon jobs other processes add are seen
  int64_t checkpoint_ms = 200;  // WAL checkpoints run on their own thread this often
  std::string worker_name = "vigil";
  // Redis mode when set: opens the primary queue (called again until it
  // succeeds, so the service starts while it is unreachable).
  QueueOpener open_primary_queue;
  // Opens the event bus the outbox relay publishes to; empty: in-process.
  std::function<Result<std::unique_ptr<EventBus>>()> open_bus;
  // Redis mode: WorkerOptions::prefetch of the workers, the jobs held at
  // most, running ones included. Up to `concurrency` (1 by default counts
  // as concurrency): a job is taken only for a free thread, and a finished
  // run is reported and the next job taken in one CompleteAndTake
  // (docs/ARCHITECTURE.md says why no job is taken ahead). 0: the plain
  // worker. Without Redis the worker is always the plain one (the local
  // queue has no batch calls of its own).
  int prefetch = 1;
  int64_t reconcile_ms = 2000;        // how often the reconciler passes
  int64_t reconcile_grace_ms = 2000;  // outbox rows younger than this are left alone
  // While the primary is down it is probed after primary_retry_ms, backing
  // off to primary_max_retry_ms, and used again after primary_up_after
  // probes in a row worked (queue/failover_queue.h).
  int64_t primary_retry_ms = 1000;
  int64_t primary_max_retry_ms = 8000;
  int primary_up_after = 3;
  // With run_scheduler: finished jobs and published events older than this
  // are removed every prune_interval_ms (pipeline/pruner.h); 0 keeps everything.
  int64_t retention_ms = 7 * 24 * 3600 * 1000LL;
  int64_t prune_interval_ms = 3600 * 1000;
};

class Service {
 public:
  // Opens every connection and starts the threads. Fails with the first
  // component's error (nothing left running).
  static Result<std::unique_ptr<Service>> Start(const ServiceOptions& options,
                                                const Clock* clock);
  ~Service();

  // Stops the scheduler, stops taking jobs, waits up to drain_ms for running
  // ones, relays what is left in the outbox. Returns how many jobs were still
  // running (their leases expire and they run again elsewhere or later).
  int Stop(int64_t drain_ms);

  Queue* queue() { return queue_.get(); }
  EventBus* bus() { return bus_.get(); }

 private:
  Service() = default;

  // The steps of Start, in order; each fails with its component's error.
  // The queue: local, or (Redis mode) the FailoverQueue, with its reconciler
  // when the service schedules.
  Status OpenQueue(const ServiceOptions& options, const DbPool::Opener& open_db,
                   const Clock* clock);
  // The event bus, the event log and (serve) the outbox relay.
  Status StartEvents(const ServiceOptions& options, const DbPool::Opener& open_db,
                     const Clock* clock);
  // The job connections and the workers that run the pipeline's jobs.
  Status StartWorkers(const ServiceOptions& options, const DbPool::Opener& open_db,
                      const Clock* clock);
  // serve: the scheduler, the reconciler and the pruner.
  Status StartScheduling(const ServiceOptions& options, const DbPool::Opener& open_db,
                         const Clock* clock);

  std::unique_ptr<WalCheckpointer> checkpointer_;  // first: stopped last
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<QueueReconciler> reconciler_;  // Redis mode, serve
  std::unique_ptr<Pruner> pruner_;               // serve
  std::unique_ptr<EventBus> bus_;
  std::unique_ptr<Subscription> event_log_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<DbPool> job_connections_;  // before worker_: outlives its leases
  std::unique_ptr<Worker> worker_;
  bool stopped_ = false;
};

}  // namespace vigil
