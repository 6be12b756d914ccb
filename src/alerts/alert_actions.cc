#include "alerts/alert_actions.h"

#include <functional>
#include <memory>
#include <optional>

#include "alerts/alert_store.h"
#include "common/time.h"

namespace vigil {
namespace {

// Runs the UPDATE `sql` (its parameters bound by `bind`) and reads alert
// `alert_id` back, in one transaction.
Result<AlertRow> UpdateAndRead(Db* db, int64_t alert_id, std::string_view sql,
                               const std::function<void(Statement*)>& bind) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> update, db->Prepare(sql));
  bind(update.get());
  VIGIL_RETURN_IF_ERROR(update->Execute());
  VIGIL_ASSIGN_OR_RETURN(std::optional<AlertRow> alert, GetAlert(db, alert_id));
  if (!alert) return Status::NotFound("no alert with id " + std::to_string(alert_id));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return std::move(*alert);
}

}  // namespace

Result<AlertRow> AcknowledgeAlert(Db* db, int64_t alert_id, const std::string& by, TimeMs now) {
  return UpdateAndRead(db, alert_id,
                       "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?"
                       " WHERE id = ? AND acknowledged_at IS NULL",
                       [&](Statement* s) {
                         s->BindInt(1, now);
                         s->BindText(2, by);
                         s->BindInt(3, alert_id);
                       });
}

Result<AlertRow> SnoozeAlert(Db* db, int64_t alert_id, TimeMs until, TimeMs now) {
  if (until <= now) {
    return Status::InvalidArgument("snooze until " + FormatIso8601(until) + ": not after now (" +
                                   FormatIso8601(now) + ")");
  }
  return UpdateAndRead(db, alert_id, "UPDATE alerts SET snoozed_until = ? WHERE id = ?",
                       [&](Statement* s) {
                         s->BindInt(1, until);
                         s->BindInt(2, alert_id);
                       });
}

Result<AlertRow> UnsnoozeAlert(Db* db, int64_t alert_id) {
  return UpdateAndRead(db, alert_id, "UPDATE alerts SET snoozed_until = NULL WHERE id = ?",
                       [&](Statement* s) { s->BindInt(1, alert_id); });
}

}  // namespace vigil
