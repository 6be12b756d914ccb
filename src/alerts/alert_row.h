// AlertRow and HistoryRow: one row of `alerts` and of `alert_history` as the
// read side (CLI, API, consistency checks) sees them, and the names of alert
// states and history transitions as they are stored.
//
// An alert is the durable record of a finding, keyed by (tenant, alert type,
// subject). Its history is append-only; every row is one real change of the
// alert's state, severity or details digest, or of its flapping flag
// (docs/ARCHITECTURE.md, invariant 6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace vigil {

// Alert states (alerts.state, alert_history.from_state/to_state).
inline constexpr std::string_view kAlertOpen = "open";
inline constexpr std::string_view kAlertResolved = "resolved";

// History transitions (alert_history.transition).
inline constexpr std::string_view kTransitionOpened = "opened";      // (none) -> open
inline constexpr std::string_view kTransitionUpdated = "updated";    // open -> open
inline constexpr std::string_view kTransitionResolved = "resolved";  // open -> resolved
inline constexpr std::string_view kTransitionReopened = "reopened";  // resolved -> open
// Flap damping (alerts/flap_damping.h): the state stays what it was (from
// and to are the same); severity and details are copied from the alert.
inline constexpr std::string_view kTransitionFlapping = "flapping";  // starts flapping
inline constexpr std::string_view kTransitionStable = "stable";      // stops flapping

struct AlertRow {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string tenant;                 // tenants.name
  std::string analysis_type;          // "mfa", ...
  std::string type;                   // alert type, "mfa.user_not_registered", ...
  std::string subject;                // Graph object id, skuId, or tenant name
  std::string subject_name;           // UPN, skuPartNumber, or tenant name
  std::string severity;               // "low", "medium", "high", "critical"
  std::string state;                  // kAlertOpen or kAlertResolved
  std::string details;                // a JSON object as text
  std::string details_digest;         // HashHex(details)
  std::optional<std::string> tag;     // the entity tag of its type; none for tenant-wide types
  TimeMs first_seen = 0;              // as_of of the run that first opened it
  TimeMs last_seen = 0;               // as_of of the latest COMPLETE batch that contained it
  std::optional<TimeMs> resolved_at;  // as_of of the run that resolved it; none while open
  TimeMs updated_at = 0;              // wall-clock time of its latest change
  std::string last_trace_id;          // trace of its latest change
  // Changed state flap_threshold times within flap_window and has not held
  // one state for a whole window since (alerts/flap_damping.h).
  bool flapping = false;
  // What operators did (alerts/alert_actions.h); never part of its history.
  std::optional<TimeMs> acknowledged_at;       // the first acknowledgement; none before
  std::optional<std::string> acknowledged_by;  // who acknowledged it (an API token's name)
  std::optional<TimeMs> snoozed_until;         // notifications muted until then; none: not snoozed
};

struct HistoryRow {
  int64_t id = 0;
  int64_t alert_id = 0;
  int64_t tenant_id = 0;
  std::string analysis_type;
  TimeMs at = 0;                          // as_of of the run that made the change
  std::string transition;                 // kTransition*
  std::optional<std::string> from_state;  // none for kTransitionOpened
  std::string to_state;
  std::string severity;  // the alert's severity after the change
  std::string details;   // the alert's details after the change
  std::string details_digest;
  std::string trace_id;
  std::string run_id;
  std::string reason;  // for humans: "severity changed from medium to high"
  int rule_version = 1;  // of the analysis type's batch that made the change
};

}  // namespace vigil
