// PipelineJobHandler: runs vigil's pipeline jobs (queue/pipeline_jobs.h) in a
// worker thread. Each job leases a connection from the process's DbPool for
// as long as it runs.
//
//   sync     provider.fetch -> Syncer::Apply, which adds the tenant's analyze
//            job in its transaction, then hands that job to the queue. When
//            no other sync of the tenant is queued or running
//            (PipelineContext::syncs_pending), the analysis is due at once,
//            under an id of its own ("analyze:<tenant>:sync<sync id>");
//            otherwise it is the job of the coalescing window, due at the
//            window's end (a sync of a tenant whose analysis is already
//            queued for the window adds nothing). Either way it starts
//            after the sync committed, so no sync goes unanalyzed.
//   analyze  DataContext -> UnifiedAnalyzer -> AlertManager (one transaction,
//            events in the outbox).
//
// Spans continue the trace of the payload below its parent span:
//   queue.wait (from due to start), job.<name> > sync | analyze > ...,
//   analyze.enqueue (attributes job, coalesced).
// They are stored when the job ends, whether it succeeded or not.
//
// A malformed payload, an unknown job name or data source, or a failed sync
// is an error: the worker fails the run and the queue retries it per the
// job's attempts. The return value (JSON) summarises what the job did.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/provider_opener.h"
#include "common/clock.h"
#include "observe/trace.h"
#include "queue/pipeline_jobs.h"
#include "queue/queue.h"
#include "queue/worker.h"
#include "store/db.h"
#include "store/db_pool.h"

namespace vigil {

// Adds a job on the given connection inside its open transaction (the local
// queue's AddLocalJob, or the job outbox's AppendOutboxJob).
using AddInTransaction = std::function<Result<AddResult>(Db*, const JobToAdd&, TimeMs now)>;

struct PipelineContext {
  DbPool* db_pool = nullptr;       // the connections jobs run on
  Queue* queue = nullptr;         // where sync jobs add analyze jobs
  // When set, a sync adds its analyze job with this inside the sync's own
  // transaction, so a crash right after the commit cannot lose the
  // analysis; `queue->Add` afterwards hands it over (a no-op for the local
  // queue, the relay to Redis for the job outbox). Empty: only queue->Add
  // after the commit.
  AddInTransaction add_in_transaction;
  const Clock* clock = nullptr;   // wall clock; the analysis is as of its time
  ProviderOpener open_provider;   // a sync's provider, from its data source
  // 0: every analysis is due at once.
  int64_t coalesce_window_ms = 2000;
  // Whether a sync job of the tenant other than `job_id` is still queued or
  // running (queue/pending_syncs.h), asked on the sync's connection (in its
  // transaction when add_in_transaction is set). Empty: every analysis waits
  // for its window.
  std::function<Result<bool>(Db*, int64_t tenant_id, std::string_view job_id)> syncs_pending;
  std::function<void()> events_written;  // called after a commit that wrote events (may be empty)
};

class PipelineJobHandler : public JobHandler {
 public:
  // InvalidArgument when the context lacks the pool, the queue, the clock or
  // the provider opener.
  static Result<std::unique_ptr<JobHandler>> Open(const PipelineContext& context);

  Result<std::string> Run(const Job& job) override;

 private:
  explicit PipelineJobHandler(const PipelineContext& context) : context_(context) {}
  // A sync's analyze job: what it carries, the job made of it, and whether
  // the sync's transaction added it (unset: it did not try).
  struct FollowUp {
    AnalyzeJobPayload payload;
    JobToAdd job;
    std::optional<bool> added_in_transaction;
  };

  Result<std::string> RunSync(Db* db, const Job& job);
  // The analysis job of sync `sync_id` (run by job `sync_job_id`): at once
  // or coalesced, as described above; asks `db` about pending syncs.
  Result<JobToAdd> PlanAnalysis(Db* db, const AnalyzeJobPayload& payload,
                                std::string_view sync_job_id, int64_t sync_id);
  // SyncOptions::in_transaction that adds the analysis job (empty without
  // context_.add_in_transaction).
  std::function<Status(Db*, int64_t)> AddAnalysisInTransaction(const Job& sync_job,
                                                               FollowUp* analysis);
  // Hands the analysis job to the queue (adds it when the sync did not) under
  // an analyze.enqueue span. Returns whether it was coalesced into one
  // queued before.
  Result<bool> HandOverAnalysis(Db* db, const Job& sync_job, int64_t sync_id, Trace* trace,
                                FollowUp* analysis);
  Result<std::string> RunAnalyze(Db* db, const Job& job);

  PipelineContext context_;
};

}  // namespace vigil
