// What an operator does to an alert: acknowledge it, snooze it, unsnooze
// it. These are written beside the alert (alerts.acknowledged_at,
// acknowledged_by, snoozed_until) and never touch what the finding decides:
// state, severity, details, last_seen, updated_at, tags and history stay as
// they were (history records only real changes of the finding,
// docs/ARCHITECTURE.md invariant 6). Findings are written by AlertManager alone.
//
// A snooze mutes notifications until its time: AlertManager marks the
// events of a snoozed alert "muted" (events/event_payloads.h). It never
// changes the alert's state, and it ends by itself when its time passes.
//
// Each function runs one UPDATE and reads the alert back, both in one
// transaction of its own (so not inside a transaction already open on
// `db`). They do not check who may see the alert: the caller has.
// Thread safety: as the Db's (one thread at a time).
#pragma once

#include <cstdint>
#include <string>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Records that `by` acknowledged alert `alert_id` at `now`. An alert
// acknowledged already keeps its first acknowledgement (time and name).
// Returns the alert afterwards. NotFound "no alert with id N" when there is
// no such alert; the Db's error otherwise.
Result<AlertRow> AcknowledgeAlert(Db* db, int64_t alert_id, const std::string& by, TimeMs now);

// Mutes the notifications of alert `alert_id` until `until` (replacing an
// earlier snooze). InvalidArgument "snooze until <time>: not after now
// (<time>)" when `until` <= `now`; NotFound as above. Returns the alert.
Result<AlertRow> SnoozeAlert(Db* db, int64_t alert_id, TimeMs until, TimeMs now);

// Ends the snooze of alert `alert_id`, if any. NotFound as above. Returns
// the alert.
Result<AlertRow> UnsnoozeAlert(Db* db, int64_t alert_id);

}  // namespace vigil
