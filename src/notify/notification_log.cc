#include "notify/notification_log.h"

#include "notify/notification_store.h"

namespace vigil {

Result<std::vector<NotificationRow>> ListNotifications(Db* db, const NotificationFilter& f) {
  std::string sql =
      "SELECT n.id, COALESCE(c.name, '(removed channel ' || CAST(n.channel_id AS TEXT) || ')'), t.name, n.alert_id, COALESCE(a.type, ''), COALESCE(a.subject_name, ''),"
      " n.change, n.idempotency_key, n.state, COALESCE(n.reason, ''), n.at, n.attempts,"
      " n.sent_at, COALESCE(n.group_key, ''), d.status, d.response, d.error, d.at"
      " FROM notifications n LEFT JOIN channels c ON c.id = n.channel_id"
      " JOIN tenants t ON t.id = n.tenant_id LEFT JOIN alerts a ON a.id = n.alert_id"
      " LEFT JOIN deliveries d ON d.id = n.delivery_id WHERE 1 = 1";
  std::vector<DbValue> params;
  if (f.tenant_id) {
    sql += " AND n.tenant_id = ?";
    params.emplace_back(*f.tenant_id);
  }
  if (!f.channel.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                           db->QueryInt("SELECT id FROM channels WHERE name = ?", {f.channel}));
    if (!id) return Status::NotFound("no channel \"" + f.channel + "\"");
    sql += " AND n.channel_id = ?";
    params.emplace_back(*id);
  }
  if (f.alert_id) {
    sql += " AND n.alert_id = ?";
    params.emplace_back(*f.alert_id);
  }
  if (!f.state.empty()) {
    if (f.state != kNotificationPending && f.state != kNotificationSent &&
        f.state != kNotificationFailed && f.state != kNotificationSuppressed) {
      return Status::InvalidArgument("state \"" + f.state +
                                     "\": expected pending, sent, failed or suppressed");
    }
    sql += " AND n.state = ?";
    params.emplace_back(f.state);
  }
  if (f.before_id > 0) {
    sql += " AND n.id < ?";
    params.emplace_back(f.before_id);
  }
  sql += " ORDER BY n.id DESC LIMIT ?";
  params.emplace_back(int64_t{f.limit});
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, db->Prepare(sql));
  st->BindAll(params);
  std::vector<NotificationRow> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    NotificationRow r;
    r.id = st->Int(0);
    r.channel = st->String(1);
    r.tenant = st->String(2);
    r.alert_id = st->Int(3);
    r.alert_type = st->String(4);
    r.subject_name = st->String(5);
    r.change = st->String(6);
    r.key = st->String(7);
    r.state = st->String(8);
    r.reason = st->String(9);
    r.at = st->Int(10);
    r.attempts = static_cast<int>(st->Int(11));
    if (!st->IsNull(12)) r.sent_at = st->Int(12);
    r.group_key = st->String(13);
    if (!st->IsNull(14)) {
      r.status = static_cast<int>(st->Int(14));
      r.response = st->String(15);
      r.error = st->String(16);
      r.attempted_at = st->Int(17);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace vigil
