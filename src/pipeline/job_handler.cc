#include "pipeline/job_handler.h"

#include <nlohmann/json.hpp>

#include "pipeline/pipeline.h"
#include "queue/pipeline_jobs.h"
#include "store/span_store.h"
#include "store/tenants.h"

namespace vigil {
namespace {

// A trace continuing the payload's, with the queue wait recorded first.
Trace ContinueTrace(Db* db, const Clock* clock, const Job& job, int64_t tenant_id,
                    const std::string& trace_id, const std::string& parent_span_id) {
  Trace trace(trace_id, clock, [db] { return db->statements_executed(); }, parent_span_id);
  const TimeMs due = std::min(job.due_at, job.started_at);
  trace.AddFinishedSpan("queue.wait", tenant_id, due, (job.started_at - due) * 1000, 0);
  return trace;
}

// The span of the job itself, "job.<name>", with its id and attempt.
Trace::Scope StartJobSpan(Trace* trace, const Job& job, int64_t tenant_id) {
  auto span = trace->StartSpan("job." + job.name, tenant_id);
  span.SetAttribute("job", job.id);
  span.SetAttribute("attempt", std::to_string(job.attempt));
  return span;
}

// Stores the trace's spans; a failure to store them fails a job that
// otherwise succeeded (its trace would be incomplete).
Result<std::string> Finish(Db* db, Trace* trace, Result<std::string> result) {
  Status saved = SaveSpans(db, trace->TakeFinished());
  if (!saved.ok() && result.ok()) return saved.Prefixed("storing the trace");
  return result;
}

}  // namespace

Result<std::unique_ptr<JobHandler>> PipelineJobHandler::Open(const PipelineContext& context) {
  if (context.db_pool == nullptr || context.queue == nullptr || context.clock == nullptr ||
      !context.open_provider) {
    return Status::InvalidArgument(
        "pipeline job handler: db_pool, queue, clock and open_provider are required");
  }
  return std::unique_ptr<JobHandler>(new PipelineJobHandler(context));
}

Result<std::string> PipelineJobHandler::Run(const Job& job) {
  if (job.name != kSyncJob && job.name != kAnalyzeJob) {
    return Status::InvalidArgument("unknown job name \"" + job.name +
                                   "\" (known: sync, analyze)");
  }
  VIGIL_ASSIGN_OR_RETURN(DbLease db, context_.db_pool->Acquire());
  if (job.name == kSyncJob) return RunSync(db.get(), job);
  return RunAnalyze(db.get(), job);
}

Result<JobToAdd> PipelineJobHandler::PlanAnalysis(Db* db, const AnalyzeJobPayload& payload,
                                                  std::string_view sync_job_id,
                                                  int64_t sync_id) {
  bool coalesce = context_.coalesce_window_ms > 0;
  if (coalesce && context_.syncs_pending) {
    Result<bool> pending = context_.syncs_pending(db, payload.tenant_id, sync_job_id);
    if (!pending.ok()) return pending.status().Prefixed("looking for other syncs of the tenant");
    coalesce = *pending;
  }
  if (!coalesce) return ImmediateAnalyzeJob(payload, sync_id);
  return AnalyzeJob(payload, context_.clock->NowMs(), context_.coalesce_window_ms);
}

std::function<Status(Db*, int64_t)> PipelineJobHandler::AddAnalysisInTransaction(
    const Job& sync_job, FollowUp* analysis) {
  if (!context_.add_in_transaction) return nullptr;
  return [this, &sync_job, analysis](Db* tx_db, int64_t sync_id) -> Status {
    Result<JobToAdd> planned = PlanAnalysis(tx_db, analysis->payload, sync_job.id, sync_id);
    if (!planned.ok()) return planned.status().Prefixed("adding the analysis job");
    analysis->job = std::move(planned).value();
    const TimeMs now = context_.clock->NowMs();
    Result<AddResult> added = context_.add_in_transaction(tx_db, analysis->job, now);
    if (!added.ok()) return added.status().Prefixed("adding the analysis job");
    analysis->added_in_transaction = added->added;
    return Status::Ok();
  };
}

Result<bool> PipelineJobHandler::HandOverAnalysis(Db* db, const Job& sync_job, int64_t sync_id,
                                                  Trace* trace, FollowUp* analysis) {
  auto span = trace->StartSpan("analyze.enqueue", analysis->payload.tenant_id);
  const std::optional<bool> in_tx = analysis->added_in_transaction;
  if (!in_tx) {
    Result<JobToAdd> planned = PlanAnalysis(db, analysis->payload, sync_job.id, sync_id);
    if (!planned.ok()) {
      span.SetError(planned.status().message());
      return planned.status().Prefixed("enqueueing the analysis");
    }
    analysis->job = std::move(planned).value();
  }
  const JobToAdd& job = analysis->job;
  Result<AddResult> added = context_.queue->Add(job.name, job.payload, job.options);
  if (!added.ok() && !in_tx) {
    span.SetError(added.status().message());
    return added.status().Prefixed("enqueueing the analysis");
  }
  // A job that committed with the sync is handed over later when this
  // fails (the reconciler, or the local queue's poll).
  if (!added.ok()) span.SetAttribute("handover_error", added.status().message());
  const bool coalesced = in_tx ? !*in_tx : !added->added;
  span.SetAttribute("job", job.options.job_id);
  span.SetAttribute("coalesced", coalesced ? "yes" : "no");
  if (coalesced) {
    Result<JobInfo> existing = context_.queue->Get(job.options.job_id);
    if (existing.ok()) span.SetAttribute("analysis_trace", TraceIdOfPayload(existing->payload));
  }
  return coalesced;
}

Result<std::string> PipelineJobHandler::RunSync(Db* db, const Job& job) {
  VIGIL_ASSIGN_OR_RETURN(SyncJobPayload payload, ParseSyncJobPayload(job.payload));
  Trace trace = ContinueTrace(db, context_.clock, job, payload.tenant_id, payload.trace_id,
                              payload.parent_span_id);
  Result<std::string> result = [&]() -> Result<std::string> {
    auto span = StartJobSpan(&trace, job, payload.tenant_id);
    auto fail = [&](Status status) {
      span.SetError(status.message());
      return status;
    };
    Result<DataSourceRow> source = GetDataSource(db, payload.data_source_id);
    if (!source.ok()) return fail(source.status());
    if (source->tenant_id != payload.tenant_id) {
      return fail(Status::InvalidArgument(
          "data source " + std::to_string(source->id) + " belongs to tenant " +
          std::to_string(source->tenant_id) + ", not " + std::to_string(payload.tenant_id)));
    }
    Result<std::unique_ptr<Provider>> provider =
        context_.open_provider(*source, ProviderContext{db, context_.clock});
    if (!provider.ok()) return fail(provider.status());
    // The analysis continues the trace below this job's span.
    FollowUp analysis;
    analysis.payload = {payload.tenant_id, payload.trace_id, trace.CurrentSpanId()};
    SyncOptions options;
    options.force = payload.force;
    options.in_transaction = AddAnalysisInTransaction(job, &analysis);
    SyncOutcome outcome = vigil::RunSync(db, *context_.clock, payload.tenant_id, source->id,
                                         provider->get(), options, &trace);
    if (context_.events_written) context_.events_written();  // sync.completed or sync.failed
    if (!outcome.status.ok()) return fail(outcome.status);
    Result<bool> coalesced =
        HandOverAnalysis(db, job, outcome.sync.sync_id, &trace, &analysis);
    if (!coalesced.ok()) return fail(coalesced.status());
    int64_t created = 0, updated = 0, deleted = 0;
    for (const auto& [kind, counts] : outcome.sync.kinds) {
      created += counts.created;
      updated += counts.updated;
      deleted += counts.deleted;
    }
    return nlohmann::json{{"sync_id", outcome.sync.sync_id},
                          {"created", created},
                          {"updated", updated},
                          {"deleted", deleted},
                          {"analyze_job", analysis.job.options.job_id},
                          {"coalesced", *coalesced}}
        .dump();
  }();
  return Finish(db, &trace, std::move(result));
}

Result<std::string> PipelineJobHandler::RunAnalyze(Db* db, const Job& job) {
  VIGIL_ASSIGN_OR_RETURN(AnalyzeJobPayload payload, ParseAnalyzeJobPayload(job.payload));
  Trace trace = ContinueTrace(db, context_.clock, job, payload.tenant_id, payload.trace_id,
                              payload.parent_span_id);
  Result<std::string> result = [&]() -> Result<std::string> {
    auto span = StartJobSpan(&trace, job, payload.tenant_id);
    Result<AnalysisOutcome> outcome =
        RunAnalysis(db, *context_.clock, *context_.clock, payload.tenant_id, &trace);
    if (!outcome.ok()) {
      span.SetError(outcome.status().message());
      return outcome.status();
    }
    if (context_.events_written) context_.events_written();
    const ReconcileSummary& r = outcome->reconcile;
    return nlohmann::json{{"run_id", outcome->run.run_id},
                          {"opened", r.opened},
                          {"updated", r.updated},
                          {"resolved", r.resolved},
                          {"reopened", r.reopened},
                          {"unchanged", r.unchanged},
                          {"statements", outcome->load_statements + r.statements}}
        .dump();
  }();
  return Finish(db, &trace, std::move(result));
}

}  // namespace vigil
