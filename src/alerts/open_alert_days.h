// The open alerts of each tenant per day: table open_alert_days, one row per
// (tenant, UTC day of an analysis clock), the overview's 30-day trend. The
// reconcile (AlertManager) records the tenant's count after each run that
// records a batch, in its transaction; the day's last run wins. A day
// without a row had no run: its count is the last earlier day's (0 before
// the first).
//
// Thread safety: as the Db's (one thread at a time).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// "2026-11-28": the UTC day of `time`.
std::string UtcDay(TimeMs time);

// Records the number of open alerts tenant `tenant_id` has now as its count
// of the day of `as_of` (replacing the day's earlier count). One statement;
// the caller's transaction makes it agree with the alerts.
Status RecordOpenAlertDay(Db* db, int64_t tenant_id, TimeMs as_of);

// One day of a trend.
struct OpenAlertDay {
  std::string day;  // "2026-11-28"
  int64_t open = 0;
};

// The `days` days ending with the day of `today`, oldest first, for tenant
// `tenant_id` (every tenant with a row when it is 0; a tenant without rows
// is absent: its trend is all zeros). Days without a row take the last
// earlier day's count, 0 before any. One statement, whatever the number of
// tenants: it reads the rows of the window and, per tenant, the last row
// before it.
Result<std::map<int64_t, std::vector<OpenAlertDay>>> LoadOpenAlertTrend(Db* db, int64_t tenant_id,
                                                                        TimeMs today, int days);

// The `days` days ending with the day of `today`, all with count 0.
std::vector<OpenAlertDay> EmptyTrend(TimeMs today, int days);

}  // namespace vigil
