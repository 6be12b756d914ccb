#include "api/source_json.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "common/duration.h"
#include "common/time.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

bool IsSecretSetting(const std::string& key) {
  constexpr std::string_view kSuffix = "secret";
  const bool ends_in_secret =
      key.size() >= kSuffix.size() &&
      key.compare(key.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
  // google_workspace's sealed service_account_key too.
  const bool ends_in_key = key.size() >= 4 && key.compare(key.size() - 4, 4, "_key") == 0;
  return ends_in_secret || ends_in_key || key.find("password") != std::string::npos;
}

}  // namespace

Result<std::vector<SourceView>> LoadSourceViews(Db* db, int64_t tenant_id) {
  std::vector<TenantRow> tenants;
  std::vector<DataSourceRow> rows;
  if (tenant_id != 0) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> one, GetTenant(db, tenant_id));
    if (one) tenants.push_back(std::move(*one));
    VIGIL_ASSIGN_OR_RETURN(rows, ListDataSources(db, tenant_id));
  } else {
    VIGIL_ASSIGN_OR_RETURN(tenants, ListTenants(db));
    VIGIL_ASSIGN_OR_RETURN(rows, ListAllDataSources(db));
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Schedule> schedules, ListSchedules(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(std::vector<KindAvailability> availability,
                         ListKindAvailability(db, tenant_id));
  std::map<int64_t, const TenantRow*> tenant_by_id;
  for (const TenantRow& t : tenants) tenant_by_id[t.id] = &t;
  std::vector<SourceView> views;
  for (DataSourceRow& row : rows) {
    auto t = tenant_by_id.find(row.tenant_id);
    if (t == tenant_by_id.end()) continue;
    std::string tenant = t->second->name;
    views.push_back(SourceView{std::move(row), std::move(tenant), {}, {}});
  }
  std::map<int64_t, SourceView*> by_id;
  for (SourceView& v : views) by_id[v.row.id] = &v;
  for (const Schedule& s : schedules) {
    if (auto it = by_id.find(s.data_source_id); it != by_id.end()) it->second->schedule = s;
  }
  for (const KindAvailability& a : availability) {
    auto it = by_id.find(a.data_source_id);
    if (it != by_id.end() && !a.available) it->second->missing.push_back(a);
  }
  return views;
}

Result<SourceView> LoadSourceView(Db* db, const DataSourceRow& row) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<SourceView> views, LoadSourceViews(db, row.tenant_id));
  for (SourceView& view : views) {
    if (view.row.id == row.id) return std::move(view);
  }
  return Status::NotFound("no data source with id " + std::to_string(row.id));
}

nlohmann::json RedactedSettings(const std::string& text) {
  nlohmann::json settings = nlohmann::json::parse(text, nullptr, false);
  if (!settings.is_object()) return nlohmann::json::object();
  for (auto& [key, value] : settings.items()) {
    if (!IsSecretSetting(key)) continue;
    value = value.is_string() && IsSealed(value.get<std::string>()) ? "(sealed)" : "(hidden)";
  }
  return settings;
}

nlohmann::json SourceJson(const SourceView& v) {
  nlohmann::json schedule = nullptr;
  if (v.schedule) {
    schedule = {
        {"every", FormatDuration(v.schedule->interval_ms)},
        {"window", v.schedule->window ? nlohmann::json(FormatOffPeakWindow(*v.schedule->window))
                                      : nlohmann::json(nullptr)},
        {"enabled", v.schedule->enabled},
        {"next_run_at", FormatIso8601(v.schedule->next_run_at)}};
  }
  nlohmann::json last_sync = nullptr;
  if (v.row.last_sync_at) {
    last_sync = {{"at", FormatIso8601(*v.row.last_sync_at)},
                 {"status", v.row.last_sync_status},
                 {"error", v.row.last_sync_error.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(v.row.last_sync_error)}};
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const KindAvailability& a : v.missing) {
    missing.push_back(
        {{"kind", a.kind}, {"reason", a.reason}, {"checked_at", FormatIso8601(a.updated_at)}});
  }
  return {{"id", v.row.id},
          {"tenant", v.tenant},
          {"name", v.row.name},
          {"provider", v.row.provider},
          {"settings", RedactedSettings(v.row.settings)},
          {"schedule", schedule},
          {"last_sync", last_sync},
          {"not_available", missing}};
}

}  // namespace vigil
