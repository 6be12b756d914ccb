#include "notify/notification_store.h"

#include <algorithm>

#include "store/batch_insert.h"

namespace vigil {
namespace {

constexpr int kRowsPerStatement = 200;

constexpr std::string_view kClaimReturning =
    " RETURNING id, tenant_id, alert_id, change, previous_severity, idempotency_key, at,"
    " trace_id, attempts, first_attempt_at";

Result<std::vector<ClaimedNotification>> ReadClaimed(Statement* st) {
  std::vector<ClaimedNotification> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    ClaimedNotification n;
    n.id = st->Int(0);
    n.tenant_id = st->Int(1);
    n.alert_id = st->Int(2);
    n.change = st->String(3);
    if (!st->IsNull(4)) n.previous_severity = st->String(4);
    n.key = st->String(5);
    n.at = st->Int(6);
    n.trace_id = st->String(7);
    n.attempts = static_cast<int>(st->Int(8));
    if (!st->IsNull(9)) n.first_attempt_at = st->Int(9);
    rows.push_back(std::move(n));
  }
  std::sort(rows.begin(), rows.end(),
            [](const ClaimedNotification& a, const ClaimedNotification& b) { return a.id < b.id; });
  return rows;
}

std::string IdList(const std::vector<int64_t>& ids) {
  std::string text = "[";
  for (size_t i = 0; i < ids.size(); ++i) text += (i ? "," : "") + std::to_string(ids[i]);
  return text + "]";
}

Result<int64_t> InsertDelivery(Db* db, const ClaimedGroup& group, const DeliveryAttempt& a) {
  const std::string outcome =
      a.give_up ? std::string(kNotificationFailed) : std::string(DeliveryOutcomeName(a.result.outcome));
  VIGIL_RETURN_IF_ERROR(db->Execute(
      "INSERT INTO deliveries (channel_id, group_key, tenant_id, at, attempt, notifications,"
      " alert_ids, outcome, status, response, error, duration_ms, worker)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {group.channel_id, group.group_key, a.tenant_id ? DbValue(*a.tenant_id) : DbValue(), a.at,
       int64_t{a.attempt}, static_cast<int64_t>(group.rows.size()), IdList(a.alert_ids), outcome,
       int64_t{a.result.status}, a.result.response, a.result.error, a.duration_ms, a.worker}));
  return db->LastInsertId();
}

}  // namespace

Status InsertNotifications(Db* db, const std::vector<NewNotification>& rows) {
  if (rows.empty()) return Status::Ok();
  BatchOptions options;
  options.rows_per_statement = kRowsPerStatement;
  options.suffix = " ON CONFLICT (idempotency_key) DO NOTHING";
  BatchInsert insert(db,
                     "INSERT INTO notifications (channel_id, tenant_id, alert_id, event_id, change,"
                     " previous_severity, idempotency_key, state, reason, at, trace_id, due_at,"
                     " group_key, next_attempt_at)",
                     14, options);
  for (const NewNotification& n : rows) {
    insert.Int(n.channel_id);
    insert.Int(n.tenant_id);
    insert.Int(n.alert_id);
    n.event_id ? insert.Int(*n.event_id) : insert.Null();
    insert.TextRef(n.change);
    n.previous_severity.empty() ? insert.Null() : insert.TextRef(n.previous_severity);
    insert.TextRef(n.key);
    insert.TextRef(n.state);
    n.reason.empty() ? insert.Null() : insert.TextRef(n.reason);
    insert.Int(n.at);
    insert.TextRef(n.trace_id);
    insert.Int(n.due_at);
    n.group_key.empty() ? insert.Null() : insert.TextRef(n.group_key);
    insert.Int(n.at);  // next_attempt_at: only a retry sets a later one
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

// Only the rows that are due are read (the partial index on due_at of
// pending rows), not every pending one: a group is due exactly when one of
// its rows is, and a fleet's onboarding can leave tens of thousands pending
// for the group wait while passes run many times a second.
Result<std::vector<DueGroup>> FindDueGroups(Db* db, TimeMs now, int limit) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db->Prepare("SELECT channel_id, CASE WHEN group_key IS NULL THEN tenant_id ELSE 0 END,"
                  " COALESCE(group_key, ''), MIN(due_at) FROM notifications"
                  " WHERE state = 'pending' AND due_at <= ? AND next_attempt_at <= ?"
                  " AND (lease_until IS NULL OR lease_until < ?)"
                  " GROUP BY channel_id, CASE WHEN group_key IS NULL THEN tenant_id ELSE 0 END,"
                  " COALESCE(group_key, '')"
                  " ORDER BY MIN(due_at) LIMIT ?"));
  st->BindAll({now, now, now, int64_t{limit}});
  std::vector<DueGroup> groups;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    groups.push_back({st->Int(0), st->Int(1), st->String(2), st->Int(3)});
  }
  return groups;
}

Result<ClaimedGroup> ClaimGroup(Db* db, const DueGroup& group, std::string_view owner,
                                std::string_view new_key, TimeMs now, int64_t lease_ms,
                                int max_rows) {
  ClaimedGroup claimed;
  claimed.channel_id = group.channel_id;
  claimed.owner = std::string(owner);
  claimed.group_key = group.group_key.empty() ? std::string(new_key) : group.group_key;
  const std::string free = "(lease_until IS NULL OR lease_until < ?)";
  std::string sql;
  std::vector<DbValue> params = {claimed.owner, now + lease_ms, claimed.group_key};
  if (group.group_key.empty()) {
    sql = "UPDATE notifications SET lease_owner = ?, lease_until = ?, group_key = ?"
          " WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND channel_id = ?"
          " AND tenant_id = ? AND group_key IS NULL AND " + free + " ORDER BY id LIMIT ?)"
          " AND state = 'pending' AND group_key IS NULL AND " + free;
    params.insert(params.end(), {group.channel_id, group.tenant_id, now, int64_t{max_rows}, now});
  } else {
    sql = "UPDATE notifications SET lease_owner = ?, lease_until = ?"
          " WHERE group_key = ? AND state = 'pending' AND " + free;
    params.pop_back();
    params.insert(params.end(), {group.group_key, now});
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, db->Prepare(sql + std::string(kClaimReturning)));
  st->BindAll(params);
  VIGIL_ASSIGN_OR_RETURN(claimed.rows, ReadClaimed(st.get()));
  return claimed;
}

Status SuppressClaimed(Db* db, const ClaimedGroup& group, const std::vector<int64_t>& ids,
                       std::string_view reason) {
  for (int64_t id : ids) {
    VIGIL_RETURN_IF_ERROR(db->Execute(
        "UPDATE notifications SET state = 'suppressed', reason = ?, lease_owner = NULL,"
        " lease_until = NULL WHERE id = ? AND lease_owner = ?",
        {std::string(reason), id, group.owner}));
  }
  return Status::Ok();
}

Result<int64_t> RecordAttempt(Db* db, const ClaimedGroup& group, const DeliveryAttempt& a) {
  VIGIL_ASSIGN_OR_RETURN(int64_t delivery_id, InsertDelivery(db, group, a));
  const std::string common =
      " attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?),"
      " delivery_id = ?, lease_owner = NULL, lease_until = NULL"
      " WHERE group_key = ? AND lease_owner = ? AND state = 'pending'";
  if (a.result.outcome == DeliveryOutcome::kSent) {
    VIGIL_RETURN_IF_ERROR(db->Execute("UPDATE notifications SET state = 'sent', sent_at = ?," + common,
                                      {a.at, a.at, delivery_id, group.group_key, group.owner}));
  } else if (a.result.outcome == DeliveryOutcome::kRetry && !a.give_up) {
    VIGIL_RETURN_IF_ERROR(db->Execute("UPDATE notifications SET next_attempt_at = ?," + common,
                                      {a.next_attempt_at, a.at, delivery_id, group.group_key,
                                       group.owner}));
  } else {
    VIGIL_RETURN_IF_ERROR(db->Execute("UPDATE notifications SET state = 'failed', reason = ?," + common,
                                      {a.result.error, a.at, delivery_id, group.group_key,
                                       group.owner}));
  }
  return delivery_id;
}

Result<int64_t> PruneDeliveries(Db* db, TimeMs before) {
  int64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE state <> "
        "'pending' AND at < ? ORDER BY id LIMIT 1000)",
        "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE at < ? ORDER BY id "
        "LIMIT 1000)"}) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, db->Prepare(sql));
    for (;;) {
      st->Reset();
      st->BindInt(1, before);
      VIGIL_RETURN_IF_ERROR(st->Execute());
      removed += st->Changes();
      if (st->Changes() < 1000) break;
    }
  }
  return removed;
}

}  // namespace vigil
