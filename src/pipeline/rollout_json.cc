#include "pipeline/rollout_json.h"

#include "common/time.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

Json VersionCounts(const std::vector<std::pair<int, int>>& counts) {
  Json out = Json::array();
  for (const auto& [version, tenants] : counts) {
    out.push_back({{"version", version}, {"tenants", tenants}});
  }
  return out;
}

Json OrNull(int version) { return version == 0 ? Json(nullptr) : Json(version); }

}  // namespace

Json RolloutChangeJson(const RolloutChange& change) {
  return {{"type", change.analysis_type},
          {"changed", change.changed},
          {"unchanged", change.unchanged},
          {"cleared", change.cleared}};
}

Json RolloutStatusJson(const RolloutStatus& status) {
  Json types = Json::array();
  for (const RolloutTypeSummary& t : status.types) {
    types.push_back({{"type", t.analysis_type},
                     {"latest", t.latest},
                     {"active", VersionCounts(t.active)},
                     {"candidates", t.candidates},
                     {"applied", VersionCounts(t.applied)}});
  }
  Json settings = Json::array();
  for (const RolloutSettingRow& r : status.settings) {
    settings.push_back({{"tenant", r.tenant},
                        {"type", r.analysis_type},
                        {"active", r.active},
                        {"previous", OrNull(r.previous)},
                        {"candidate", OrNull(r.candidate)},
                        {"updated_at", FormatIso8601(r.updated_at)},
                        {"updated_by", r.updated_by}});
  }
  return {{"tenants", status.tenants}, {"types", types}, {"settings", settings}};
}

Json ShadowRunJson(const ShadowRun& r) {
  return {{"type", r.analysis_type},
          {"active_version", r.active_version},
          {"candidate_version", r.candidate_version},
          {"status", r.status},
          {"reason", r.reason},
          {"would_open", r.diff.would_open},
          {"would_resolve", r.diff.would_resolve},
          {"would_change_severity", r.diff.would_change_severity},
          {"unchanged", r.diff.unchanged}};
}

Json ShadowDiffJson(std::string_view type, const std::vector<StoredShadowRun>& runs) {
  Json items = Json::array();
  int open = 0, resolve = 0, change = 0;
  for (const StoredShadowRun& s : runs) {
    const ShadowRun& r = s.run;
    Json item = {{"tenant", s.tenant}};
    item.update(ShadowRunJson(r));
    item["examples"] = DiffExamplesJson(r.diff.examples);
    item["run_id"] = s.run_id;
    item["trace_id"] = s.trace_id;
    item["as_of"] = FormatIso8601(s.as_of);
    items.push_back(std::move(item));
    open += r.diff.would_open;
    resolve += r.diff.would_resolve;
    change += r.diff.would_change_severity;
  }
  return {{"type", type.empty() ? Json(nullptr) : Json(std::string(type))},
          {"runs", items},
          {"totals",
           {{"would_open", open}, {"would_resolve", resolve}, {"would_change_severity", change}}}};
}

}  // namespace vigil
