#include "events/outbox.h"

#include <algorithm>
#include <memory>
#include <string>

#include "store/batch_insert.h"

namespace vigil {
namespace {

constexpr std::string_view kEventColumns = "id, tenant_id, type, trace_id, created_at, payload";

Status CheckLimit(int limit) {
  if (limit <= 0) {
    return Status::InvalidArgument("event outbox: limit must be positive, got " +
                                   std::to_string(limit));
  }
  return Status::Ok();
}

// Steps `stmt` (selecting kEventColumns) to the end.
Result<std::vector<Event>> ReadEvents(Statement* stmt) {
  std::vector<Event> events;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    Event e;
    e.id = stmt->Int(0);
    e.tenant_id = stmt->Int(1);
    e.type = stmt->String(2);
    e.trace_id = stmt->String(3);
    e.at = stmt->Int(4);
    e.payload = stmt->String(5);
    events.push_back(std::move(e));
  }
  return events;
}

// Up to `limit` events whose `column` (published_at or routed_at) is NULL,
// oldest first.
Result<std::vector<Event>> ReadPending(Db* db, std::string_view column, int limit) {
  VIGIL_RETURN_IF_ERROR(CheckLimit(limit));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare("SELECT " + std::string(kEventColumns) +
                                     " FROM event_outbox WHERE " + std::string(column) +
                                     " IS NULL ORDER BY id LIMIT ?"));
  stmt->BindInt(1, limit);
  return ReadEvents(stmt.get());
}

// Sets `column` = `at` on the events `ids` where it is still NULL.
Status MarkDone(Db* db, std::string_view column, const std::vector<int64_t>& ids, TimeMs at) {
  const std::string col(column);
  for (size_t begin = 0; begin < ids.size(); begin += kOutboxRowsPerStatement) {
    const size_t end = std::min(ids.size(), begin + kOutboxRowsPerStatement);
    std::string sql = "UPDATE event_outbox SET " + col + " = ? WHERE " + col + " IS NULL AND id IN (";
    for (size_t i = begin; i < end; ++i) sql += i == begin ? "?" : ", ?";
    sql += ")";
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
    stmt->BindInt(1, at);
    for (size_t i = begin; i < end; ++i) stmt->BindInt(static_cast<int>(i - begin) + 2, ids[i]);
    VIGIL_RETURN_IF_ERROR(stmt->Execute());
  }
  return Status::Ok();
}

}  // namespace

Status AppendEvents(Db* db, const std::vector<Event>& events) {
  if (events.empty()) return Status::Ok();
  BatchInsert insert(db,
                     "INSERT INTO event_outbox (tenant_id, type, trace_id, payload, created_at)", 5,
                     kOutboxRowsPerStatement);
  for (const Event& e : events) {
    insert.Int(e.tenant_id);
    insert.TextRef(e.type);
    insert.TextRef(e.trace_id);
    insert.TextRef(e.payload);
    insert.Int(e.at);
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

Result<std::vector<Event>> ReadUnpublished(Db* db, int limit) {
  return ReadPending(db, "published_at", limit);
}

Result<std::vector<Event>> ReadUnrouted(Db* db, int limit) {
  return ReadPending(db, "routed_at", limit);
}

Status MarkPublished(Db* db, const std::vector<int64_t>& ids, TimeMs at) {
  return MarkDone(db, "published_at", ids, at);
}

Status MarkRouted(Db* db, const std::vector<int64_t>& ids, TimeMs at) {
  return MarkDone(db, "routed_at", ids, at);
}

Result<int64_t> CountUnpublished(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(
      std::optional<int64_t> n,
      db->QueryInt("SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL"));
  return n.value_or(0);
}

Result<std::vector<Event>> ListEvents(Db* db, const EventFilter& filter, int64_t after_id,
                                      int limit) {
  VIGIL_RETURN_IF_ERROR(CheckLimit(limit));
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM event_outbox WHERE id > ?";
  std::vector<DbValue> params = {after_id};
  if (filter.tenant_id != 0) {
    sql += " AND tenant_id = ?";
    params.emplace_back(filter.tenant_id);
  }
  if (filter.type.size() >= 2 && filter.type.compare(filter.type.size() - 2, 2, ".*") == 0) {
    // "alert.*": the prefix up to and including the dot, as EventFilter::Matches.
    // substr counts characters, size() bytes: the same for ASCII type names.
    const std::string prefix = filter.type.substr(0, filter.type.size() - 1);
    sql += " AND substr(type, 1, " + std::to_string(prefix.size()) + ") = ?";
    params.emplace_back(prefix);
  } else if (!filter.type.empty()) {
    sql += " AND type = ?";
    params.emplace_back(filter.type);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{limit});
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
  stmt->BindAll(params);
  return ReadEvents(stmt.get());
}

Result<int64_t> PrunePublishedEvents(Db* db, TimeMs created_before, int batch) {
  if (batch <= 0) {
    return Status::InvalidArgument("prune events: batch must be > 0 (got " +
                                   std::to_string(batch) + ")");
  }
  // Oldest first: the rows to remove are at the low end of the id order.
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox"
                  " WHERE published_at IS NOT NULL AND routed_at IS NOT NULL AND created_at < ?"
                  " ORDER BY id LIMIT ?)"));
  int64_t removed = 0;
  for (;;) {
    stmt->Reset();
    stmt->BindAll({created_before, int64_t{batch}});
    VIGIL_RETURN_IF_ERROR(stmt->Execute());
    removed += stmt->Changes();
    if (stmt->Changes() < batch) return removed;
  }
}

Result<int64_t> NewestEventId(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                         db->QueryInt("SELECT COALESCE(MAX(id), 0) FROM event_outbox"));
  return id.value_or(0);
}

}  // namespace vigil
