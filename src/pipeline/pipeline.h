// The pipeline's use cases: sync a data source, then analyze the tenant and
// reconcile its alerts. `vigil sync` and `vigil demo` run them in-process;
// the job handler (job_handler.h) runs them from the queue's workers.
#pragma once

#include <optional>
#include <string>

#include "alerts/alert_manager.h"
#include "alerts/shadow_reconcile.h"
#include "analysis/finding.h"
#include "common/clock.h"
#include "pipeline/provider_opener.h"
#include "observe/trace.h"
#include "providers/provider.h"
#include "store/db.h"
#include "sync/syncer.h"

namespace vigil {

struct AnalysisOutcome {
  AnalysisRun run;
  ReconcileSummary reconcile;
  uint64_t load_statements = 0;
  uint64_t reconcile_statements = 0;
  // The candidate rule versions' shadow runs (alerts/shadow_reconcile.h)
  // recorded after the reconcile; the error when recording them failed
  // (the alerts are reconciled all the same).
  std::vector<ShadowRun> shadow;
  Status shadow_status;
};

// How long an analysis waits for another analysis of the same tenant.
inline constexpr int64_t kAnalysisLockWaitMs = 60000;

// Loads the tenant's DataContext as of `analysis_clock`, runs every analysis
// type at the tenant's active rule version (analysis/rule_runs.h), reconciles
// the batches, then runs the candidate versions in shadow and records them
// (alerts/shadow_reconcile.h). Spans "analyze" > "context.load",
// "analyze.<type>", "reconcile", and with candidates
// "analyze.<type>.shadow" and "reconcile.shadow" go to `trace`.
// `clock` is the wall clock (when changes were written); `analysis_clock` is
// the time the analysis is as of (pinned by `--now`).
//
// One analysis per tenant at a time, on every backend and across
// processes: the tenant's analysis lock (store/advisory_lock.h) is held
// from before the analysis clock is read until the reconcile committed, so
// a later analysis reads the clock, and loads the data, after the earlier
// one's alerts are written. It waits up to `lock_wait_ms` for the lock
// (the analyze span records the wait as "lock_wait_ms"), then fails with
// Unavailable (try again later). Should the lock be lost (a PostgreSQL
// connection that died and came back), the reconcile still refuses data
// older than what it recorded (AlertManager: data_version).
Result<AnalysisOutcome> RunAnalysis(Db* db, const Clock& clock, const Clock& analysis_clock,
                                    int64_t tenant_id, Trace* trace,
                                    int64_t lock_wait_ms = kAnalysisLockWaitMs);

struct SyncOutcome {
  Status status;                            // the sync's; OK when it was applied
  SyncSummary sync;                         // when status is OK
  std::optional<AnalysisOutcome> analysis;  // when the sync succeeded
  Status analysis_status;
};

// provider.fetch -> Syncer::Apply, under span "sync" > "provider.fetch",
// "sync.apply". Each kind the provider could not give is an attribute of
// provider.fetch ("not_available.<kind>" = the reason). A failed fetch is
// recorded as a failed sync. `analysis` stays
// empty: the sync job enqueues the analysis instead.
SyncOutcome RunSync(Db* db, const Clock& clock, int64_t tenant_id, int64_t data_source_id,
                    Provider* provider, const SyncOptions& options, Trace* trace);

// RunSync -> RunAnalysis. A failed fetch or a refused
// or invalid snapshot is recorded as a failed sync and stops there: no
// analysis runs, so no alert resolves. Spans "sync" > "provider.fetch",
// "sync.apply".
SyncOutcome RunSyncAndAnalyze(Db* db, const Clock& clock, const Clock& analysis_clock,
                              int64_t tenant_id, int64_t data_source_id, Provider* provider,
                              const SyncOptions& options, Trace* trace);

// What SyncFromDirectory or SyncStoredSource did.
struct DirectorySync {
  std::string trace_id;
  int64_t tenant_id = 0;       // when setup is OK
  int64_t data_source_id = 0;  // when setup is OK
  std::string source;          // the data source's name, when setup is OK
  Status setup;         // not OK: the directory, tenant or data source was unusable; nothing ran
  SyncOutcome outcome;  // when setup is OK
};

// The whole chain for a directory of answers, as `vigil sync` and
// `vigil demo` run it: opens the directory with `open_directory` (its error
// is the setup's, before anything is written), creates the tenant and its
// data source `source` of the directory provider `provider` (graph_json,
// google_json) when new (the data source remembers the absolute `dir`), then runs
// RunSyncAndAnalyze under a new trace whose root span is "trigger" (with the
// attribute by=`trigger`), and stores the trace's spans.
DirectorySync SyncFromDirectory(Db* db, const Clock& clock, const Clock& analysis_clock,
                                const std::string& tenant, const std::string& source,
                                const std::string& dir, const SyncOptions& options,
                                const std::string& trigger, const DirectoryOpener& open_directory,
                                const std::string& provider = "graph_json");

// The same chain for a data source already stored, through its own provider
// (a live microsoft365 or google_workspace connection, or the directory or
// generator it was created with), as `vigil sync` without --from-dir runs
// it. `source` names the data source; empty: the tenant's only one. Setup
// errors, before anything is written: the tenant does not exist (NotFound;
// it is never created here), no data source of that name (NotFound, naming
// the tenant's data sources), an empty `source` while the tenant has
// several (InvalidArgument, naming them), or the provider cannot be opened
// (its error, e.g. no secret key to unseal the client secret).
DirectorySync SyncStoredSource(Db* db, const Clock& clock, const Clock& analysis_clock,
                               const std::string& tenant, const std::string& source,
                               const SyncOptions& options, const std::string& trigger,
                               const ProviderOpener& open_provider);

}  // namespace vigil
