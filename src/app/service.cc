#include "app/service.h"

#include <algorithm>

#include "app/channel_factory.h"
#include "app/database.h"
#include "pipeline/job_handler.h"
#include "app/provider_factory.h"
#include "events/in_process_bus.h"
#include "observe/log.h"
#include "store/secret_box.h"
#include "queue/job_outbox.h"
#include "queue/local_queue.h"
#include "queue/pending_syncs.h"
#include "store/wal_checkpointer.h"

namespace vigil {

namespace {

// One log line per finished run: debug for a completed one, warn otherwise.
void LogRunEnd(const Job& job, RunEnd end, const Status& outcome) {
  switch (end) {
    case RunEnd::kCompleted:
      Log(LogLevel::kDebug, "job.finished",
          {{"job", job.id}, {"name", job.name}, {"attempt", job.attempt},
           {"outcome", "completed"}});
      return;
    case RunEnd::kFailed:
      Log(LogLevel::kWarn, "job.failed",
          {{"job", job.id}, {"name", job.name}, {"attempt", job.attempt},
           {"max_attempts", job.max_attempts}, {"error", outcome.message()}});
      return;
    case RunEnd::kLeaseLost:
      Log(LogLevel::kWarn, "job.lease_lost",
          {{"job", job.id}, {"attempt", job.attempt}, {"error", outcome.message()}});
      return;
    case RunEnd::kQueueError:
      Log(LogLevel::kWarn, "job.report_failed",
          {{"job", job.id}, {"attempt", job.attempt}, {"error", outcome.message()}});
      return;
  }
}

// One log line per relayed event; alert changes at debug (a large tenant
// makes many).
void LogEvent(const Event& e) {
  const bool alert = e.type.rfind("alert.", 0) == 0;
  Log(alert ? LogLevel::kDebug : LogLevel::kInfo, "event",
      {{"type", e.type}, {"id", e.id}, {"tenant_id", e.tenant_id},
       {"trace_id", e.trace_id}, {"payload", e.payload}});
}

}  // namespace

Result<std::unique_ptr<Service>> Service::Start(const ServiceOptions& options,
                                                const Clock* clock) {
  const std::string path = options.db_path;
  const bool sqlite = ParseDatabaseSpec(path).kind == DatabaseSpec::Kind::kSqlite;
  // Every SQLite connection of the service leaves WAL checkpoints to one
  // thread, so no commit (a job take, a sync) pays for copying the log.
  auto open_db = [path, sqlite]() -> Result<std::unique_ptr<Db>> {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, OpenDatabase(path));
    if (sqlite) VIGIL_RETURN_IF_ERROR(DisableAutoCheckpoint(db.get()));
    return db;
  };
  std::unique_ptr<Service> service(new Service());
  if (sqlite) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> checkpoint_db, OpenDatabase(path));
    service->checkpointer_ =
        std::make_unique<WalCheckpointer>(std::move(checkpoint_db), options.checkpoint_ms);
    service->checkpointer_->Start();
  }
  VIGIL_RETURN_IF_ERROR(service->OpenQueue(options, open_db, clock));
  VIGIL_RETURN_IF_ERROR(service->StartEvents(options, open_db, clock));
  VIGIL_RETURN_IF_ERROR(service->StartWorkers(options, open_db, clock));
  VIGIL_RETURN_IF_ERROR(service->StartScheduling(options, open_db, clock));
  return service;
}

Status Service::OpenQueue(const ServiceOptions& options, const DbPool::Opener& open_db,
                          const Clock* clock) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> queue_db, open_db());
  LocalQueueOptions queue_options;
  queue_options.poll_ms = options.poll_ms;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Queue> local,
                         OpenLocalQueue(std::move(queue_db), clock, queue_options));
  if (!options.open_primary_queue) {
    queue_ = std::move(local);
    return Status::Ok();
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> outbox_db, open_db());
  FailoverQueueOptions failover_options;
  failover_options.retry_primary_ms = options.primary_retry_ms;
  failover_options.max_retry_primary_ms =
      std::max(options.primary_max_retry_ms, options.primary_retry_ms);
  failover_options.up_after_probes = options.primary_up_after;
  failover_options.fallback_check_ms = std::max<int64_t>(options.poll_ms, 1);
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<FailoverQueue> failover,
                         FailoverQueue::Open(options.open_primary_queue, std::move(local),
                                             std::move(outbox_db), clock, failover_options));
  if (options.run_scheduler) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> reconciler_db, open_db());
    QueueReconcilerOptions reconciler_options;
    reconciler_options.interval_ms = options.reconcile_ms;
    reconciler_options.grace_ms = options.reconcile_grace_ms;
    reconciler_ = std::make_unique<QueueReconciler>(
        std::move(reconciler_db), failover->relay_target(), clock, reconciler_options);
  }
  queue_ = std::move(failover);
  return Status::Ok();
}

Status Service::StartEvents(const ServiceOptions& options, const DbPool::Opener& open_db,
                            const Clock* clock) {
  if (options.open_bus) {
    VIGIL_ASSIGN_OR_RETURN(bus_, options.open_bus());
  } else {
    bus_ = NewInProcessBus();
  }
  if (options.log_events) {
    VIGIL_ASSIGN_OR_RETURN(event_log_, bus_->Subscribe({}, LogEvent));
  }
  if (options.run_relay) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> relay_db, open_db());
    relay_ = std::make_unique<OutboxRelay>(std::move(relay_db), bus_.get(), clock);
    VIGIL_RETURN_IF_ERROR(relay_->Start());
  }
  if (options.run_notifier) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> notifier_db, open_db());
    NotifierOptions notifier_options = options.notifier;
    notifier_options.worker = options.worker_name;
    notifier_ = std::make_unique<Notifier>(
        std::move(notifier_db),
        [clock](const ChannelSpec& spec) { return OpenChannel(spec, clock); },
        [] { return LoadSecretKey(); }, clock, notifier_options);
    VIGIL_RETURN_IF_ERROR(notifier_->Start());
  }
  return Status::Ok();
}

Status Service::StartWorkers(const ServiceOptions& options, const DbPool::Opener& open_db,
                             const Clock* clock) {
  DbPoolOptions pool_options;
  pool_options.max_connections = std::max(options.concurrency, 1);
  job_connections_ = std::make_unique<DbPool>(open_db, pool_options);
  PipelineContext context;
  context.db_pool = job_connections_.get();
  context.queue = queue_.get();
  context.clock = clock;
  context.open_provider = OpenProvider;
  context.coalesce_window_ms = options.coalesce_window_ms;
  OutboxRelay* relay = relay_.get();
  Notifier* notifier = notifier_.get();
  context.events_written = [relay, notifier] {
    if (relay != nullptr) relay->Notify();
    if (notifier != nullptr) notifier->Notify();
  };
  // A sync's analysis job commits with the sync: into the job outbox when
  // jobs live in Redis, straight into the local queue's table otherwise.
  const std::string queue_name = queue_->name();
  if (options.open_primary_queue) {
    context.add_in_transaction = [queue_name](Db* db, const JobToAdd& job, TimeMs now) {
      return AppendOutboxJob(db, queue_name, job.name, job.payload, job.options, now);
    };
  } else {
    context.add_in_transaction = [queue_name](Db* db, const JobToAdd& job, TimeMs now) {
      return AddLocalJob(db, queue_name, job.name, job.payload, job.options, now);
    };
  }
  // Where unfinished jobs are recorded: an analysis waits for its window
  // only while another sync of the tenant is queued or running.
  const PendingJobsTable pending_table = options.open_primary_queue
                                             ? PendingJobsTable::kJobOutbox
                                             : PendingJobsTable::kLocalQueue;
  context.syncs_pending = [queue_name, pending_table](Db* db, int64_t tenant_id,
                                                      std::string_view job_id) {
    return OtherSyncsPending(db, pending_table, queue_name, tenant_id, job_id);
  };
  WorkerOptions worker_options;
  worker_options.name = options.worker_name;
  worker_options.concurrency = options.concurrency;
  worker_options.prefetch = options.open_primary_queue ? options.prefetch : 0;
  worker_options.lease_ms = options.lease_ms;
  worker_options.stalled_check_ms = options.stalled_check_ms;
  worker_options.on_finished = LogRunEnd;
  worker_ = std::make_unique<Worker>(
      queue_.get(), [context] { return PipelineJobHandler::Open(context); }, worker_options,
      clock);
  return worker_->Start();
}

Status Service::StartScheduling(const ServiceOptions& options, const DbPool::Opener& open_db,
                                const Clock* clock) {
  if (options.run_scheduler) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> scheduler_db, open_db());
    SchedulerOptions scheduler_options;
    scheduler_options.tick_ms = options.scheduler_tick_ms;
    scheduler_ = std::make_unique<Scheduler>(std::move(scheduler_db), queue_.get(), clock,
                                             scheduler_options);
    scheduler_->Start();
  }
  if (reconciler_) reconciler_->Start();
  if (options.run_scheduler && options.retention_ms > 0) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> pruner_db, open_db());
    PrunerOptions pruner_options;
    pruner_options.queue = queue_->name();
    pruner_options.retention_ms = options.retention_ms;
    pruner_options.interval_ms = options.prune_interval_ms;
    pruner_ = std::make_unique<Pruner>(std::move(pruner_db), clock, pruner_options);
    pruner_->Start();
  }
  return Status::Ok();
}

Service::~Service() { Stop(0); }

int Service::Stop(int64_t drain_ms) {
  if (stopped_) return 0;
  stopped_ = true;
  if (scheduler_) scheduler_->Stop();
  if (reconciler_) reconciler_->Stop();
  if (pruner_) pruner_->Stop();
  int abandoned = worker_ ? worker_->Stop(drain_ms) : 0;
  if (relay_) relay_->Stop();
  if (notifier_) notifier_->Stop();
  if (checkpointer_) checkpointer_->Stop();
  return abandoned;
}

}  // namespace vigil
