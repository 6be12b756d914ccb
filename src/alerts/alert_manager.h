// AlertManager: reconciles the batches of an analysis run with a tenant's
// alerts, their history, their tags and the analysis ledger, in ONE
// transaction. This is where invariants 1-7 of docs/ARCHITECTURE.md hold.
//
// For each batch of the run, by its analysis type T:
//   - already recorded (the ledger's run_id or last_complete_run_id for T is
//     this run's): skipped; nothing changes (invariant 4).
//   - stale: run.data_version older than the data of the last batch
//     recorded for T (an analysis of an older snapshot arriving after one of
//     a newer), or run.as_of older than the last COMPLETE as_of for T, or
//     (for a batch that is not COMPLETE) older than the last batch recorded
//     for T: skipped; nothing changes. Equal is not stale: of two runs with
//     the same data and clock, the later arrival wins.
//   - INCOMPLETE or FAILED, or COMPLETE but rejected by CheckBatch (unknown
//     alert type, one of another analysis type, duplicate subject, ...): no
//     alert and no tag of T changes; the ledger records the status and reason
//     and keeps the last COMPLETE run (invariant 2).
//   - COMPLETE: afterwards the open alerts of (tenant, T) are exactly its
//     findings (invariants 1, 3):
//       finding without alert      -> insert open        + history "opened"
//       finding of resolved alert  -> reopen             + history "reopened"
//       open alert, severity or details digest changed
//                                  -> update             + history "updated"
//       open alert without finding -> resolve at as_of   + history "resolved"
//     History reasons: "finding appeared", "finding reappeared", "severity
//     changed from A to B" (with " (severity override)" when the finding's
//     severity is the tenant's override) and/or "details changed", and for a
//     resolve "excluded (exclusion N: <its reason>)" when the batch lists the
//     alert's key among its excluded findings, otherwise "finding no longer
//     present in complete batch".
//     last_seen of its open alerts becomes run.as_of (no history). When any
//     alert of T changed state, entity_tags of (tenant, T) are rebuilt from
//     its open alerts (invariant 7). The ledger records the run as T's last
//     COMPLETE one.
// Flap damping (alerts/flap_damping.h) then marks flapping the alerts that
// existed before the run and changed state at least flap_threshold times
// within flap_window (tenant preferences; history "flapping", state
// unchanged), and stable the flapping alerts of the applied types that held
// one state for a whole window (history "stable"). Stability is noticed at
// the tenant's next analysis (of the alert's type), not when the window
// ends.
// Only rows of (run.tenant_id, T) are read or written for T (invariant 5).
// Every history row is a real change; folding it reproduces the alert row
// (invariant 6, see history_fold.h).
//
// The day's open alerts: when the run recorded at least one batch, the same
// transaction records the tenant's open alerts as the count of the UTC day
// of run.as_of (alerts/open_alert_days.h, the console's trend).
//
// Events: when the run recorded at least one batch (applied or not
// complete), the same transaction appends to the event outbox
// (events/outbox.h) one `alert.<transition>` event per AlertChange, in the
// order of ReconcileSummary::changes (the run's transitions, then its
// `alert.flapping` and `alert.stable`), then one `analysis.completed` whose
// batches are the recorded ones with their recorded status. A run whose
// batches were all duplicates or stale appends nothing (invariant 4 covers
// the outbox too). Events carry run.trace_id; an alert event is "muted"
// (with the alert's snoozed_until) when the alert is snoozed beyond the
// change (alerts/alert_actions.h). After Reconcile returns, the
// caller may wake an in-process relay (OutboxRelay::Notify).
//
// Times: history `at`, first_seen, last_seen and resolved_at are run.as_of;
// updated_at, the ledger's applied_at and the events' `at` are the Clock's
// time.
//
// Thread safety: one Reconcile at a time per AlertManager (it uses `db`,
// which belongs to one thread). Concurrent reconciles of one tenant, from
// any thread or process, run one after another: the first statement reads
// the ledger through the tenant's row, locked until the commit on
// PostgreSQL (SQLite's BEGIN IMMEDIATE serializes every writer). The later
// one then sees what the earlier one wrote, and the ledger makes it a
// no-op or stale as appropriate. Writes to an alert are guarded by the
// state the reconcile read, so a history row can never record a transition
// into the state its alert is already in: the multi-row UPDATE of a kind of
// transition changes only the alerts still in the expected state, and
// when it changed fewer than it was given the reconcile fails naming the
// first it did not change, and rolls back (alert_writer.h).
//
// Steps, in order (alert_manager.cc): read the ledger; triage the batches
// (applied, duplicate, stale, not complete); for the COMPLETE ones read
// their alerts, plan every transition (reconcile_plan.h) and write the plan
// with multi-row statements, move last_seen, rebuild the tags; upsert the
// ledger; record the day's open count; append the events; commit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/finding.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// What happened to one batch.
enum class BatchOutcome {
  kApplied,      // COMPLETE and reconciled
  kDuplicate,    // this run was already recorded for its type: nothing changed
  kStale,        // older than what the ledger holds for its type (see above): nothing changed
  kNotComplete,  // INCOMPLETE or FAILED (possibly by CheckBatch): recorded, alerts untouched
};
// "applied", "skipped", "stale", "not-complete".
std::string_view BatchOutcomeName(BatchOutcome outcome);

// One change of one alert, in the order they were made (for events).
struct AlertChange {
  int64_t alert_id = 0;
  std::string analysis_type;
  std::string alert_type;
  std::string subject;
  std::string subject_name;
  // "opened", "updated", "resolved", "reopened", "flapping", "stable"
  std::string transition;
  std::string severity;  // after the change
  std::string reason;    // as in the history row
  // The severity before the change when the change altered it (an update
  // or a reopen); none otherwise.
  std::optional<std::string> previous_severity;
  bool flapping = false;  // whether the alert is flapping after the change
};

struct BatchSummary {
  std::string analysis_type;
  BatchOutcome outcome = BatchOutcome::kApplied;
  // The status recorded in the ledger: the batch's own, or FAILED when
  // CheckBatch rejected a COMPLETE batch. Meaningless for kDuplicate/kStale.
  BatchStatus status = BatchStatus::kComplete;
  std::string reason;  // why not applied; empty when applied
  // Applied only: the batch's notes (Batch::notes), what it could not look
  // at for some data sources; recorded, joined by "; ", as the ledger's reason.
  std::vector<std::string> notes;
  int opened = 0;
  int updated = 0;
  int resolved = 0;
  int reopened = 0;
  int unchanged = 0;  // open alerts whose finding is unchanged
};

struct ReconcileSummary {
  std::vector<BatchSummary> batches;  // in the run's batch order
  std::vector<AlertChange> changes;
  // Totals over `batches`.
  int opened = 0;
  int updated = 0;
  int resolved = 0;
  int reopened = 0;
  int unchanged = 0;
  // Statements the reconcile executed (Db::statements_executed delta).
  uint64_t statements = 0;

  // "mfa: applied (opened 2, updated 0, resolved 1, reopened 0, unchanged 3);
  //  license: not-complete FAILED: <reason>; ..." for logs and the CLI.
  std::string ToString() const;
};

class AlertManager {
 public:
  // Borrows `db` and `clock`; both must outlive the AlertManager.
  AlertManager(Db* db, const Clock* clock) : db_(db), clock_(clock) {}
  AlertManager(const AlertManager&) = delete;
  AlertManager& operator=(const AlertManager&) = delete;

  // Reconciles every batch of `run` as described above, all in one
  // transaction of its own (so not inside a transaction already open on
  // `db`). Fails without changing anything:
  //   - InvalidArgument when run.run_id is empty or two batches share an
  //     analysis type;
  //   - NotFound "no tenant with id N" when run.tenant_id names no tenant;
  //   - with the Db's error (the statement named) when a read or write fails.
  // Statements (counted by Db::statements_executed, see summary.statements):
  // 1 to read the ledger; when a COMPLETE batch applies, 1 to read the alerts
  // of those types and 1 to move last_seen, and for each kind of change
  // (opened, reopened, updated, resolved, renamed only) with n alerts,
  // ceil(n / kAlertRowsPerStatement) (500, alert_writer.h) for the rows and
  // as many for their history rows (renames have none); flap damping's
  // (flap_damping.h: none unless an alert that existed before the run
  // changed state or an alert read is flapping; then 1 for the tenant's
  // preferences, ceil(n / 500) to count the state changes of the n alerts
  // that changed state, and for the alerts marked flapping or stable
  // ceil(m / 500) each for the flags and the history rows); 2 to rebuild
  // the tags when any alert changed state; when any batch is recorded, 1 to
  // upsert the ledger, 1 to record the day's open count and 1 per
  // kOutboxRowsPerStatement (256) events to append them (changes + 1). A
  // run that changes nothing costs 6 whatever the number of alerts; a
  // re-delivered run costs 1; a first run that opens 80,000 alerts costs 640
  // (new alerts cannot flap: no flap query).
  Result<ReconcileSummary> Reconcile(const AnalysisRun& run);

 private:
  Db* db_;
  const Clock* clock_;
};

}  // namespace vigil
