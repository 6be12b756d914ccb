#include "alerts/alert_manager.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "alerts/alert_row.h"
#include "alerts/alert_writer.h"
#include "alerts/analysis_ledger.h"
#include "alerts/batch_check.h"
#include "analysis/alert_types.h"
#include "common/hash.h"
#include "common/time.h"
#include "events/event_payloads.h"
#include "events/outbox.h"

namespace vigil {
namespace {

constexpr std::string_view kReasonAppeared = "finding appeared";
constexpr std::string_view kReasonGone = "finding no longer present in complete batch";
constexpr std::string_view kReasonReappeared = "finding reappeared";
constexpr std::string_view kReasonDetails = "details changed";

// An alert as loaded at the start of a reconcile, and what happened to it.
struct Existing {
  int64_t id = 0;
  std::string analysis_type;
  std::string type;
  std::string subject;
  std::string subject_name;
  std::string severity;
  std::string state;
  std::string details_digest;
  std::optional<TimeMs> snoozed_until;  // an operator's snooze (alert_actions.h)
  bool found = false;                   // a finding of the batch matched it
};

using AlertKey = std::pair<std::string, std::string>;  // (alert type, subject)

// The tenant's alerts (open and resolved) of `analysis_types`, in id order,
// with an index by (alert type, subject). One statement.
struct ExistingAlerts {
  std::vector<Existing> rows;
  std::map<AlertKey, size_t> index;
};

Result<ExistingAlerts> LoadAlerts(Db* db, int64_t tenant_id,
                                  const std::vector<std::string>& analysis_types) {
  ExistingAlerts out;
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT id, analysis_type, type, subject, subject_name, severity, state,"
                  " details_digest, snoozed_until FROM alerts WHERE tenant_id = ? AND"
                  " analysis_type IN (" +
                  Placeholders(analysis_types.size()) + ") ORDER BY id"));
  stmt->BindInt(1, tenant_id);
  for (size_t i = 0; i < analysis_types.size(); ++i) {
    stmt->BindText(static_cast<int>(i) + 2, analysis_types[i]);
  }
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    Existing e;
    e.id = stmt->Int(0);
    e.analysis_type = stmt->String(1);
    e.type = stmt->String(2);
    e.subject = stmt->String(3);
    e.subject_name = stmt->String(4);
    e.severity = stmt->String(5);
    e.state = stmt->String(6);
    e.details_digest = stmt->String(7);
    if (!stmt->IsNull(8)) e.snoozed_until = stmt->Int(8);
    out.index.emplace(AlertKey(e.type, e.subject), out.rows.size());
    out.rows.push_back(std::move(e));
  }
  return out;
}

// "severity changed from medium to high", "details changed", or both.
std::string UpdateReason(const Existing& before, const AlertContent& after) {
  std::string reason;
  if (before.severity != after.severity) {
    reason = "severity changed from " + before.severity + " to " + after.severity;
  }
  if (before.details_digest != after.details_digest) {
    if (!reason.empty()) reason += "; ";
    reason += kReasonDetails;
  }
  return reason;
}

// Applies one COMPLETE, checked batch to the loaded alerts of its type.
// Returns whether any alert changed state (so its tags must be rebuilt).
class BatchApplier {
 public:
  BatchApplier(AlertWriter* writer, ExistingAlerts* alerts, int64_t tenant_id,
               const ChangeStamp& stamp, BatchSummary* summary, std::vector<AlertChange>* changes)
      : writer_(writer),
        alerts_(alerts),
        tenant_id_(tenant_id),
        stamp_(stamp),
        summary_(summary),
        changes_(changes) {}

  Result<bool> Apply(const Batch& batch) {
    for (const Finding& f : batch.findings) VIGIL_RETURN_IF_ERROR(ApplyFinding(batch, f));
    for (Existing& e : alerts_->rows) {
      if (e.analysis_type != batch.analysis_type || e.found || e.state != kAlertOpen) continue;
      VIGIL_RETURN_IF_ERROR(writer_->SetResolved(e.id, stamp_));
      VIGIL_RETURN_IF_ERROR(writer_->AppendResolvedHistory(e.id, kReasonGone, stamp_));
      e.state = kAlertResolved;
      ++summary_->resolved;
      Record(e.id, batch.analysis_type, e.type, e.subject, e.subject_name, kTransitionResolved,
             e.severity, std::string(kReasonGone));
      state_changed_ = true;
    }
    return state_changed_;
  }

 private:
  Status ApplyFinding(const Batch& batch, const Finding& f) {
    AlertContent content{f.subject_name, std::string(SeverityName(f.severity)), f.details,
                         HashHex(f.details)};
    auto it = alerts_->index.find(AlertKey(f.alert_type, f.subject));
    if (it == alerts_->index.end()) {
      const AlertTypeInfo* info = FindAlertType(f.alert_type);  // non-null: CheckBatch passed
      std::optional<std::string> tag;
      if (info != nullptr && !info->tag.empty()) tag = std::string(info->tag);
      VIGIL_ASSIGN_OR_RETURN(
          int64_t id, writer_->InsertOpen(tenant_id_, batch.analysis_type, f.alert_type, f.subject,
                                          tag, content, stamp_));
      VIGIL_RETURN_IF_ERROR(writer_->AppendHistory(id, tenant_id_, batch.analysis_type,
                                                   kTransitionOpened, std::nullopt, kAlertOpen,
                                                   content, kReasonAppeared, stamp_));
      ++summary_->opened;
      Record(id, batch.analysis_type, f.alert_type, f.subject, f.subject_name, kTransitionOpened,
             content.severity, std::string(kReasonAppeared));
      state_changed_ = true;
      return Status::Ok();
    }
    Existing& e = alerts_->rows[it->second];
    e.found = true;
    if (e.state == kAlertResolved) {
      VIGIL_RETURN_IF_ERROR(writer_->SetOpen(e.id, kAlertResolved, content, stamp_));
      VIGIL_RETURN_IF_ERROR(writer_->AppendHistory(e.id, tenant_id_, batch.analysis_type,
                                                   kTransitionReopened, kAlertResolved, kAlertOpen,
                                                   content, kReasonReappeared, stamp_));
      ++summary_->reopened;
      Record(e.id, batch.analysis_type, f.alert_type, f.subject, f.subject_name,
             kTransitionReopened, content.severity, std::string(kReasonReappeared));
      state_changed_ = true;
    } else if (e.severity != content.severity || e.details_digest != content.details_digest) {
      std::string reason = UpdateReason(e, content);
      VIGIL_RETURN_IF_ERROR(writer_->SetOpen(e.id, kAlertOpen, content, stamp_));
      VIGIL_RETURN_IF_ERROR(writer_->AppendHistory(e.id, tenant_id_, batch.analysis_type,
                                                   kTransitionUpdated, kAlertOpen, kAlertOpen,
                                                   content, reason, stamp_));
      ++summary_->updated;
      Record(e.id, batch.analysis_type, f.alert_type, f.subject, f.subject_name, kTransitionUpdated,
             content.severity, std::move(reason));
    } else {
      if (e.subject_name != f.subject_name) {
        VIGIL_RETURN_IF_ERROR(writer_->SetSubjectName(e.id, f.subject_name));
      }
      ++summary_->unchanged;
    }
    e.state = kAlertOpen;
    e.severity = content.severity;
    e.details_digest = content.details_digest;
    e.subject_name = f.subject_name;
    return Status::Ok();
  }

  void Record(int64_t id, const std::string& analysis_type, const std::string& type,
              const std::string& subject, const std::string& subject_name,
              std::string_view transition, const std::string& severity, std::string reason) {
    changes_->push_back(AlertChange{id, analysis_type, type, subject, subject_name,
                                    std::string(transition), severity, std::move(reason)});
  }

  AlertWriter* writer_;
  ExistingAlerts* alerts_;
  int64_t tenant_id_;
  const ChangeStamp& stamp_;
  BatchSummary* summary_;
  std::vector<AlertChange>* changes_;
  bool state_changed_ = false;
};

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
    return kept;
  }
  LedgerEntry entry;
  entry.analysis_type = batch.analysis_type;
  entry.run_id = run.run_id;
  entry.as_of = run.as_of;
  entry.status = std::string(BatchStatusName(s.status));
  entry.reason = s.reason;
  entry.batch_digest = BatchDigest(batch);
  entry.applied_at = now;
  entry.trace_id = run.trace_id;
  entry.data_version = run.data_version;  // SkipIfRecorded refused anything older
  if (applied) {
    entry.last_complete_run_id = run.run_id;
    entry.last_complete_as_of = run.as_of;
  } else if (previous != nullptr) {
    entry.last_complete_run_id = previous->last_complete_run_id;
    entry.last_complete_as_of = previous->last_complete_as_of;
  }
  return entry;
}

// The snooze end of every alert of `alerts` snoozed beyond `now`, by id:
// their events are muted. (A new alert cannot be snoozed yet.)
std::map<int64_t, TimeMs> SnoozedAlerts(const ExistingAlerts& alerts, TimeMs now) {
  std::map<int64_t, TimeMs> snoozed;
  for (const Existing& e : alerts.rows) {
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
                                c.alert_type, c.subject,     c.severity, std::nullopt};
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

  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_, run.tenant_id);
  if (!ledger.ok()) return ledger.status().Prefixed(prefix);

  const ChangeStamp stamp{run.as_of, clock_->NowMs(), run.trace_id, run.run_id};
  ReconcileSummary summary;
  std::vector<LedgerEntry> records;
  std::vector<std::pair<const Batch*, size_t>> to_apply;  // batch, index in summary.batches
  std::vector<std::string> complete_types;
  for (const Batch& batch : run.batches) {
    auto found = ledger->find(batch.analysis_type);
    const LedgerEntry* previous = found == ledger->end() ? nullptr : &found->second;
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
      summary.batches.push_back(std::move(s));
      continue;
    }
    if (s.outcome == BatchOutcome::kApplied) {
      to_apply.emplace_back(&batch, summary.batches.size());
      complete_types.push_back(batch.analysis_type);
    }
    records.push_back(LedgerRecord(run, batch, s, stamp.now, previous));
    summary.batches.push_back(std::move(s));
  }

  Status s = Status::Ok();
  std::map<int64_t, TimeMs> snoozed;  // read with the alerts: no statement of its own
  if (!to_apply.empty()) {
    Result<ExistingAlerts> alerts = LoadAlerts(db_, run.tenant_id, complete_types);
    if (!alerts.ok()) return alerts.status().Prefixed(prefix);
    snoozed = SnoozedAlerts(*alerts, stamp.now);
    AlertWriter writer(db_);
    std::vector<std::string> retag_types;
    for (const auto& [batch, index] : to_apply) {
      BatchApplier applier(&writer, &alerts.value(), run.tenant_id, stamp, &summary.batches[index],
                           &summary.changes);
      Result<bool> state_changed = applier.Apply(*batch);
      if (!state_changed.ok()) {
        return state_changed.status().Prefixed(prefix + ": " + batch->analysis_type);
      }
      if (*state_changed) retag_types.push_back(batch->analysis_type);
    }
    s = writer.TouchLastSeen(run.tenant_id, complete_types, run.as_of);
    if (s.ok()) s = writer.ProjectTags(run.tenant_id, retag_types);
  }
  if (s.ok()) s = UpsertLedger(db_, run.tenant_id, records);
  for (const BatchSummary& b : summary.batches) {
    summary.opened += b.opened;
    summary.updated += b.updated;
    summary.resolved += b.resolved;
    summary.reopened += b.reopened;
    summary.unchanged += b.unchanged;
  }
  // A run that recorded nothing (every batch a duplicate or stale) announces
  // nothing either: re-applying it changes nothing, the outbox included.
  if (s.ok() && !records.empty()) {
    s = AppendEvents(db_, RunEvents(run, summary, stamp.now, snoozed));
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s.Prefixed(prefix);

  summary.statements = db_->statements_executed() - statements_before;
  return summary;
}

}  // namespace vigil
