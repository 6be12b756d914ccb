#include "alerts/alert_actions.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "alerts/alert_store.h"
#include "common/time.h"
#include "store/batch_insert.h"

namespace vigil {
namespace {

// Action log rows per multi-row INSERT.
constexpr int kLogRowsPerStatement = 500;

// "?, ?, ?" for `n` ids.
std::string Placeholders(size_t n) {
  std::string out;
  out.reserve(n * 3);
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

void BindIds(Statement* s, const std::vector<int64_t>& ids, int first = 1) {
  for (size_t i = 0; i < ids.size(); ++i) s->BindInt(first + static_cast<int>(i), ids[i]);
}

Status CheckRequest(const std::vector<int64_t>& ids, const AlertActionRequest& request) {
  if (ids.empty() || ids.size() > kMaxAlertsPerAction) {
    return Status::InvalidArgument("alert action: " + std::to_string(ids.size()) +
                                   " alerts; 1 to " + std::to_string(kMaxAlertsPerAction) +
                                   " are accepted");
  }
  std::set<int64_t> seen;
  for (int64_t id : ids) {
    if (!seen.insert(id).second) {
      return Status::InvalidArgument("alert action: alert " + std::to_string(id) +
                                     " is given twice");
    }
  }
  if (request.action != AlertAction::kSnooze) {
    if (request.until) {
      return Status::InvalidArgument("alert action: until is only for snooze, not " +
                                     std::string(AlertActionName(request.action)));
    }
    return Status::Ok();
  }
  if (!request.until) return Status::InvalidArgument("alert action: snooze needs until");
  if (*request.until <= request.now) {
    return Status::InvalidArgument("snooze until " + FormatIso8601(*request.until) +
                                   ": not after now (" + FormatIso8601(request.now) + ")");
  }
  return Status::Ok();
}

// The tenant of every id that exists (and is of request.tenant_id, when
// given); NotFound naming the others, in the order of `ids`.
Result<std::map<int64_t, int64_t>> TenantsOf(Db* db, const std::vector<int64_t>& ids,
                                             const AlertActionRequest& request, bool single) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare("SELECT id, tenant_id FROM alerts WHERE id IN (" +
                                     Placeholders(ids.size()) + ")"));
  BindIds(stmt.get(), ids);
  std::map<int64_t, int64_t> tenants;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (request.tenant_id && stmt->Int(1) != *request.tenant_id) continue;
    tenants[stmt->Int(0)] = stmt->Int(1);
  }
  std::string missing;
  for (int64_t id : ids) {
    if (tenants.count(id) > 0) continue;
    if (single) return Status::NotFound("no alert with id " + std::to_string(id));
    missing += (missing.empty() ? "" : ", ") + std::to_string(id);
  }
  if (!missing.empty()) return Status::NotFound("alerts not found: " + missing);
  return tenants;
}

// The UPDATE of the alerts' columns.
Status UpdateColumns(Db* db, const std::vector<int64_t>& ids, const AlertActionRequest& request) {
  std::string sql;
  std::vector<DbValue> leading;
  switch (request.action) {
    case AlertAction::kAcknowledge:
      // The first acknowledgement stays.
      sql =
          "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE acknowledged_at IS "
          "NULL AND id IN (";
      leading = {DbValue(int64_t{request.now}), DbValue(request.by)};
      break;
    case AlertAction::kSnooze:
      sql = "UPDATE alerts SET snoozed_until = ? WHERE id IN (";
      leading = {DbValue(int64_t{*request.until})};
      break;
    case AlertAction::kUnsnooze:
      sql = "UPDATE alerts SET snoozed_until = NULL WHERE id IN (";
      break;
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> update,
                         db->Prepare(sql + Placeholders(ids.size()) + ")"));
  update->BindAll(leading);
  BindIds(update.get(), ids, static_cast<int>(leading.size()) + 1);
  return update->Execute();
}

// One log row per alert, in the order of `ids`.
Status AppendLog(Db* db, const std::vector<int64_t>& ids, const std::map<int64_t, int64_t>& tenants,
                 const AlertActionRequest& request) {
  BatchInsert log(db,
                  "INSERT INTO alert_actions (alert_id, tenant_id, at, action, by, until, reason)",
                  7, kLogRowsPerStatement);
  const std::string_view action = AlertActionLogName(request.action);
  for (int64_t id : ids) {
    log.Int(id);
    log.Int(tenants.at(id));
    log.Int(request.now);
    log.TextRef(action);
    log.TextRef(request.by);
    if (request.until) {
      log.Int(*request.until);
    } else {
      log.Null();
    }
    log.TextRef(request.reason);
    VIGIL_RETURN_IF_ERROR(log.EndRow());
  }
  return log.Finish();
}

Result<std::vector<AlertRow>> ReadBack(Db* db, const std::vector<int64_t>& ids) {
  const std::string clause = "WHERE a.id IN (" + Placeholders(ids.size()) + ")";
  VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> rows,
                         SelectAlerts(db, clause, [&ids](Statement* s) { BindIds(s, ids); }));
  std::map<int64_t, AlertRow> by_id;
  for (AlertRow& row : rows) by_id.emplace(row.id, std::move(row));
  std::vector<AlertRow> ordered;
  ordered.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return Status::Internal("alert " + std::to_string(id) + " vanished");
    ordered.push_back(std::move(it->second));
  }
  return ordered;
}

Result<std::vector<AlertRow>> Apply(Db* db, const std::vector<int64_t>& ids,
                                    const AlertActionRequest& request, bool single) {
  VIGIL_RETURN_IF_ERROR(CheckRequest(ids, request));
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(auto tenants, TenantsOf(db, ids, request, single));
  VIGIL_RETURN_IF_ERROR(UpdateColumns(db, ids, request));
  VIGIL_RETURN_IF_ERROR(AppendLog(db, ids, tenants, request));
  VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> alerts, ReadBack(db, ids));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return alerts;
}

Result<AlertRow> ApplyOne(Db* db, int64_t alert_id, AlertActionRequest request) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> alerts,
                         Apply(db, {alert_id}, request, /*single=*/true));
  return std::move(alerts.front());
}

}  // namespace

std::string_view AlertActionName(AlertAction action) {
  switch (action) {
    case AlertAction::kAcknowledge:
      return "acknowledge";
    case AlertAction::kSnooze:
      return "snooze";
    case AlertAction::kUnsnooze:
      return "unsnooze";
  }
  return "acknowledge";
}

std::optional<AlertAction> ParseAlertAction(std::string_view name) {
  for (AlertAction a : {AlertAction::kAcknowledge, AlertAction::kSnooze, AlertAction::kUnsnooze}) {
    if (AlertActionName(a) == name) return a;
  }
  return std::nullopt;
}

std::string_view AlertActionLogName(AlertAction action) {
  switch (action) {
    case AlertAction::kAcknowledge:
      return "acknowledged";
    case AlertAction::kSnooze:
      return "snoozed";
    case AlertAction::kUnsnooze:
      return "unsnoozed";
  }
  return "acknowledged";
}

Result<std::vector<AlertRow>> ApplyAlertAction(Db* db, const std::vector<int64_t>& ids,
                                               const AlertActionRequest& request) {
  return Apply(db, ids, request, /*single=*/false);
}

Result<AlertRow> AcknowledgeAlert(Db* db, int64_t alert_id, const std::string& by, TimeMs now,
                                  std::string_view reason) {
  return ApplyOne(db, alert_id,
                  {AlertAction::kAcknowledge, by, now, std::nullopt, std::string(reason), {}});
}

Result<AlertRow> SnoozeAlert(Db* db, int64_t alert_id, TimeMs until, TimeMs now,
                             std::string_view by, std::string_view reason) {
  return ApplyOne(db, alert_id,
                  {AlertAction::kSnooze, std::string(by), now, until, std::string(reason), {}});
}

Result<AlertRow> UnsnoozeAlert(Db* db, int64_t alert_id, std::string_view by, TimeMs now,
                               std::string_view reason) {
  return ApplyOne(
      db, alert_id,
      {AlertAction::kUnsnooze, std::string(by), now, std::nullopt, std::string(reason), {}});
}

Result<std::vector<AlertActionRow>> ListAlertActions(Db* db, int64_t alert_id) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare("SELECT id, alert_id, tenant_id, at, action, by, until, reason"
                                     " FROM alert_actions WHERE alert_id = ? ORDER BY id"));
  stmt->BindInt(1, alert_id);
  std::vector<AlertActionRow> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    AlertActionRow r;
    r.id = stmt->Int(0);
    r.alert_id = stmt->Int(1);
    r.tenant_id = stmt->Int(2);
    r.at = stmt->Int(3);
    r.action = stmt->String(4);
    r.by = stmt->String(5);
    if (!stmt->IsNull(6)) r.until = stmt->Int(6);
    r.reason = stmt->String(7);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace vigil
