// Event: a fact vigil announces to observers (UI, PSA integrations, other
// services). Correctness never depends on an event being delivered once:
// delivery is at-least-once and `id` lets a consumer drop a repeat.
//
// Types and the ids their payload carries (a JSON object; every payload also
// has "tenant_id"):
//   sync.completed      data_source_id, sync_id, created, updated, deleted
//   sync.failed         data_source_id, sync_id, error
//   analysis.completed  run_id, batches {type: "COMPLETE"|"INCOMPLETE"|"FAILED"},
//                       opened, updated, resolved, reopened
//   alert.opened, alert.updated, alert.resolved, alert.reopened
//                       alert_id, run_id, alert_type, subject, severity,
//                       previous_severity, flapping, muted, snoozed_until
//   alert.flapping      the same fields: the alert changed state
//                       flap_threshold times within flap_window and is now
//                       flapping (its other alert.* events say
//                       "flapping": true until alert.stable); once per flap
//   alert.stable        the same fields: a flapping alert held one state for
//                       a whole flap_window ("flapping": false)
// (events/event_payloads.h has the fields' meaning; alerts/flap_damping.h
// the rules of flapping.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace vigil {

// Event types. The kEvent prefix keeps them apart from the alert states and
// transitions of alerts/alert_row.h (kAlertResolved is a state there).
inline constexpr std::string_view kEventSyncCompleted = "sync.completed";
inline constexpr std::string_view kEventSyncFailed = "sync.failed";
inline constexpr std::string_view kEventAnalysisCompleted = "analysis.completed";
inline constexpr std::string_view kEventAlertOpened = "alert.opened";
inline constexpr std::string_view kEventAlertUpdated = "alert.updated";
inline constexpr std::string_view kEventAlertResolved = "alert.resolved";
inline constexpr std::string_view kEventAlertReopened = "alert.reopened";
inline constexpr std::string_view kEventAlertFlapping = "alert.flapping";
inline constexpr std::string_view kEventAlertStable = "alert.stable";

struct Event {
  int64_t id = 0;  // the outbox row id: unique and increasing; 0 before it is stored
  std::string type;
  int64_t tenant_id = 0;
  std::string trace_id;
  TimeMs at = 0;
  std::string payload;  // JSON object text
};

}  // namespace vigil
