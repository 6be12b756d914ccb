// Folding an alert's history into the alert state it implies.
//
// The history of an alert is its source of truth for humans and auditors; the
// alerts row is a cache of its fold. FoldHistory replays the rows and checks
// that each one is a legal, real change; CheckAlertAgainstHistory compares
// the fold with the row (docs/ARCHITECTURE.md invariant 6). Used by tests and
// by consistency checks. Pure functions: no I/O, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"

namespace vigil {

// What an alert's history says its row must hold.
struct FoldedAlert {
  std::string state;
  std::string severity;
  std::string details;
  std::string details_digest;
  TimeMs first_seen = 0;              // `at` of the 'opened' row
  std::optional<TimeMs> resolved_at;  // `at` of the last 'resolved' row while resolved
  std::string last_trace_id;          // trace of the last row
  bool flapping = false;              // after a 'flapping' row until a 'stable' one
};

// Folds `history` (one alert's rows, in id order). Fails with Internal naming
// the alert, the history row id and the rule when the history is not a legal
// sequence:
//   - it is empty, or its rows belong to different alerts or are not in
//     ascending id order;
//   - the first row is not 'opened' (from none to open), or a later one is;
//   - a row's from_state is not the state folded so far, or its to_state is
//     not the one its transition implies (updated: open->open, resolved:
//     open->resolved, reopened: resolved->open);
//   - an 'updated' row changes neither severity nor details digest, or a
//     'resolved', 'flapping' or 'stable' row changes either (those record
//     the alert as it was);
//   - a 'flapping' or 'stable' row does not keep the state (from_state and
//     to_state must both be the state folded so far), or a 'flapping' row
//     comes while the alert is flapping, or a 'stable' one while it is not.
Result<FoldedAlert> FoldHistory(const std::vector<HistoryRow>& history);

// OK when `history` folds (see FoldHistory) and the fold equals `alert` in
// state, severity, details, details_digest, first_seen, resolved_at,
// last_trace_id and flapping. Otherwise Internal naming the alert id and every field that
// differs, with both values.
Status CheckAlertAgainstHistory(const AlertRow& alert, const std::vector<HistoryRow>& history);

}  // namespace vigil
