// The payload of each event type of events/event.h, and the Event that
// carries it. Writers (sync, alerts) fill a payload struct and append
// ToEvent(...) to the outbox; the JSON text is built here only, so every
// event of a type has the same fields in the same order.
//
// Payload text: a JSON object with the fields in the order declared below
// (tenant_id first); ids and counts are numbers, flags booleans, times
// ISO 8601 strings or null, the rest strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "events/event.h"

namespace vigil {

// sync.completed: counts are totals over the kinds the sync applied.
struct SyncCompletedPayload {
  int64_t tenant_id = 0;
  int64_t data_source_id = 0;
  int64_t sync_id = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t deleted = 0;
};

// sync.failed: `error` is the message recorded on the failed `syncs` row.
struct SyncFailedPayload {
  int64_t tenant_id = 0;
  int64_t data_source_id = 0;
  int64_t sync_id = 0;
  std::string error;
};

// analysis.completed: `batches` lists (analysis type, "COMPLETE" |
// "INCOMPLETE" | "FAILED") in the run's order; written as one JSON object.
struct AnalysisCompletedPayload {
  int64_t tenant_id = 0;
  std::string run_id;
  std::vector<std::pair<std::string, std::string>> batches;
  int64_t opened = 0;
  int64_t updated = 0;
  int64_t resolved = 0;
  int64_t reopened = 0;
};

// alert.<transition>: transition is "opened", "updated", "resolved",
// "reopened", "flapping" or "stable" (the history transition); it names the
// event type and is not repeated in the payload. `severity` is the alert's
// after the change; "previous_severity" is its severity before when the
// change altered it (an update or a reopen), null otherwise (so a details-
// only update has null). "flapping" says whether the alert is flapping after
// the change (alerts/flap_damping.h): notifiers stay quiet for a flapping
// alert, except for its one alert.flapping and its one alert.stable (which
// says false). `snoozed_until` is set when an operator had snoozed the
// alert beyond the time of the change (alerts/alert_actions.h): the payload
// then says "muted": true and "snoozed_until": "<ISO 8601>", telling
// notifiers to stay quiet; otherwise "muted": false and "snoozed_until": null.
struct AlertChangedPayload {
  std::string transition;
  int64_t tenant_id = 0;
  int64_t alert_id = 0;
  std::string run_id;
  std::string alert_type;
  std::string subject;
  std::string severity;
  std::optional<std::string> previous_severity;
  bool flapping = false;
  std::optional<TimeMs> snoozed_until;
  // Why, as the alert's history row says (e.g. "finding no longer
  // reported", "rule_changed (v1 -> v2)"): "reason" in the payload, last.
  std::string reason;
};

// The event (id 0: not stored yet) announcing `payload`, with `trace_id`
// and time `at`.
Event ToEvent(const SyncCompletedPayload& payload, std::string trace_id, TimeMs at);
Event ToEvent(const SyncFailedPayload& payload, std::string trace_id, TimeMs at);
Event ToEvent(const AnalysisCompletedPayload& payload, std::string trace_id, TimeMs at);
Event ToEvent(const AlertChangedPayload& payload, std::string trace_id, TimeMs at);

}  // namespace vigil
