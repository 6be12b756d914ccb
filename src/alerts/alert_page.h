// One page of alerts, for listings too large to read at once (the API's
// GET /api/v1/alerts). Pages are keyset-paginated by alert id: a page holds
// the matching alerts with id > after_id in id order, so a page boundary
// stays put while alerts are added or change state, and reading page N
// costs the same as reading page 1.
//
// ListAlertsPage runs ONE statement (LIMIT limit + 1, the extra row telling
// whether another page follows). With a tenant it reads one range of the
// index alerts_by_tenant_state_id (tenant_id, state, id) per state asked
// for, never the tenant's other alerts; without one, the alerts by id.
//
// Thread safety: as the Db's (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_row.h"
#include "alerts/alert_store.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct AlertPageQuery {
  std::optional<int64_t> tenant_id;  // none: every tenant
  AlertStateFilter state = AlertStateFilter::kOpen;
  std::optional<std::string> type;      // alert type, e.g. "mfa.user_not_registered"
  std::optional<std::string> severity;  // "low", "medium", "high", "critical"
  int64_t after_id = 0;                 // only alerts with a greater id (0: from the start)
  int limit = 100;                      // alerts per page, >= 1
};

struct AlertPage {
  std::vector<AlertRow> alerts;  // at most `limit`, in id order
  // The id to pass as after_id for the next page; none on the last page.
  std::optional<int64_t> next_after_id;
};

// The page of alerts matching `query`. InvalidArgument for a limit below 1
// or a negative after_id; the Db's error otherwise.
Result<AlertPage> ListAlertsPage(Db* db, const AlertPageQuery& query);

}  // namespace vigil
