#include "alerts/alert_manager.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "alerts/alert_writer.h"
#include "alerts/analysis_ledger.h"
#include "alerts/batch_check.h"
#include "alerts/flap_damping.h"
#include "alerts/open_alert_days.h"
#include "alerts/reconcile_plan.h"
#include "common/time.h"
#include "events/event_payloads.h"
#include "events/outbox.h"

namespace vigil {
namespace {

Status CheckRun(const AnalysisRun& run) {
  if (run.run_id.empty()) return Status::InvalidArgument("analysis run without a run id");
  std::set<std::string_view> types;
  for (const Batch& b : run.batches) {
    if (!types.insert(b.analysis_type).second) {
      return Status::InvalidArgument("run " + run.run_id + " has two batches of analysis type \"" +
                                     b.analysis_type + "\"");
    }
  }
  return Status::Ok();
}

// Marks `*s` (the batch's own outcome so far) kDuplicate or kStale when the
// ledger row `ledger` of its type says so, and returns whether it did.
bool SkipIfRecorded(const AnalysisRun& run, const LedgerEntry* ledger, BatchSummary* s) {
  if (ledger == nullptr) return false;
  if (ledger->run_id == run.run_id || ledger->last_complete_run_id == run.run_id) {
    s->outcome = BatchOutcome::kDuplicate;
    s->reason = "run " + run.run_id + " was already recorded for " + s->analysis_type;
    return true;
  }
  if (run.data_version < ledger->data_version) {
    s->outcome = BatchOutcome::kStale;
    s->reason = "analysis of data version " + std::to_string(run.data_version) +
                " is older than the data of the last recorded analysis of " + s->analysis_type +
                " (version " + std::to_string(ledger->data_version) + ", run " + ledger->run_id +
                ")";
    return true;
  }
  if (ledger->last_complete_as_of && run.as_of < *ledger->last_complete_as_of) {
    s->outcome = BatchOutcome::kStale;
    s->reason = "analysis as of " + FormatIso8601(run.as_of) +
                " is older than the last complete analysis of " + s->analysis_type + " (" +
                FormatIso8601(*ledger->last_complete_as_of) + ", run " +
                ledger->last_complete_run_id.value_or("?") + ")";
    return true;
  }
  // News of a failure older than what the ledger already recorded changes nothing.
  if (s->outcome != BatchOutcome::kApplied && run.as_of < ledger->as_of) {
    s->outcome = BatchOutcome::kStale;
    s->reason = "analysis as of " + FormatIso8601(run.as_of) +
                " is older than the last recorded analysis of " + s->analysis_type + " (" +
                FormatIso8601(ledger->as_of) + ", run " + ledger->run_id + ")";
    return true;
  }
  return false;
}

// The ledger row of `batch`'s type after recording it with outcome `s`
// (kApplied or kNotComplete). The row's run fields describe the newest batch
// recorded (by as_of); its last_complete fields the newest COMPLETE one. A
// COMPLETE batch older than a recorded failure updates only the latter.
LedgerEntry LedgerRecord(const AnalysisRun& run, const Batch& batch, const BatchSummary& s,
                         TimeMs now, const LedgerEntry* previous) {
  const bool applied = s.outcome == BatchOutcome::kApplied;
  if (applied && previous != nullptr && run.as_of < previous->as_of) {
    LedgerEntry kept = *previous;
    kept.last_complete_run_id = run.run_id;
    kept.last_complete_as_of = run.as_of;
    kept.data_version = std::max(previous->data_version, run.data_version);
    kept.rule_version = batch.rule_version;
    return kept;
  }
  LedgerEntry entry;
  entry.analysis_type = batch.analysis_type;
  entry.run_id = run.run_id;
  entry.as_of = run.as_of;
  entry.status = std::string(BatchStatusName(s.status));
  entry.reason = s.reason;
  for (const std::string& note : s.notes) {
    entry.reason += (entry.reason.empty() ? "" : "; ") + note;
  }
  entry.batch_digest = BatchDigest(batch);
  entry.applied_at = now;
  entry.trace_id = run.trace_id;
  entry.data_version = run.data_version;  // SkipIfRecorded refused anything older
  entry.rule_version = batch.rule_version;
  if (applied) {
    entry.last_complete_run_id = run.run_id;
    entry.last_complete_as_of = run.as_of;
  } else if (previous != nullptr) {
    entry.last_complete_run_id = previous->last_complete_run_id;
    entry.last_complete_as_of = previous->last_complete_as_of;
    entry.rule_version = previous->rule_version;
  }
  return entry;
}

// The snooze end of every alert of `alerts` snoozed beyond `now`, by id:
// their events are muted. (A new alert cannot be snoozed yet.)
std::map<int64_t, TimeMs> SnoozedAlerts(const LoadedAlerts& alerts, TimeMs now) {
  std::map<int64_t, TimeMs> snoozed;
  for (const LoadedAlert& e : alerts.rows) {
    if (e.snoozed_until && *e.snoozed_until > now) snoozed.emplace(e.id, *e.snoozed_until);
  }
  return snoozed;
}

// The events announcing what `summary` recorded: one per alert change, in
// order (muted for the alerts in `snoozed`), then the run's
// analysis.completed (its batches: those recorded).
std::vector<Event> RunEvents(const AnalysisRun& run, const ReconcileSummary& summary, TimeMs now,
                             const std::map<int64_t, TimeMs>& snoozed) {
  std::vector<Event> events;
  events.reserve(summary.changes.size() + 1);
  for (const AlertChange& c : summary.changes) {
    AlertChangedPayload payload{c.transition, run.tenant_id, c.alert_id, run.run_id,
                                c.alert_type, c.subject,     c.severity, c.previous_severity,
                                c.flapping,   std::nullopt,  c.reason};
    if (auto it = snoozed.find(c.alert_id); it != snoozed.end()) payload.snoozed_until = it->second;
    events.push_back(ToEvent(payload, run.trace_id, now));
  }
  AnalysisCompletedPayload completed;
  completed.tenant_id = run.tenant_id;
  completed.run_id = run.run_id;
  for (const BatchSummary& b : summary.batches) {
    if (b.outcome != BatchOutcome::kApplied && b.outcome != BatchOutcome::kNotComplete) continue;
    completed.batches.emplace_back(b.analysis_type, std::string(BatchStatusName(b.status)));
  }
  completed.opened = summary.opened;
  completed.updated = summary.updated;
  completed.resolved = summary.resolved;
  completed.reopened = summary.reopened;
  events.push_back(ToEvent(completed, run.trace_id, now));
  return events;
}

// What the ledger says of each batch of a run (step 2 of a reconcile).
struct Triage {
  std::vector<LedgerEntry> records;                        // ledger rows to write
  std::vector<std::pair<const Batch*, size_t>> to_apply;  // batch, index in summary.batches
  std::vector<std::string> complete_types;                // the types of to_apply
};

// Decides each batch's outcome (applied, duplicate, stale, not complete) and
// its ledger row, into `summary->batches` in the run's order.
Triage TriageBatches(const AnalysisRun& run, const std::map<std::string, LedgerEntry>& ledger,
                     TimeMs now, ReconcileSummary* summary) {
  Triage triage;
  for (const Batch& batch : run.batches) {
    auto found = ledger.find(batch.analysis_type);
    const LedgerEntry* previous = found == ledger.end() ? nullptr : &found->second;
    BatchSummary s;
    s.analysis_type = batch.analysis_type;
    s.status = batch.status;
    if (batch.status != BatchStatus::kComplete) {
      s.outcome = BatchOutcome::kNotComplete;
      s.reason = batch.reason.empty() ? "no reason given" : batch.reason;
    } else if (Status check = CheckBatch(batch); !check.ok()) {
      s.outcome = BatchOutcome::kNotComplete;
      s.status = BatchStatus::kFailed;
      s.reason = "invalid batch: " + check.message();
    }
    if (SkipIfRecorded(run, previous, &s)) {
      summary->batches.push_back(std::move(s));
      continue;
    }
    if (s.outcome == BatchOutcome::kApplied) {
      s.notes = batch.notes;
      triage.to_apply.emplace_back(&batch, summary->batches.size());
      triage.complete_types.push_back(batch.analysis_type);
    }
    triage.records.push_back(LedgerRecord(run, batch, s, now, previous));
    summary->batches.push_back(std::move(s));
  }
  return triage;
}

// Applies the COMPLETE batches of `triage` (step 3): reads their alerts,
// plans every transition, writes them with multi-row statements, damps
// flapping alerts, moves last_seen and rebuilds the tags of the types whose
// alerts changed state.
// Sets `summary->changes` and the snoozes of the alerts read.
Status ApplyCompleteBatches(Db* db, const AnalysisRun& run, const ChangeStamp& stamp,
                            const Triage& triage, ReconcileSummary* summary,
                            std::map<int64_t, TimeMs>* snoozed) {
  VIGIL_ASSIGN_OR_RETURN(LoadedAlerts alerts,
                         LoadAlerts(db, run.tenant_id, triage.complete_types));
  *snoozed = SnoozedAlerts(alerts, stamp.now);
  ReconcilePlan plan;
  for (const auto& [batch, index] : triage.to_apply) {
    PlanBatch(*batch, &alerts, &summary->batches[index], &plan);
  }
  AlertWriter writer(db, run.tenant_id, stamp);
  VIGIL_RETURN_IF_ERROR(WritePlan(&writer, &plan));
  VIGIL_RETURN_IF_ERROR(DampFlaps(db, run.tenant_id, &writer, stamp, alerts, &plan.changes));
  summary->changes = std::move(plan.changes);
  VIGIL_RETURN_IF_ERROR(writer.TouchLastSeen(triage.complete_types));
  return writer.ProjectTags(plan.retag_types);
}

void AddTotals(ReconcileSummary* summary) {
  for (const BatchSummary& b : summary->batches) {
    summary->opened += b.opened;
    summary->updated += b.updated;
    summary->resolved += b.resolved;
    summary->reopened += b.reopened;
    summary->unchanged += b.unchanged;
  }
}

// Steps 1 to 5 of a reconcile, inside its transaction: the ledger (its read
// locks the tenant's row), the triage, the COMPLETE batches, the ledger
// rows, the day's open count and the events.
Result<ReconcileSummary> ReconcileInTransaction(Db* db, const Clock& clock,
                                                const AnalysisRun& run) {
  VIGIL_ASSIGN_OR_RETURN(auto ledger, LoadLedger(db, run.tenant_id));
  ChangeStamp stamp{run.as_of, clock.NowMs(), run.trace_id, run.run_id, {}};
  for (const Batch& b : run.batches) stamp.rule_versions[b.analysis_type] = b.rule_version;
  ReconcileSummary summary;
  const Triage triage = TriageBatches(run, ledger, stamp.now, &summary);
  std::map<int64_t, TimeMs> snoozed;  // read with the alerts: no statement of its own
  if (!triage.to_apply.empty()) {
    VIGIL_RETURN_IF_ERROR(ApplyCompleteBatches(db, run, stamp, triage, &summary, &snoozed));
  }
  VIGIL_RETURN_IF_ERROR(UpsertLedger(db, run.tenant_id, triage.records));
  AddTotals(&summary);
  // A run that recorded nothing (every batch a duplicate or stale) announces
  // nothing either: re-applying it changes nothing, the outbox and the
  // day's open count included.
  if (!triage.records.empty()) {
    VIGIL_RETURN_IF_ERROR(RecordOpenAlertDay(db, run.tenant_id, run.as_of));
    VIGIL_RETURN_IF_ERROR(AppendEvents(db, RunEvents(run, summary, stamp.now, snoozed)));
  }
  return summary;
}

}  // namespace

std::string_view BatchOutcomeName(BatchOutcome outcome) {
  switch (outcome) {
    case BatchOutcome::kApplied:
      return "applied";
    case BatchOutcome::kDuplicate:
      return "skipped";
    case BatchOutcome::kStale:
      return "stale";
    case BatchOutcome::kNotComplete:
      return "not-complete";
  }
  return "not-complete";
}

std::string ReconcileSummary::ToString() const {
  std::string out;
  for (const BatchSummary& b : batches) {
    if (!out.empty()) out += "; ";
    out += b.analysis_type + ": " + std::string(BatchOutcomeName(b.outcome));
    if (b.outcome == BatchOutcome::kApplied) {
      out += " (opened " + std::to_string(b.opened) + ", updated " + std::to_string(b.updated) +
             ", resolved " + std::to_string(b.resolved) + ", reopened " +
             std::to_string(b.reopened) + ", unchanged " + std::to_string(b.unchanged) + ")";
    } else {
      if (b.outcome == BatchOutcome::kNotComplete) {
        out += " " + std::string(BatchStatusName(b.status));
      }
      out += ": " + b.reason;
    }
  }
  return out;
}

Result<ReconcileSummary> AlertManager::Reconcile(const AnalysisRun& run) {
  VIGIL_RETURN_IF_ERROR(CheckRun(run));
  const uint64_t statements_before = db_->statements_executed();
  const std::string prefix =
      "reconciling run " + run.run_id + " of tenant " + std::to_string(run.tenant_id);
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status().Prefixed(prefix);
  Result<ReconcileSummary> summary = ReconcileInTransaction(db_, *clock_, run);
  Status s = summary.ok() ? tx.Commit() : summary.status();
  if (!s.ok()) return s.Prefixed(prefix);
  summary->statements = db_->statements_executed() - statements_before;
  return summary;
}

}  // namespace vigil
