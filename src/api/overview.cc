#include "api/overview.h"

#include <algorithm>
#include <array>
#include <utility>

#include "alerts/alert_store.h"
#include "alerts/analysis_ledger.h"
#include "api/source_json.h"
#include "common/json_writer.h"
#include "context/preferences.h"

namespace vigil {
namespace {

constexpr std::array<const char*, 4> kWorstFirst = {"critical", "high", "medium", "low"};

// What LoadOverview reads, before it is put together.
struct Reads {
  std::vector<TenantRow> tenants;
  std::map<int64_t, std::map<std::string, int64_t>> open;
  std::map<int64_t, FlappingAndSnoozed> flapping_snoozed;
  std::map<int64_t, TimeMs> last_analysis;
  std::vector<SourceView> sources;
  std::map<int64_t, Preferences> preferences;
  std::map<int64_t, std::vector<OpenAlertDay>> trends;
};

// Every read, in one snapshot (kOverviewStatements statements).
Status Read(Db* db, int64_t tenant_id, TimeMs now, Reads* r) {
  if (tenant_id != 0) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> one, GetTenant(db, tenant_id));
    if (one) r->tenants.push_back(std::move(*one));
  } else {
    VIGIL_ASSIGN_OR_RETURN(r->tenants, ListTenants(db));
  }
  VIGIL_ASSIGN_OR_RETURN(r->open, CountOpenAlertsByTenant(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->flapping_snoozed, CountFlappingAndSnoozedByTenant(db, tenant_id, now));
  VIGIL_ASSIGN_OR_RETURN(r->last_analysis, LastAnalysisByTenant(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->sources, LoadSourceViews(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->preferences, LoadPreferencesOfTenants(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(r->trends, LoadOpenAlertTrend(db, tenant_id, now, kOverviewTrendDays));
  return Status::Ok();
}

std::string SourceStatus(const DataSourceRow& row, const Preferences& prefs, TimeMs now) {
  if (!row.last_sync_at) return "never";
  if (row.last_sync_status == "failed") return "failed";
  if (prefs.IsStale(*row.last_sync_at, now)) return "stale";
  return "ok";
}

// The tenants' data sources, by tenant.
std::map<int64_t, std::vector<OverviewSource>> Sources(Reads* r, TimeMs now) {
  std::map<int64_t, std::vector<OverviewSource>> by_tenant;
  const Preferences defaults;
  for (SourceView& v : r->sources) {
    auto prefs = r->preferences.find(v.row.tenant_id);
    OverviewSource s;
    s.id = v.row.id;
    s.name = std::move(v.row.name);
    s.provider = std::move(v.row.provider);
    s.status = SourceStatus(v.row, prefs == r->preferences.end() ? defaults : prefs->second, now);
    s.last_sync_at = v.row.last_sync_at;
    s.error = std::move(v.row.last_sync_error);
    s.unavailable = std::move(v.missing);
    by_tenant[v.row.tenant_id].push_back(std::move(s));
  }
  return by_tenant;
}

// Worst first: more critical, then high, medium and low open alerts; then by name.
bool Worse(const OverviewRow& a, const OverviewRow& b) {
  for (const char* severity : kWorstFirst) {
    const auto ia = a.open.find(severity);
    const auto ib = b.open.find(severity);
    const int64_t na = ia == a.open.end() ? 0 : ia->second;
    const int64_t nb = ib == b.open.end() ? 0 : ib->second;
    if (na != nb) return na > nb;
  }
  return a.tenant.name < b.tenant.name;
}

OverviewRow Row(TenantRow tenant, Reads* r, std::vector<OverviewSource> sources, TimeMs now) {
  OverviewRow row;
  const int64_t id = tenant.id;
  row.tenant = std::move(tenant);
  if (auto it = r->open.find(id); it != r->open.end()) row.open = std::move(it->second);
  for (const auto& [severity, n] : row.open) row.open_total += n;
  if (auto it = r->flapping_snoozed.find(id); it != r->flapping_snoozed.end()) {
    row.flapping = it->second.flapping;
    row.snoozed = it->second.snoozed;
  }
  if (auto it = r->last_analysis.find(id); it != r->last_analysis.end()) {
    row.last_analysis_at = it->second;
  }
  for (const OverviewSource& s : sources) {
    if (s.last_sync_at && (!row.last_sync_at || *s.last_sync_at > *row.last_sync_at)) {
      row.last_sync_at = s.last_sync_at;
    }
  }
  row.sources = std::move(sources);
  auto trend = r->trends.find(id);
  row.trend = trend != r->trends.end() ? std::move(trend->second)
                                       : EmptyTrend(now, kOverviewTrendDays);
  return row;
}

// "[a,b,...]" of JSON texts.
std::string Array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += items[i];
  }
  return out + "]";
}

std::string SourceJson(const OverviewSource& s, JsonObjectWriter* w) {
  std::vector<std::string> unavailable;
  for (const KindAvailability& k : s.unavailable) {
    unavailable.push_back(w->String("kind", k.kind).String("reason", k.reason).Finish());
  }
  w->Int("id", s.id).String("name", s.name).String("provider", s.provider);
  w->String("status", s.status).Time("last_sync_at", s.last_sync_at);
  if (s.error.empty()) {
    w->Raw("error", "null");
  } else {
    w->String("error", s.error);
  }
  return w->Raw("unavailable", Array(unavailable)).Finish();
}

std::string RowJson(const OverviewRow& row) {
  JsonObjectWriter w(1024);
  JsonObjectWriter item;
  for (const char* severity : kWorstFirst) {
    auto it = row.open.find(severity);
    item.Int(severity, it == row.open.end() ? 0 : it->second);
  }
  const std::string open = item.Int("total", row.open_total).Finish();
  std::vector<std::string> sources;
  for (const OverviewSource& s : row.sources) sources.push_back(SourceJson(s, &item));
  std::vector<std::string> trend;
  trend.reserve(row.trend.size());
  for (const OpenAlertDay& d : row.trend) {
    trend.push_back(item.String("day", d.day).Int("open", d.open).Finish());
  }
  return w.String("tenant", row.tenant.name)
      .Raw("open", open)
      .Int("flapping", row.flapping)
      .Int("snoozed", row.snoozed)
      .Time("last_sync_at", row.last_sync_at)
      .Time("last_analysis_at", row.last_analysis_at)
      .Raw("sources", Array(sources))
      .Raw("trend", Array(trend))
      .Finish();
}

}  // namespace

Result<Overview> LoadOverview(Db* db, int64_t tenant_id, TimeMs now) {
  Reads reads;
  {
    Transaction snapshot(db, Transaction::Kind::kSnapshot);
    VIGIL_RETURN_IF_ERROR(snapshot.status());
    VIGIL_RETURN_IF_ERROR(Read(db, tenant_id, now, &reads));
    VIGIL_RETURN_IF_ERROR(snapshot.Commit());
  }
  std::map<int64_t, std::vector<OverviewSource>> sources = Sources(&reads, now);
  Overview overview;
  overview.generated_at = now;
  overview.tenants.reserve(reads.tenants.size());
  for (TenantRow& tenant : reads.tenants) {
    const int64_t id = tenant.id;
    overview.tenants.push_back(Row(std::move(tenant), &reads, std::move(sources[id]), now));
  }
  std::sort(overview.tenants.begin(), overview.tenants.end(), Worse);
  return overview;
}

std::string OverviewJson(const Overview& overview) {
  std::vector<std::string> rows;
  rows.reserve(overview.tenants.size());
  for (const OverviewRow& row : overview.tenants) rows.push_back(RowJson(row));
  JsonObjectWriter w(64);
  return w.Time("generated_at", overview.generated_at).Raw("tenants", Array(rows)).Finish();
}

}  // namespace vigil
