// The read side of alerts: what `vigil alerts`, `vigil history`, the API and
// consistency checks query. Findings are written by AlertManager alone;
// operator actions (acknowledge, snooze) by alerts/alert_actions.h.
//
// Every function runs a fixed number of statements (at most two), whatever
// the number of rows. Thread safety: as the Db's (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

enum class AlertStateFilter { kOpen, kResolved, kAll };

// "open", "resolved", "all" (the `--state` values) <-> AlertStateFilter.
std::string_view AlertStateFilterName(AlertStateFilter filter);
std::optional<AlertStateFilter> ParseAlertStateFilter(std::string_view name);

struct AlertFilter {
  std::optional<std::string> tenant;  // tenant name; none = every tenant
  AlertStateFilter state = AlertStateFilter::kOpen;
  std::optional<std::string> type;           // alert type, e.g. "mfa.user_not_registered"
  std::optional<std::string> analysis_type;  // e.g. "mfa"
};

// The alerts matching `filter`, ordered by tenant name, alert type, subject
// name (then subject and id, so the order is total). NotFound "no tenant
// named \"x\"" when filter.tenant names no tenant; the Db's error otherwise.
Result<std::vector<AlertRow>> ListAlerts(Db* db, const AlertFilter& filter);

// The alert with `id`, or nullopt when there is none.
Result<std::optional<AlertRow>> GetAlert(Db* db, int64_t id);

// The alerts selected by `clause`, the SQL that follows
// "SELECT <every alerts column, t.name> FROM alerts a JOIN tenants t ON
// t.id = a.tenant_id" (WHERE / ORDER BY / LIMIT over a.* and t.*), its `?`
// parameters bound by `bind`. One statement. For the other readers of
// src/alerts (alert_page.h), so that every reader returns the same AlertRow.
Result<std::vector<AlertRow>> SelectAlerts(Db* db, std::string_view clause,
                                           const std::function<void(Statement*)>& bind);

// As SelectAlerts, with the integer SQL expression `extra` selected after
// the alert's columns: each alert with its value (0 when NULL).
Result<std::vector<std::pair<AlertRow, int64_t>>> SelectAlertsWith(
    Db* db, std::string_view extra, std::string_view clause,
    const std::function<void(Statement*)>& bind);

// The history of alert `alert_id` in id order (the order of its changes).
// NotFound "no alert with id N" when there is no such alert.
Result<std::vector<HistoryRow>> AlertHistory(Db* db, int64_t alert_id);

// Every history row of a tenant, ordered by alert id then history id: one
// query for consistency checks that fold every alert of a tenant.
Result<std::vector<HistoryRow>> TenantHistory(Db* db, int64_t tenant_id);

// Open alerts by tenant and severity name ("critical", ...): of tenant
// `tenant_id` only, or of every tenant when it is 0. One statement, an
// aggregate over one range of alerts_by_state_tenant_severity alone.
Result<std::map<int64_t, std::map<std::string, int64_t>>> CountOpenAlertsByTenant(
    Db* db, int64_t tenant_id);

// Open alerts that are flapping, and open alerts snoozed beyond `now`, by
// tenant: of tenant `tenant_id` only, or of every tenant when it is 0
// (tenants with neither are absent; a tenant whose flapping alerts are all
// resolved may appear with 0). Two statements, each reading a partial index
// of the few such alerts (alerts_flapping_by_tenant, alerts_snoozed_by_state).
struct FlappingAndSnoozed {
  int64_t flapping = 0;
  int64_t snoozed = 0;
};
Result<std::map<int64_t, FlappingAndSnoozed>> CountFlappingAndSnoozedByTenant(Db* db,
                                                                              int64_t tenant_id,
                                                                              TimeMs now);

// Open alerts of every tenant by (alert type, severity name). One statement.
Result<std::map<std::pair<std::string, std::string>, int64_t>> CountOpenAlertsByType(Db* db);

// The tags on a tenant's entities as (subject, tag) pairs, distinct, ordered
// by subject then tag. Tags are a projection of open alerts (invariant 7).
Result<std::vector<std::pair<std::string, std::string>>> ListTags(Db* db, int64_t tenant_id);

}  // namespace vigil
