// One page of alerts, for listings too large to read at once (the API's
// GET /api/v1/alerts). Pages are keyset-paginated by alert id: a page holds
// matching alerts with id > after_id in id order, so a page boundary stays
// put while alerts are added or change state, and reading page N costs the
// same as reading page 1.
//
// ListAlertsPage runs ONE statement, whatever the filters. It walks one
// index range in id order (the "candidates"), chosen by the filters:
//   - with a tenant: alerts_by_tenant_state_id (tenant_id, state, id), one
//     range per state asked for, never the tenant's other alerts;
//   - without one, flapping only: alerts_flapping_by_state_id (state, id),
//     which holds the few flapping alerts alone;
//   - otherwise: alerts_by_state_id (state, id), or the alerts by id for
//     every state.
// The other filters (types, severities, flapping, snoozed, acknowledged,
// text) are tested on the candidates. Without them the page is the first
// `limit` candidates (LIMIT limit + 1, the extra row telling whether
// another page follows). With them a page examines at most `scan_limit`
// candidates: a filter that matches few alerts (a rare type, a name that
// appears twice among 100,000 alerts) costs a bounded walk per page, not a
// walk over every alert. Such a page may hold fewer than `limit` alerts, or
// none, and still have a next page: next_after_id is then the last
// candidate examined. Following next_after_id until it is none reads every
// match exactly once, in id order.
//
// Thread safety: as the Db's (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_row.h"
#include "alerts/alert_store.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Candidates a filtered page examines at most (AlertPageQuery::scan_limit).
inline constexpr int kAlertPageScanLimit = 10000;

struct AlertPageQuery {
  std::optional<int64_t> tenant_id;  // none: every tenant
  AlertStateFilter state = AlertStateFilter::kOpen;
  std::vector<std::string> types;       // any of these alert types; empty: every type
  std::vector<std::string> severities;  // any of these ("low", ...); empty: every severity
  std::optional<bool> flapping;         // none: either
  std::optional<bool> snoozed;          // snoozed_until after `now`; none: either
  std::optional<bool> acknowledged;     // none: either
  // A case-insensitive substring of subject_name or subject; empty: any.
  // Case folding is the database's: ASCII letters on SQLite, every letter
  // on PostgreSQL (ILIKE).
  std::string text;
  TimeMs now = 0;                        // the time `snoozed` compares with
  int64_t after_id = 0;                  // only alerts with a greater id (0: from the start)
  int limit = 100;                       // alerts per page, >= 1
  int scan_limit = kAlertPageScanLimit;  // candidates examined per filtered page, >= limit
};

struct AlertPage {
  std::vector<AlertRow> alerts;  // at most `limit`, in id order
  // The id to pass as after_id for the next page; none on the last page.
  std::optional<int64_t> next_after_id;
};

// The page of alerts matching `query`. InvalidArgument for a limit below 1,
// a scan_limit below the limit, or a negative after_id; the Db's error
// otherwise.
Result<AlertPage> ListAlertsPage(Db* db, const AlertPageQuery& query);

}  // namespace vigil
