// How the CLI shows a sync and an analysis to a person (text) and to a
// program (JSON, stable keys).
#pragma once

#include <string>

#include "pipeline/pipeline.h"

namespace vigil {

// Lines like
//   contoso / graph: sync succeeded (trace 4f1c...)
//     user            120 live: +120 new, 0 changed, 0 deleted, 0 unchanged
//     not available: registration (userRegistrationDetails.json is missing)
//   analysis run-... as of 2026-11-28T00:00:00Z (8 statements to load, 31 to reconcile)
//     mfa        COMPLETE    opened 5, updated 0, resolved 0, reopened 0, unchanged 0
//     policy     INCOMPLETE  policy data: ... (alerts left as they were)
//     stale      shadow v2 COMPLETE would open 0, would resolve 6, ... (with a candidate)
// With errors_inline false, a failed sync gives "" and a failed analysis
// no line: the caller prints the error once, on its error stream.
std::string FormatSyncOutcome(const std::string& tenant, const std::string& source,
                              const std::string& trace_id, const SyncOutcome& outcome,
                              bool errors_inline = true);
std::string FormatAnalysisOutcome(const AnalysisOutcome& analysis);

// The same as one JSON object:
// {"tenant","data_source","trace_id","sync":{"status","error","kinds":{...},
//  "unavailable":{...}},"analysis":{"run_id","as_of","batches":[{"type",
//  "rule_version","status",...}],"statements":{"load","reconcile"},
//  "shadow":[{"type","active_version","candidate_version","status","reason",
//  "would_open","would_resolve","would_change_severity","unchanged"}]}|null}
std::string SyncOutcomeToJson(const std::string& tenant, const std::string& source,
                              const std::string& trace_id, const SyncOutcome& outcome);

}  // namespace vigil
