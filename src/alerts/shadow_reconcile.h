// Shadow reconcile: records the batches of candidate rule versions
// (analysis/rule_runs.h RunCandidates) in a tenant's shadow state, never in
// its alerts. It reads and writes only
//   shadow_alerts  the candidate's findings as of its last COMPLETE batch,
//                  per (tenant, alert type, subject), with first_seen;
//   shadow_runs    per (tenant, analysis type) the last shadow run: its
//                  versions, status, and its diff (analysis/batch_diff.h)
//                  against the active version's batch of the same run.
// Alerts, alert history, tags, the analysis ledger and the event outbox are
// untouched, so a shadow run notifies no one and changes no alert.
//
// A candidate is recorded only when the active batch of its type was
// recorded by the AlertManager in the same run (applied or not complete);
// when the ledger found that batch a duplicate or stale, so is the shadow.
// When the candidate batch is not COMPLETE, shadow_runs records its status
// and reason and shadow_alerts keep the last COMPLETE state. When the active
// batch is not COMPLETE there is nothing to compare with: the diff is empty
// and the reason says why.
//
// Statements, in one transaction: 1 to read the shadow alerts of the
// recorded types (when a candidate is COMPLETE), ceil(n / 500) to insert or
// update n changed findings, ceil(m / 500) to delete m gone ones, 1 to
// upsert the runs. Nothing when no candidate is recorded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "analysis/batch_diff.h"
#include "analysis/finding.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

inline constexpr size_t kShadowExamplesPerChange = 5;

struct ShadowRun {
  std::string analysis_type;
  int active_version = 1;
  int candidate_version = 1;
  std::string status;  // the candidate batch's: "COMPLETE", "INCOMPLETE", "FAILED"
  std::string reason;  // why there is no diff; empty when there is one
  BatchDiff diff;
};

// Records `candidates` (each of another analysis type) for `run`, whose
// AlertManager summary is `applied`. Returns the runs recorded. The Db's
// error, naming the statement, when a read or write fails; then nothing is
// recorded.
Result<std::vector<ShadowRun>> ReconcileShadow(Db* db, const Clock& clock, const AnalysisRun& run,
                                               const std::vector<Batch>& candidates,
                                               const ReconcileSummary& applied);

// [{"change", "alert_type", "subject", "subject_name", "severity",
//   "from_severity" (would_change_severity only)}], as stored and shown.
nlohmann::ordered_json DiffExamplesJson(const std::vector<DiffExample>& examples);

// A stored shadow run, as `vigil rollout diff` and the API show it.
struct StoredShadowRun {
  std::string tenant;
  ShadowRun run;
  std::string run_id;
  std::string trace_id;
  TimeMs as_of = 0;
};

// The stored shadow runs of `analysis_type` (every type when empty), of
// tenant `tenant_id` (every tenant when 0), by tenant name then type. One
// statement.
Result<std::vector<StoredShadowRun>> LoadShadowRuns(Db* db, std::string_view analysis_type,
                                                    int64_t tenant_id);

}  // namespace vigil
