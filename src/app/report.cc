#include "app/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/time.h"
#include "pipeline/rollout_json.h"

namespace vigil {
namespace {

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

int64_t Live(const KindCounts& c) { return c.created + c.updated + c.unchanged; }

}  // namespace

std::string FormatAnalysisOutcome(const AnalysisOutcome& a) {
  std::string out = "  analysis " + a.run.run_id + " as of " + FormatIso8601(a.run.as_of) + " (" +
                    std::to_string(a.load_statements) + " statements to load, " +
                    std::to_string(a.reconcile_statements) + " to reconcile)\n";
  for (size_t i = 0; i < a.run.batches.size(); ++i) {
    const Batch& batch = a.run.batches[i];
    const BatchSummary* s = i < a.reconcile.batches.size() ? &a.reconcile.batches[i] : nullptr;
    out += "    " + Pad(batch.analysis_type, 10) + " " +
           Pad(std::string(BatchStatusName(batch.status)), 11) + " ";
    if (s == nullptr) {
      out += "\n";
      continue;
    }
    switch (s->outcome) {
      case BatchOutcome::kApplied:
        out += std::to_string(batch.findings.size()) + " findings" +
               (batch.excluded.empty()
                    ? std::string()
                    : " (" + std::to_string(batch.excluded.size()) + " more excluded)") +
               ": opened " +
               std::to_string(s->opened) + ", updated " + std::to_string(s->updated) +
               ", resolved " + std::to_string(s->resolved) + ", reopened " +
               std::to_string(s->reopened) + ", unchanged " + std::to_string(s->unchanged);
        break;
      case BatchOutcome::kNotComplete:
        out += s->reason + " (alerts left as they were)";
        break;
      case BatchOutcome::kDuplicate:
      case BatchOutcome::kStale:
        out += std::string(BatchOutcomeName(s->outcome)) + ": " + s->reason;
        break;
    }
    out += "\n";
    for (const std::string& note : batch.notes) out += "      " + note + "\n";
  }
  for (const ShadowRun& r : a.shadow) {
    out += "    " + Pad(r.analysis_type, 10) + " shadow v" + std::to_string(r.candidate_version) +
           " " + r.status + " ";
    out += r.reason.empty()
               ? "would open " + std::to_string(r.diff.would_open) + ", would resolve " +
                     std::to_string(r.diff.would_resolve) + ", would change severity " +
                     std::to_string(r.diff.would_change_severity) + " (vigil rollout diff)"
               : r.reason;
    out += "\n";
  }
  if (!a.shadow_status.ok()) {
    out += "    shadow runs not recorded: " + a.shadow_status.message() + "\n";
  }
  return out;
}

std::string FormatSyncOutcome(const std::string& tenant, const std::string& source,
                              const std::string& trace_id, const SyncOutcome& o,
                              bool errors_inline) {
  if (!o.status.ok() && !errors_inline) return "";
  std::string out = tenant + " / " + source + ": ";
  if (!o.status.ok()) {
    out += "sync failed: " + o.status.message() + "\n";
    out += "  no analysis ran; every alert is as it was (trace " + trace_id + ")\n";
    return out;
  }
  out += "sync succeeded (trace " + trace_id + ")\n";
  for (const auto& [kind, c] : o.sync.kinds) {
    char line[160];
    std::snprintf(line, sizeof line,
                  "    %-13s %7lld live: +%lld new, %lld changed, %lld deleted, %lld unchanged\n",
                  std::string(KindName(kind)).c_str(), static_cast<long long>(Live(c)),
                  static_cast<long long>(c.created), static_cast<long long>(c.updated),
                  static_cast<long long>(c.deleted), static_cast<long long>(c.unchanged));
    out += line;
  }
  if (o.sync.skipped_assignments > 0) {
    out += "    skipped: " + std::to_string(o.sync.skipped_assignments) +
           " role assignments to groups or service principals (only users are analyzed)\n";
  }
  for (const auto& [kind, reason] : o.sync.unavailable) {
    out += "    not available: " + std::string(KindName(kind)) + " (" + reason + ")\n";
  }
  if (o.analysis) {
    out += FormatAnalysisOutcome(*o.analysis);
  } else if (errors_inline) {
    out += "  analysis failed: " + o.analysis_status.message() + "\n";
  }
  return out;
}

std::string SyncOutcomeToJson(const std::string& tenant, const std::string& source,
                              const std::string& trace_id, const SyncOutcome& o) {
  nlohmann::json j;
  j["tenant"] = tenant;
  j["data_source"] = source;
  j["trace_id"] = trace_id;
  nlohmann::json sync;
  sync["status"] = o.status.ok() ? "succeeded" : "failed";
  sync["error"] = o.status.ok() ? nlohmann::json(nullptr) : nlohmann::json(o.status.message());
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [kind, c] : o.sync.kinds) {
    kinds[std::string(KindName(kind))] = {{"created", c.created},
                                          {"updated", c.updated},
                                          {"deleted", c.deleted},
                                          {"unchanged", c.unchanged}};
  }
  sync["kinds"] = kinds;
  nlohmann::json unavailable = nlohmann::json::object();
  for (const auto& [kind, reason] : o.sync.unavailable) {
    unavailable[std::string(KindName(kind))] = reason;
  }
  sync["unavailable"] = unavailable;
  sync["skipped_role_assignments"] = o.sync.skipped_assignments;
  j["sync"] = sync;
  if (o.analysis) {
    const AnalysisOutcome& a = *o.analysis;
    nlohmann::json batches = nlohmann::json::array();
    for (size_t i = 0; i < a.run.batches.size(); ++i) {
      const Batch& b = a.run.batches[i];
      nlohmann::json jb = {{"type", b.analysis_type},
                           {"rule_version", b.rule_version},
                           {"status", BatchStatusName(b.status)},
                           {"reason", b.reason},
                           {"notes", b.notes},
                           {"findings", b.findings.size()},
                           {"excluded", b.excluded.size()}};
      if (i < a.reconcile.batches.size()) {
        const BatchSummary& s = a.reconcile.batches[i];
        jb["outcome"] = BatchOutcomeName(s.outcome);
        jb["opened"] = s.opened;
        jb["updated"] = s.updated;
        jb["resolved"] = s.resolved;
        jb["reopened"] = s.reopened;
        jb["unchanged"] = s.unchanged;
      }
      batches.push_back(jb);
    }
    j["analysis"] = {
        {"run_id", a.run.run_id},
        {"as_of", FormatIso8601(a.run.as_of)},
        {"batches", batches},
        {"statements", {{"load", a.load_statements}, {"reconcile", a.reconcile_statements}}}};
    nlohmann::json shadow = nlohmann::json::array();
    for (const ShadowRun& r : a.shadow) shadow.push_back(nlohmann::json(ShadowRunJson(r)));
    j["analysis"]["shadow"] = shadow;
    if (!a.shadow_status.ok()) j["analysis"]["shadow_error"] = a.shadow_status.message();
  } else {
    j["analysis"] = nullptr;
    if (o.status.ok()) j["analysis_error"] = o.analysis_status.message();
  }
  return j.dump(2);
}

}  // namespace vigil
