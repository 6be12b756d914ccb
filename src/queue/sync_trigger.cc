#include "queue/sync_trigger.h"

#include "common/ids.h"
#include "observe/trace.h"
#include "queue/pipeline_jobs.h"
#include "store/span_store.h"

namespace vigil {

Result<TriggeredSync> TriggerSync(Db* db, Queue* queue, const Clock& clock, int64_t tenant_id,
                                  int64_t data_source_id, const TriggerOptions& options) {
  Trace trace(NewTraceId(), &clock, [db] { return db->statements_executed(); });
  Result<AddResult> added = Status::Ok();
  {
    auto span = trace.StartSpan("trigger", tenant_id);
    span.SetAttribute("by", options.by);
    span.SetAttribute("data_source", std::to_string(data_source_id));
    SyncJobPayload payload;
    payload.tenant_id = tenant_id;
    payload.data_source_id = data_source_id;
    payload.trace_id = trace.trace_id();
    payload.parent_span_id = trace.CurrentSpanId();
    payload.trigger = options.by;
    payload.force = options.force;
    added = queue->Add(kSyncJob, ToJson(payload), SyncJobOptions(tenant_id, options.job_id));
    if (!added.ok()) span.SetError(added.status().message());
    if (added.ok()) span.SetAttribute("job", added->job_id);
  }
  VIGIL_RETURN_IF_ERROR(added.status());
  TriggeredSync result{trace.trace_id(), added->job_id, added->added};
  if (!added->added) {
    Result<JobInfo> existing = queue->Get(added->job_id);
    if (existing.ok()) result.trace_id = TraceIdOfPayload(existing->payload);
    return result;
  }
  VIGIL_RETURN_IF_ERROR(SaveSpans(db, trace.TakeFinished()).Prefixed("storing the trigger span"));
  return result;
}

}  // namespace vigil
