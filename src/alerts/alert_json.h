// The stable JSON form of alerts and history rows (`vigil alerts --json`,
// `vigil history --json`, the API). docs/ARCHITECTURE.md ("Contracts")
// fixes the keys an alert carries at least; they never change meaning:
//
//   id, tenant, type, subject, subject_name, severity, state,
//   first_seen, last_seen, resolved_at, details
//
// followed by analysis_type, tag, details_digest, updated_at, last_trace_id,
// and what operators did (alerts/alert_actions.h):
//
//   acknowledged   {"at": time, "by": token name}, or null
//   snoozed_until  time, or null (notifications muted until then)
//
// and last `flapping`: true while the alert is flapping (it changed state
// flap_threshold times within flap_window; alerts/flap_damping.h), false
// otherwise.
//
// Times are ISO 8601 UTC ("2026-11-28T21:29:41Z"); resolved_at (and tag) are
// null when absent; details is embedded as the JSON object it holds (as a
// string only if the stored text is not JSON, which AlertManager never writes).
// Keys appear in the order listed. Invalid UTF-8 is replaced, never fatal.
//
// An entry of the action log (alerts/alert_actions.h) has the keys id, at,
// action ("acknowledged", "snoozed", "unsnoozed"), by, until (the snooze's
// end, or null) and reason.
//
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_actions.h"
#include "alerts/alert_row.h"

namespace vigil {

// The JSON values behind the texts below, for callers that embed them in a
// larger document (the API). Keys in the order documented.
nlohmann::ordered_json AlertJsonValue(const AlertRow& alert);
nlohmann::ordered_json HistoryJsonValue(const HistoryRow& row);
nlohmann::ordered_json AlertActionJsonValue(const AlertActionRow& row);

// One alert as a JSON object. `indent` < 0 gives one line; >= 0 pretty-prints
// with that many spaces per level.
std::string AlertToJson(const AlertRow& alert, int indent = -1);

// A JSON array of alerts, in the given order.
std::string AlertsToJson(const std::vector<AlertRow>& alerts, int indent = -1);

// One history row as a JSON object with the keys id, alert_id, at,
// transition, from_state (null for "opened"), to_state, severity, reason,
// details (embedded object), details_digest, trace_id, run_id,
// analysis_type, tenant_id.
std::string HistoryToJson(const HistoryRow& row, int indent = -1);

// A JSON array of history rows, in the given order.
std::string HistoryListToJson(const std::vector<HistoryRow>& rows, int indent = -1);

}  // namespace vigil
