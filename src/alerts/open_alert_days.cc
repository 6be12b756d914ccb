#include "alerts/open_alert_days.h"

#include <memory>
#include <utility>

#include "common/time.h"

namespace vigil {
namespace {

// The days of the window, oldest first.
std::vector<std::string> WindowDays(TimeMs today, int days) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(days));
  for (int i = days - 1; i >= 0; --i) out.push_back(UtcDay(today - i * kMsPerDay));
  return out;
}

// What one tenant's rows say: its count before the window (none: no row
// before it) and the counts of the window's days that have a row.
struct TenantDays {
  std::optional<int64_t> before;
  std::map<std::string, int64_t> in_window;
};

}  // namespace

std::string UtcDay(TimeMs time) { return FormatIso8601(time).substr(0, 10); }

Status RecordOpenAlertDay(Db* db, int64_t tenant_id, TimeMs as_of) {
  // The count reads alerts_open_by_tenant_severity alone. (The WHERE keeps
  // SQLite from reading ON CONFLICT as a join's ON.)
  return db->Execute(
      "INSERT INTO open_alert_days (tenant_id, day, open)"
      " SELECT ?, ?, COUNT(*) FROM alerts WHERE tenant_id = ? AND state = 'open'"
      " ON CONFLICT (tenant_id, day) DO UPDATE SET open = excluded.open",
      {tenant_id, UtcDay(as_of), tenant_id});
}

std::vector<OpenAlertDay> EmptyTrend(TimeMs today, int days) {
  std::vector<OpenAlertDay> trend;
  for (std::string& day : WindowDays(today, days)) trend.push_back({std::move(day), 0});
  return trend;
}

Result<std::map<int64_t, std::vector<OpenAlertDay>>> LoadOpenAlertTrend(Db* db, int64_t tenant_id,
                                                                          TimeMs today, int days) {
  const std::vector<std::string> window = WindowDays(today, days);
  const bool one = tenant_id != 0;
  // Tenants first (CROSS JOIN keeps SQLite's join order): each tenant's
  // window is one range of the primary key, and its last day before the
  // window one step back from there.
  const std::string tenants = one ? " WHERE t.id = ?" : "";
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT t.id, d.day, d.open FROM tenants t CROSS JOIN open_alert_days d"
                  " WHERE d.tenant_id = t.id AND d.day >= ? AND d.day <= ?" +
                  std::string(one ? " AND t.id = ?" : "") +
                  " UNION ALL SELECT t.id, NULL, (SELECT p.open FROM open_alert_days p"
                  " WHERE p.tenant_id = t.id AND p.day < ? ORDER BY p.day DESC LIMIT 1)"
                  " FROM tenants t" +
                  tenants));
  int index = 1;
  stmt->BindText(index++, window.front());
  stmt->BindText(index++, window.back());
  if (one) stmt->BindInt(index++, tenant_id);
  stmt->BindText(index++, window.front());
  if (one) stmt->BindInt(index++, tenant_id);
  std::map<int64_t, TenantDays> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (stmt->IsNull(2)) continue;  // no day before the window
    TenantDays& t = rows[stmt->Int(0)];
    if (stmt->IsNull(1)) {
      t.before = stmt->Int(2);
    } else {
      t.in_window[stmt->String(1)] = stmt->Int(2);
    }
  }
  std::map<int64_t, std::vector<OpenAlertDay>> trends;
  for (const auto& [id, t] : rows) {
    std::vector<OpenAlertDay>& trend = trends[id];
    trend.reserve(window.size());
    int64_t open = t.before.value_or(0);
    for (const std::string& day : window) {
      if (auto it = t.in_window.find(day); it != t.in_window.end()) open = it->second;
      trend.push_back({day, open});
    }
  }
  return trends;
}

}  // namespace vigil
