// PipelineJobHandler: runs vigil's pipeline jobs (queue/pipeline_jobs.h) in a
// worker thread, each handler with a database connection of its own.
//
//   sync     provider.fetch -> Syncer::Apply, then adds the tenant's analyze
//            job of the coalescing window (a sync of a tenant whose analysis
//            is already queued for the window adds nothing).
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
#include <string>

#include "common/clock.h"
#include "queue/queue.h"
#include "queue/worker.h"
#include "store/db.h"

namespace vigil {

struct PipelineContext {
  std::function<Result<std::unique_ptr<Db>>()> open_db;
  Queue* queue = nullptr;         // where sync jobs add analyze jobs
  const Clock* clock = nullptr;   // wall clock; the analysis is as of its time
  int64_t coalesce_window_ms = 2000;
  std::function<void()> events_written;  // called after a commit that wrote events (may be empty)
};

class PipelineJobHandler : public JobHandler {
 public:
  // Opens the handler's own connection.
  static Result<std::unique_ptr<JobHandler>> Open(const PipelineContext& context);

  Result<std::string> Run(const Job& job) override;

 private:
  PipelineJobHandler(const PipelineContext& context, std::unique_ptr<Db> db)
      : context_(context), db_(std::move(db)) {}
  Result<std::string> RunSync(const Job& job);
  Result<std::string> RunAnalyze(const Job& job);

  PipelineContext context_;
  std::unique_ptr<Db> db_;
};

}  // namespace vigil
