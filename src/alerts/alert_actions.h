// What an operator does to an alert: acknowledge it, snooze it, unsnooze
// it. These are written beside the alert (alerts.acknowledged_at,
// acknowledged_by, snoozed_until) and never touch what the finding decides:
// state, severity, details, last_seen, updated_at, tags and history stay as
// they were (history records only real changes of the finding,
// docs/ARCHITECTURE.md invariant 6). Findings are written by AlertManager alone.
//
// Every action is also logged: one row of alert_actions per alert and
// request (who, when, which action, the snooze's end, the reason), in the
// transaction that changes the columns. The log is the operators' record,
// never the alert's history. A request that changes no column (an alert
// acknowledged already keeps its first acknowledgement; unsnoozing an alert
// that is not snoozed) is logged all the same: it was asked for.
//
// A snooze mutes notifications until its time: AlertManager marks the
// events of a snoozed alert "muted" (events/event_payloads.h). It never
// changes the alert's state, and it ends by itself when its time passes.
//
// Each function runs in one transaction of its own (so not inside a
// transaction already open on `db`), all or nothing. The single-alert
// functions do not check who may see the alert (the caller has);
// ApplyAlertAction checks it for every id. Thread safety: as the Db's (one
// thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

enum class AlertAction { kAcknowledge, kSnooze, kUnsnooze };

// "acknowledge", "snooze", "unsnooze" (as requests name them) <-> AlertAction.
std::string_view AlertActionName(AlertAction action);
std::optional<AlertAction> ParseAlertAction(std::string_view name);
// What the log records: "acknowledged", "snoozed", "unsnoozed".
std::string_view AlertActionLogName(AlertAction action);

// Most alerts one ApplyAlertAction changes.
inline constexpr size_t kMaxAlertsPerAction = 1000;

struct AlertActionRequest {
  AlertAction action = AlertAction::kAcknowledge;
  std::string by;               // who: an API token's name
  TimeMs now = 0;               // when (the log's `at`, acknowledged_at)
  std::optional<TimeMs> until;  // kSnooze only, and required there: after `now`
  std::string reason;           // may be empty
  // Only alerts of this tenant count as existing (a tenant token's scope);
  // none: every tenant's.
  std::optional<int64_t> tenant_id;
};

// Applies `request` to every alert of `ids` (1 to kMaxAlertsPerAction
// distinct ids), all or nothing, in one transaction: acknowledges
// (keeping an earlier acknowledgement), snoozes until request.until
// (replacing an earlier snooze) or ends the snooze, and logs one row per
// alert in the order of `ids`. Returns the alerts afterwards in the order
// of `ids`. Fails without changing anything: NotFound "alerts not found:
// 12, 40" (the ids, in the order given, that do not exist or are not of
// request.tenant_id); InvalidArgument for no ids, too many, a duplicate,
// a snooze without `until` or with one not after `now` ("snooze until
// <time>: not after now (<time>)"), or `until` with another action; the
// Db's error otherwise. Four statements for up to 500 ids (read, update,
// log, read back), plus one log statement per further 500.
Result<std::vector<AlertRow>> ApplyAlertAction(Db* db, const std::vector<int64_t>& ids,
                                               const AlertActionRequest& request);

// One alert, as ApplyAlertAction with one id; NotFound "no alert with id N"
// when there is no such alert.
//
// Records that `by` acknowledged alert `alert_id` at `now`. An alert
// acknowledged already keeps its first acknowledgement (time and name).
Result<AlertRow> AcknowledgeAlert(Db* db, int64_t alert_id, const std::string& by, TimeMs now,
                                  std::string_view reason = {});

// Mutes the notifications of alert `alert_id` until `until` (replacing an
// earlier snooze). InvalidArgument "snooze until <time>: not after now
// (<time>)" when `until` <= `now`.
Result<AlertRow> SnoozeAlert(Db* db, int64_t alert_id, TimeMs until, TimeMs now,
                             std::string_view by = {}, std::string_view reason = {});

// Ends the snooze of alert `alert_id`, if any.
Result<AlertRow> UnsnoozeAlert(Db* db, int64_t alert_id, std::string_view by, TimeMs now,
                               std::string_view reason = {});

// One row of the action log.
struct AlertActionRow {
  int64_t id = 0;
  int64_t alert_id = 0;
  int64_t tenant_id = 0;
  TimeMs at = 0;
  std::string action;  // AlertActionLogName: "acknowledged", "snoozed", "unsnoozed"
  std::string by;
  std::optional<TimeMs> until;  // the snooze's end; none for the other actions
  std::string reason;
};

// The action log of alert `alert_id`, oldest first (by id). One statement;
// an alert nobody acted on (or that does not exist) has none.
Result<std::vector<AlertActionRow>> ListAlertActions(Db* db, int64_t alert_id);

}  // namespace vigil
