// The two jobs of vigil's pipeline and their payloads (JSON objects):
//   "sync"    {tenant_id, data_source_id, trace_id, parent_span_id, trigger, force}
//   "analyze" {tenant_id, trace_id, parent_span_id}
// The trace id is created at the trigger and travels in every payload, so the
// spans of a job continue the trace of what caused it.
//
// Coalescing: an analyze job's id is "analyze:<tenant>:<window index>", and it
// is due at the end of that window. Every sync of the tenant that completes in
// the window adds the same id (deduplicated), so a burst of syncs yields one
// analysis, which starts after all of them committed. A sync with no other
// sync of its tenant to wait for adds "analyze:<tenant>:sync<sync id>", due
// at once (ImmediateAnalyzeJob).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"

namespace vigil {

inline constexpr std::string_view kSyncJob = "sync";
inline constexpr std::string_view kAnalyzeJob = "analyze";

struct SyncJobPayload {
  int64_t tenant_id = 0;
  int64_t data_source_id = 0;
  std::string trace_id;
  std::string parent_span_id;
  std::string trigger;  // "schedule", "cli", "api", "webhook"
  bool force = false;
};

struct AnalyzeJobPayload {
  int64_t tenant_id = 0;
  std::string trace_id;
  std::string parent_span_id;
};

std::string ToJson(const SyncJobPayload& payload);
std::string ToJson(const AnalyzeJobPayload& payload);

// Parse a job's payload. InvalidArgument naming the field when the text is
// not a JSON object, a field is missing or has the wrong type, or an id is
// not positive: e.g. `sync payload: "data_source_id": expected a positive integer`.
Result<SyncJobPayload> ParseSyncJobPayload(std::string_view json);
Result<AnalyzeJobPayload> ParseAnalyzeJobPayload(std::string_view json);

// The trace id in any pipeline payload, "" when there is none (listings).
std::string TraceIdOfPayload(std::string_view json);

// Options of a sync job: 3 attempts, exponential backoff from 5 s, grouped by tenant.
JobOptions SyncJobOptions(int64_t tenant_id, std::string job_id);

// The analyze job for `tenant_id` of the coalescing window that contains
// `now`: its id, due at the window's end (a window of 0 ms: due now, id by `now`).
struct AnalyzeJobPlan {
  std::string job_id;
  int64_t delay_ms = 0;
};
AnalyzeJobPlan PlanAnalyzeJob(int64_t tenant_id, TimeMs now, int64_t window_ms);

// A job as Queue::Add takes it.
struct JobToAdd {
  std::string name;
  std::string payload;
  JobOptions options;
};

// The analyze job of PlanAnalyzeJob: 3 attempts, fixed 2 s backoff, grouped
// by tenant.
JobToAdd AnalyzeJob(const AnalyzeJobPayload& payload, TimeMs now, int64_t window_ms);

// The analyze job that follows sync `sync_id` at once: id
// "analyze:<tenant>:sync<sync id>" (one per sync, so never deduplicated into
// an analysis that started before the sync committed), due now; attempts,
// backoff and group as AnalyzeJob's.
JobToAdd ImmediateAnalyzeJob(const AnalyzeJobPayload& payload, int64_t sync_id);

// Adds AnalyzeJob(payload, now, window_ms) to `queue`. `added` is false when
// a sync earlier in the window already added it.
Result<AddResult> EnqueueAnalyze(Queue* queue, const AnalyzeJobPayload& payload, TimeMs now,
                                 int64_t window_ms);

}  // namespace vigil
