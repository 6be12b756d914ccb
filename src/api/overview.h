// The overview of GET /api/v1/overview: one row per tenant the caller may
// see, worst first, with its open alerts by severity, its flapping and
// snoozed open alerts, its data sources' health, its last sync and analysis
// and the trend of its open alerts over the last 30 days:
//
//   {"generated_at": time,
//    "tenants": [{"tenant": name,
//                 "open": {"critical", "high", "medium", "low", "total"},
//                 "flapping": n, "snoozed": n,
//                 "last_sync_at": time | null, "last_analysis_at": time | null,
//                 "sources": [{"id", "name", "provider",
//                              "status": "ok" | "failed" | "stale" | "never",
//                              "last_sync_at": time | null, "error": string | null,
//                              "unavailable": [{"kind", "reason"}]}],
//                 "trend": [{"day": "YYYY-MM-DD", "open": n}, ... 30, oldest first]}]}
//
// (Tenants have no display name, so rows carry no "display_name".) Rows are
// sorted by critical, high, medium and low open alerts, most first, then by
// name. A source is "never" synced, its last sync "failed", "stale" (its
// last successful sync older than the tenant's max_sync_age_hours, the
// loader's rule: context/preferences.h), or "ok"; "unavailable" lists the
// kinds of data its last sync could not give (store/source_availability.h),
// but not the kinds its provider never has (providers/coverage.h).
// last_sync_at of a tenant is its sources' newest; last_analysis_at the
// newest batch its analysis ledger recorded. "flapping" and "snoozed" count
// open alerts, as GET /api/v1/alerts?flapping=true (or snoozed=true) lists
// them.
//
// LoadOverview reads it in a fixed number of statements (OverviewStatements),
// whatever the number of tenants, all in one snapshot of the database: the
// open alerts of every tenant in ONE aggregate (GROUP BY tenant_id,
// severity), never one query per tenant.
//
// Thread safety: as the Db's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerts/open_alert_days.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"
#include "store/source_availability.h"
#include "store/tenants.h"

namespace vigil {

// Days in a tenant's trend, ending today.
inline constexpr int kOverviewTrendDays = 30;

// The statements LoadOverview runs, whatever the number of tenants.
inline constexpr int kOverviewStatements = 11;

struct OverviewSource {
  int64_t id = 0;
  std::string name;
  std::string provider;
  std::string status;  // "ok", "failed", "stale", "never"
  std::optional<TimeMs> last_sync_at;
  std::string error;                          // empty: none
  std::vector<KindAvailability> unavailable;  // the kinds not available
};

// Open alerts by severity, worst first.
struct OpenBySeverity {
  int64_t critical = 0;
  int64_t high = 0;
  int64_t medium = 0;
  int64_t low = 0;
  int64_t total = 0;
};

struct OverviewRow {
  TenantRow tenant;
  OpenBySeverity open;
  int64_t flapping = 0;
  int64_t snoozed = 0;
  std::optional<TimeMs> last_sync_at;
  std::optional<TimeMs> last_analysis_at;
  std::vector<OverviewSource> sources;  // by id
  std::vector<OpenAlertDay> trend;      // kOverviewTrendDays, oldest first
};

struct Overview {
  TimeMs generated_at = 0;
  std::vector<OverviewRow> tenants;  // worst first
};

// The overview of tenant `tenant_id` (every tenant when it is 0) at `now`.
// The database's error otherwise.
Result<Overview> LoadOverview(Db* db, int64_t tenant_id, TimeMs now);

// The JSON text of `overview` (the shape above).
std::string OverviewJson(const Overview& overview);

}  // namespace vigil
