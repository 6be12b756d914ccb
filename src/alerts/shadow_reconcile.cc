#include "alerts/shadow_reconcile.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <tuple>

#include "alerts/alert_writer.h"
#include "store/batch_insert.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;
using Key = std::pair<std::string, std::string>;  // alert type, subject

struct StoredFinding {
  std::string subject_name;
  std::string severity;
  int rule_version = 0;
};

std::string InList(const std::vector<const Batch*>& batches, std::vector<DbValue>* values) {
  std::string list;
  for (const Batch* b : batches) {
    list += list.empty() ? "?" : ", ?";
    values->push_back(b->analysis_type);
  }
  return list;
}

// Reads the shadow alerts of the types of `batches`.
Result<std::map<Key, StoredFinding>> LoadShadowAlerts(Db* db, int64_t tenant_id,
                                                      const std::vector<const Batch*>& batches) {
  std::vector<DbValue> values{tenant_id};
  const std::string in = InList(batches, &values);
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT alert_type, subject, subject_name, severity, rule_version"
                  " FROM shadow_alerts WHERE tenant_id = ? AND analysis_type IN (" +
                  in + ")"));
  for (size_t i = 0; i < values.size(); ++i) stmt->Bind(static_cast<int>(i + 1), values[i]);
  std::map<Key, StoredFinding> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    rows[{stmt->String(0), stmt->String(1)}] =
        StoredFinding{stmt->String(2), stmt->String(3), static_cast<int>(stmt->Int(4))};
  }
  return rows;
}

// Makes the shadow alerts of the types of `batches` their findings.
Status WriteShadowAlerts(Db* db, int64_t tenant_id, TimeMs as_of,
                         const std::vector<const Batch*>& batches) {
  VIGIL_ASSIGN_OR_RETURN(auto stored, LoadShadowAlerts(db, tenant_id, batches));
  BatchOptions upsert_options;
  upsert_options.rows_per_statement = kAlertRowsPerStatement;
  upsert_options.suffix =
      " ON CONFLICT (tenant_id, alert_type, subject) DO UPDATE SET"
      " subject_name = excluded.subject_name, severity = excluded.severity,"
      " rule_version = excluded.rule_version";
  BatchInsert upsert(db,
                     "INSERT INTO shadow_alerts (tenant_id, analysis_type, alert_type, subject,"
                     " subject_name, severity, rule_version, first_seen)",
                     8, std::move(upsert_options));
  for (const Batch* batch : batches) {
    for (const Finding& f : batch->findings) {
      const std::string_view severity = SeverityName(f.severity);
      auto it = stored.find({f.alert_type, f.subject});
      if (it != stored.end()) {
        const StoredFinding& s = it->second;
        const bool same = s.subject_name == f.subject_name && s.severity == severity &&
                          s.rule_version == batch->rule_version;
        stored.erase(it);
        if (same) continue;
      }
      upsert.Int(tenant_id);
      upsert.TextRef(batch->analysis_type);
      upsert.TextRef(f.alert_type);
      upsert.TextRef(f.subject);
      upsert.TextRef(f.subject_name);
      upsert.TextRef(severity);
      upsert.Int(batch->rule_version);
      upsert.Int(as_of);
      VIGIL_RETURN_IF_ERROR(upsert.EndRow());
    }
  }
  VIGIL_RETURN_IF_ERROR(upsert.Finish());
  if (stored.empty()) return Status::Ok();
  // What is left was found last time and not now.
  BatchOptions delete_options;
  delete_options.rows_per_statement = kAlertRowsPerStatement;
  delete_options.row = "(CAST(? AS TEXT), CAST(? AS TEXT))";
  delete_options.leading = {tenant_id};
  delete_options.suffix = ")";
  BatchInsert remove(db,
                     "DELETE FROM shadow_alerts WHERE tenant_id = ? AND (alert_type, subject) IN (",
                     2, std::move(delete_options));
  for (const auto& [key, row] : stored) {
    remove.TextRef(key.first);
    remove.TextRef(key.second);
    VIGIL_RETURN_IF_ERROR(remove.EndRow());
  }
  return remove.Finish();
}

std::vector<DiffExample> ParseExamples(const std::string& text) {
  std::vector<DiffExample> out;
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const Json& j : parsed) {
    if (!j.is_object()) continue;
    out.push_back(DiffExample{j.value("change", ""), j.value("alert_type", ""),
                              j.value("subject", ""), j.value("subject_name", ""),
                              j.value("severity", ""), j.value("from_severity", "")});
  }
  return out;
}

Status UpsertRuns(Db* db, const AnalysisRun& run, TimeMs now,
                  const std::vector<ShadowRun>& runs) {
  BatchOptions options;
  options.suffix =
      " ON CONFLICT (tenant_id, analysis_type) DO UPDATE SET run_id = excluded.run_id,"
      " trace_id = excluded.trace_id, as_of = excluded.as_of,"
      " active_version = excluded.active_version,"
      " candidate_version = excluded.candidate_version, status = excluded.status,"
      " reason = excluded.reason, would_open = excluded.would_open,"
      " would_resolve = excluded.would_resolve,"
      " would_change_severity = excluded.would_change_severity,"
      " unchanged = excluded.unchanged, examples = excluded.examples,"
      " recorded_at = excluded.recorded_at";
  BatchInsert insert(db,
                     "INSERT INTO shadow_runs (tenant_id, analysis_type, run_id, trace_id, as_of,"
                     " active_version, candidate_version, status, reason, would_open,"
                     " would_resolve, would_change_severity, unchanged, examples, recorded_at)",
                     15, std::move(options));
  std::vector<std::string> examples;
  examples.reserve(runs.size());  // TextRef: must not move until Finish
  for (const ShadowRun& r : runs) {
    examples.push_back(DiffExamplesJson(r.diff.examples).dump());
    insert.Int(run.tenant_id);
    insert.TextRef(r.analysis_type);
    insert.TextRef(run.run_id);
    insert.TextRef(run.trace_id);
    insert.Int(run.as_of);
    insert.Int(r.active_version);
    insert.Int(r.candidate_version);
    insert.TextRef(r.status);
    insert.TextRef(r.reason);
    insert.Int(r.diff.would_open);
    insert.Int(r.diff.would_resolve);
    insert.Int(r.diff.would_change_severity);
    insert.Int(r.diff.unchanged);
    insert.TextRef(examples.back());
    insert.Int(now);
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

// The active batch of `type` in `run` when the AlertManager recorded it.
const Batch* RecordedActive(const AnalysisRun& run, const ReconcileSummary& applied,
                            const std::string& type) {
  for (size_t i = 0; i < applied.batches.size() && i < run.batches.size(); ++i) {
    const BatchSummary& s = applied.batches[i];
    if (s.analysis_type != type) continue;
    if (s.outcome != BatchOutcome::kApplied && s.outcome != BatchOutcome::kNotComplete) {
      return nullptr;
    }
    return &run.batches[i];
  }
  return nullptr;
}

}  // namespace

nlohmann::ordered_json DiffExamplesJson(const std::vector<DiffExample>& examples) {
  Json out = Json::array();
  for (const DiffExample& e : examples) {
    Json j = {{"change", e.change},
              {"alert_type", e.alert_type},
              {"subject", e.subject},
              {"subject_name", e.subject_name},
              {"severity", e.severity}};
    if (!e.from_severity.empty()) j["from_severity"] = e.from_severity;
    out.push_back(std::move(j));
  }
  return out;
}

Result<std::vector<ShadowRun>> ReconcileShadow(Db* db, const Clock& clock, const AnalysisRun& run,
                                               const std::vector<Batch>& candidates,
                                               const ReconcileSummary& applied) {
  std::vector<ShadowRun> runs;
  std::vector<const Batch*> complete;
  for (const Batch& candidate : candidates) {
    const Batch* active = RecordedActive(run, applied, candidate.analysis_type);
    if (active == nullptr) continue;
    ShadowRun r;
    r.analysis_type = candidate.analysis_type;
    r.active_version = active->rule_version;
    r.candidate_version = candidate.rule_version;
    r.status = std::string(BatchStatusName(candidate.status));
    if (candidate.status != BatchStatus::kComplete) {
      r.reason = candidate.reason;
    } else {
      complete.push_back(&candidate);
      if (active->status != BatchStatus::kComplete) {
        r.reason = "no diff: the active version's batch is " +
                   std::string(BatchStatusName(active->status)) + ": " + active->reason;
      } else {
        r.diff = DiffBatches(*active, candidate, kShadowExamplesPerChange);
      }
    }
    runs.push_back(std::move(r));
  }
  if (runs.empty()) return runs;
  const std::string prefix = "recording the shadow run " + run.run_id + " of tenant " +
                             std::to_string(run.tenant_id);
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status().Prefixed(prefix);
  Status s = complete.empty() ? Status::Ok()
                              : WriteShadowAlerts(db, run.tenant_id, run.as_of, complete);
  if (s.ok()) s = UpsertRuns(db, run, clock.NowMs(), runs);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s.Prefixed(prefix);
  return runs;
}

Result<std::vector<StoredShadowRun>> LoadShadowRuns(Db* db, std::string_view analysis_type,
                                                    int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT t.name, r.analysis_type, r.active_version, r.candidate_version,"
                  " r.status, r.reason, r.would_open, r.would_resolve, r.would_change_severity,"
                  " r.unchanged, r.examples, r.run_id, r.trace_id, r.as_of"
                  " FROM shadow_runs r JOIN tenants t ON t.id = r.tenant_id"
                  " WHERE (? = '' OR r.analysis_type = ?) AND (? = 0 OR r.tenant_id = ?)"
                  " ORDER BY t.name, r.analysis_type"));
  stmt->BindText(1, analysis_type);
  stmt->BindText(2, analysis_type);
  stmt->BindInt(3, tenant_id);
  stmt->BindInt(4, tenant_id);
  std::vector<StoredShadowRun> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    StoredShadowRun s;
    s.tenant = stmt->String(0);
    s.run.analysis_type = stmt->String(1);
    s.run.active_version = static_cast<int>(stmt->Int(2));
    s.run.candidate_version = static_cast<int>(stmt->Int(3));
    s.run.status = stmt->String(4);
    s.run.reason = stmt->String(5);
    s.run.diff.would_open = static_cast<int>(stmt->Int(6));
    s.run.diff.would_resolve = static_cast<int>(stmt->Int(7));
    s.run.diff.would_change_severity = static_cast<int>(stmt->Int(8));
    s.run.diff.unchanged = static_cast<int>(stmt->Int(9));
    s.run.diff.examples = ParseExamples(stmt->String(10));
    s.run_id = stmt->String(11);
    s.trace_id = stmt->String(12);
    s.as_of = stmt->Int(13);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace vigil
