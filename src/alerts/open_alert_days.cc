#include "alerts/open_alert_days.h"

#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/time.h"

namespace vigil {
namespace {

// Days since 1970-01-01 of the date "YYYY-MM-DD" (the proleptic Gregorian
// calendar's civil-to-days conversion); none when it is not such a date.
std::optional<int64_t> DayNumber(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&text](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return int64_t{-1};
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int64_t y = number(0, 4);
  const int64_t m = number(5, 2), d = number(8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  y -= m <= 2 ? 1 : 0;
  const int64_t era = y / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The days of the window, oldest first.
std::vector<std::string> WindowDays(TimeMs today, int days) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(days));
  for (int i = days - 1; i >= 0; --i) out.push_back(UtcDay(today - i * kMsPerDay));
  return out;
}

// What one tenant's rows say: its count before the window (none: no row
// before it) and the count of each day of the window that has a row (by
// the day's index in the window).
struct TenantDays {
  std::optional<int64_t> before;
  std::vector<std::optional<int64_t>> in_window;
};

}  // namespace

std::string UtcDay(TimeMs time) { return FormatIso8601(time).substr(0, 10); }

Status RecordOpenAlertDay(Db* db, int64_t tenant_id, TimeMs as_of) {
  // The count reads one range of alerts_by_state_tenant_severity alone. (The
  // WHERE keeps SQLite from reading ON CONFLICT as a join's ON.)
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
  // The window's rows are one range of open_alert_days_by_day (every
  // tenant's) or of the primary key (one tenant's); each tenant's last day
  // before the window is one step back along its primary key.
  const std::string tenant = one ? " AND tenant_id = ?" : "";
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT tenant_id, day, open FROM open_alert_days WHERE day >= ? AND day <= ?" +
                  tenant +
                  " UNION ALL SELECT t.id, NULL, (SELECT p.open FROM open_alert_days p"
                  " WHERE p.tenant_id = t.id AND p.day < ? ORDER BY p.day DESC LIMIT 1)"
                  " FROM tenants t" +
                  std::string(one ? " WHERE t.id = ?" : "")));
  int index = 1;
  stmt->BindText(index++, window.front());
  stmt->BindText(index++, window.back());
  if (one) stmt->BindInt(index++, tenant_id);
  stmt->BindText(index++, window.front());
  if (one) stmt->BindInt(index++, tenant_id);
  // Tens of thousands of rows for a large fleet: each day's place in the
  // window is computed from its text, which is not copied.
  const int64_t first_day = *DayNumber(window.front());
  std::unordered_map<int64_t, TenantDays> rows;
  rows.reserve(one ? 1 : 1024);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    const std::string_view day = stmt->Text(1);  // empty: NULL, the day before the window
    if (day.empty()) {
      if (!stmt->IsNull(2)) rows[stmt->Int(0)].before = stmt->Int(2);
      continue;
    }
    const std::optional<int64_t> number = DayNumber(day);
    if (!number || *number < first_day || *number - first_day >= days) continue;
    TenantDays& t = rows[stmt->Int(0)];
    t.in_window.resize(window.size());
    t.in_window[static_cast<size_t>(*number - first_day)] = stmt->Int(2);
  }
  std::map<int64_t, std::vector<OpenAlertDay>> trends;
  for (const auto& [id, t] : rows) {
    std::vector<OpenAlertDay>& trend = trends[id];
    trend.reserve(window.size());
    int64_t open = t.before.value_or(0);
    for (size_t i = 0; i < window.size(); ++i) {
      if (i < t.in_window.size() && t.in_window[i]) open = *t.in_window[i];
      trend.push_back({window[i], open});
    }
  }
  return trends;
}

}  // namespace vigil
