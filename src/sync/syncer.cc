#include "sync/syncer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <tuple>

#include "events/event_payloads.h"
#include "events/outbox.h"
#include "store/batch_insert.h"
#include "sync/row_stream.h"
#include "sync/snapshot_rows.h"

namespace vigil {
namespace {

struct StoredEntity {
  std::string id;
  std::string hash;
  bool live = false;
};

// What the sync will do to one kind. Which rows are new and which stored
// rows vanish is known from the ids before anything is encoded or written;
// whether a matched row changed is known once its row is encoded.
struct KindPlan {
  std::vector<int32_t> match;  // per row in order: index into the stored rows, or -1 (new)
  std::vector<std::string> deletes;
  int64_t live_before = 0;
  int64_t inserts = 0;
  int64_t updates = 0;  // changed, or revived after a deletion (counted while writing)
  int64_t unchanged = 0;
};

using LinkKey = std::pair<std::string, std::string>;  // (from_id, to_id)

// The order of links, by (from_id, to_id): whether `row` (wanted) sorts
// before the stored `key`, and the other way round.
bool LinkBefore(const LinkRow& row, const LinkKey& key) {
  const std::string_view from(key.first), to(key.second);
  return std::tie(row.from_id, row.to_id) < std::tie(from, to);
}
bool LinkBefore(const LinkKey& key, const LinkRow& row) {
  const std::string_view from(key.first), to(key.second);
  return std::tie(from, to) < std::tie(row.from_id, row.to_id);
}

// Seconds since the last call (or construction), for SyncSummary::phases.
class Lap {
 public:
  double Next() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Entities carry no foreign keys (migration 9): this is their check, once
// per sync instead of twice per row, and it also holds the data source to
// its tenant.
Status CheckOwner(Db* db, int64_t tenant_id, int64_t ds) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> owner,
                         db->QueryInt("SELECT tenant_id FROM data_sources WHERE id = ?", {ds}));
  if (!owner || *owner != tenant_id) {
    return Status::NotFound("sync: data source " + std::to_string(ds) + " of tenant " +
                            std::to_string(tenant_id) + " does not exist");
  }
  return Status::Ok();
}

// The data source's stored entities per kind, each sorted by external id.
Result<std::map<EntityKind, std::vector<StoredEntity>>> LoadStored(Db* db, int64_t ds) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT kind, external_id, content_hash, deleted_at FROM entities"
                  " WHERE data_source_id = ?"));
  stmt->BindInt(1, ds);
  std::map<EntityKind, std::vector<StoredEntity>> stored;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    std::optional<EntityKind> kind = ParseKind(stmt->Text(0));
    if (!kind) continue;
    stored[*kind].push_back(StoredEntity{stmt->String(1), stmt->String(2), stmt->IsNull(3)});
  }
  for (auto& [kind, entities] : stored) {
    std::sort(entities.begin(), entities.end(),
              [](const StoredEntity& a, const StoredEntity& b) { return a.id < b.id; });
  }
  return stored;
}

// Merges the ids of one kind (records in stored order) with its sorted
// stored rows.
KindPlan PlanKind(const Snapshot& snapshot, EntityKind kind, const std::vector<uint32_t>& order,
                  const std::vector<StoredEntity>& stored) {
  KindPlan plan;
  plan.match.assign(order.size(), -1);
  size_t i = 0, j = 0;
  while (i < order.size() || j < stored.size()) {
    const std::string_view id =
        i < order.size() ? RecordId(snapshot, kind, order[i]) : std::string_view();
    if (j == stored.size() || (i < order.size() && id < stored[j].id)) {
      ++plan.inserts;
      ++i;
      continue;
    }
    const StoredEntity& s = stored[j];
    plan.live_before += s.live;
    if (i == order.size() || s.id < id) {
      if (s.live) plan.deletes.push_back(s.id);
      ++j;
      continue;
    }
    plan.match[i++] = static_cast<int32_t>(j++);
  }
  return plan;
}

std::string GuardViolation(const std::map<EntityKind, KindPlan>& plans,
                           const SyncOptions& options) {
  for (const auto& [kind, plan] : plans) {
    if (plan.live_before < options.guard_min_entities) continue;
    const double share = static_cast<double>(plan.deletes.size()) / plan.live_before;
    if (share > options.max_delete_share) {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.0f%%", share * 100);
      return "refused: this sync would delete " + std::to_string(plan.deletes.size()) + " of " +
             std::to_string(plan.live_before) + " " + std::string(KindName(kind)) + " entities (" +
             pct + ", more than " +
             std::to_string(static_cast<int>(options.max_delete_share * 100)) +
             "%); nothing was changed. If the data source really lost them, sync again with "
             "--force";
    }
  }
  return "";
}

// Rows per INSERT of entities: 256 rows (2,304 parameters, within both
// backends' limits) cost SQLite a tenth less per row than 64.
constexpr int kEntityRowsPerInsert = 256;

// Writes every kind's rows as `stream` yields them (kinds and rows in
// stored order): new rows inserted, changed or revived rows updated, then the
// kind's vanished rows soft-deleted. Counts updates and unchanged rows into
// the plans.
Status WriteEntities(Db* db, int64_t tenant_id, int64_t ds, TimeMs now, RowStream* stream,
                     const std::map<EntityKind, std::vector<StoredEntity>>& stored,
                     std::map<EntityKind, KindPlan>* plans) {
  BatchInsert insert(db,
                     "INSERT INTO entities (tenant_id, data_source_id, kind, external_id,"
                     " display_name, attributes, content_hash, first_seen, last_changed)",
                     9, kEntityRowsPerInsert);
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> update,
      db->Prepare("UPDATE entities SET display_name = ?, attributes = ?, content_hash = ?,"
                  " last_changed = ?, deleted_at = NULL"
                  " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> remove,
                         db->Prepare("UPDATE entities SET deleted_at = ?, last_changed = ?"
                                     " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  static const std::vector<StoredEntity> kNone;
  // Chunks written, with the number of rows inserted up to their end: a
  // chunk is released once the inserts have executed past its rows.
  std::deque<std::pair<size_t, int64_t>> written;
  for (auto& [kind, plan] : *plans) {
    const std::string_view kind_name = KindName(kind);
    auto it = stored.find(kind);
    const std::vector<StoredEntity>& have = it == stored.end() ? kNone : it->second;
    for (size_t done = 0; done < plan.match.size();) {
      const RowStream::Chunk* chunk = stream->Next();
      if (chunk == nullptr || chunk->kind != kind || chunk->begin != done) {
        return Status::Internal("sync: encoded rows out of order");
      }
      for (size_t k = 0; k < chunk->rows.size(); ++k) {
        const EntityRow& row = chunk->rows[k];
        const int32_t m = plan.match[done + k];
        if (m < 0) {
          insert.Int(tenant_id);
          insert.Int(ds);
          insert.TextRef(kind_name);
          insert.TextRef(row.external_id);
          insert.TextRef(row.display_name);
          insert.TextRef(row.attributes);
          insert.TextRef(row.content_hash);
          insert.Int(now);
          insert.Int(now);
          VIGIL_RETURN_IF_ERROR(insert.EndRow());
        } else if (!have[m].live || have[m].hash != row.content_hash) {
          update->BindTextRef(1, row.display_name);
          update->BindTextRef(2, row.attributes);
          update->BindTextRef(3, row.content_hash);
          update->BindInt(4, now);
          update->BindInt(5, ds);
          update->BindTextRef(6, kind_name);
          update->BindTextRef(7, row.external_id);
          VIGIL_RETURN_IF_ERROR(update->Execute());
          ++plan.updates;
        } else {
          ++plan.unchanged;
        }
      }
      done += chunk->rows.size();
      written.emplace_back(chunk->index, insert.rows());
      while (!written.empty() && written.front().second <= insert.rows() - insert.pending_rows()) {
        stream->Release(written.front().first);
        written.pop_front();
      }
    }
    for (const std::string& id : plan.deletes) {
      remove->BindInt(1, now);
      remove->BindInt(2, now);
      remove->BindInt(3, ds);
      remove->BindTextRef(4, kind_name);
      remove->BindTextRef(5, id);
      VIGIL_RETURN_IF_ERROR(remove->Execute());
    }
  }
  return insert.Finish();
}

// The data source's stored links of the kinds in `rows`, each sorted.
Result<std::map<std::string, std::vector<LinkKey>>> LoadLinks(Db* db, int64_t ds,
                                                              const LinkRows& rows) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> load,
      db->Prepare("SELECT kind, from_id, to_id FROM links WHERE data_source_id = ?"));
  load->BindInt(1, ds);
  std::map<std::string, std::vector<LinkKey>> stored;
  for (const auto& [kind, links] : rows.links) stored[kind];
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, load->Step());
    if (!row) break;
    auto it = stored.find(std::string(load->Text(0)));
    if (it == stored.end()) continue;  // its owner kind is not available: left alone
    it->second.emplace_back(load->String(1), load->String(2));
  }
  for (auto& [kind, links] : stored) std::sort(links.begin(), links.end());
  return stored;
}

Status WriteLinks(Db* db, int64_t tenant_id, int64_t ds, const LinkRows& rows,
                  SyncSummary* summary) {
  if (rows.links.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(auto stored, LoadLinks(db, ds, rows));
  BatchInsert insert(db, "INSERT INTO links (tenant_id, data_source_id, kind, from_id, to_id)", 5);
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> remove,
      db->Prepare("DELETE FROM links WHERE data_source_id = ? AND kind = ? AND from_id = ?"
                  " AND to_id = ?"));
  for (const auto& [kind, wanted] : rows.links) {
    const std::vector<LinkKey>& have = stored[kind];
    size_t i = 0, j = 0;
    while (i < wanted.size() || j < have.size()) {
      const bool take_wanted =
          j == have.size() || (i < wanted.size() && LinkBefore(wanted[i], have[j]));
      if (take_wanted) {
        insert.Int(tenant_id);
        insert.Int(ds);
        insert.TextRef(kind);
        insert.TextRef(wanted[i].from_id);
        insert.TextRef(wanted[i].to_id);
        VIGIL_RETURN_IF_ERROR(insert.EndRow());
        ++summary->links_added;
        ++i;
      } else if (i == wanted.size() || LinkBefore(have[j], wanted[i])) {
        remove->BindInt(1, ds);
        remove->BindTextRef(2, kind);
        remove->BindTextRef(3, have[j].first);
        remove->BindTextRef(4, have[j].second);
        VIGIL_RETURN_IF_ERROR(remove->Execute());
        ++summary->links_removed;
        ++j;
      } else {
        ++i;
        ++j;
      }
    }
  }
  return insert.Finish();
}

Status WriteAvailability(Db* db, int64_t ds, TimeMs now,
                         const std::map<EntityKind, Availability>& availability_by_kind) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> upsert,
      db->Prepare("INSERT INTO data_availability (data_source_id, kind, available, reason,"
                  " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (data_source_id, kind)"
                  " DO UPDATE SET available = excluded.available, reason = excluded.reason,"
                  " updated_at = excluded.updated_at"));
  for (const auto& [kind, availability] : availability_by_kind) {
    upsert->BindInt(1, ds);
    upsert->BindText(2, KindName(kind));
    upsert->BindInt(3, availability.available ? 1 : 0);
    upsert->BindText(4, availability.reason);
    upsert->BindInt(5, now);
    VIGIL_RETURN_IF_ERROR(upsert->Execute());
  }
  return Status::Ok();
}

// Counts per kind into `summary`; returns the totals.
KindCounts Summarize(const std::map<EntityKind, KindPlan>& plans, SyncSummary* summary) {
  KindCounts total;
  for (const auto& [kind, plan] : plans) {
    KindCounts& c = summary->kinds[kind];
    c.created = plan.inserts;
    c.updated = plan.updates;
    c.deleted = static_cast<int64_t>(plan.deletes.size());
    c.unchanged = plan.unchanged;
    total.created += c.created;
    total.updated += c.updated;
    total.deleted += c.deleted;
    total.unchanged += c.unchanged;
  }
  return total;
}

}  // namespace

Result<SyncSummary> Syncer::Apply(int64_t tenant_id, int64_t data_source_id, Snapshot snapshot,
                                  const SyncOptions& options, const std::string& trace_id) {
  const TimeMs started = clock_->NowMs();
  const uint64_t statements_before = db_->statements_executed();
  // Not the tenant's data source: nothing is written, and no failure is
  // recorded against a data source the caller does not own.
  VIGIL_RETURN_IF_ERROR(CheckOwner(db_, tenant_id, data_source_id));
  Lap lap;
  Result<RowOrder> order = OrderRows(snapshot);
  const double to_rows = lap.Next();
  Result<SyncSummary> summary =
      order.ok() ? Write(tenant_id, data_source_id, &snapshot, *order, options, trace_id, started)
                 : Result<SyncSummary>(order.status());
  if (!summary.ok()) {
    // Nothing of the snapshot was written; remember why (best effort: the
    // database may be what failed).
    (void)RecordFailure(tenant_id, data_source_id, trace_id, started, summary.status().message());
    return summary.status();
  }
  summary->statements = db_->statements_executed() - statements_before;
  summary->phases.to_rows = to_rows;
  return summary;
}

Result<SyncSummary> Syncer::Write(int64_t tenant_id, int64_t data_source_id, Snapshot* snapshot,
                                  const RowOrder& order, const SyncOptions& options,
                                  const std::string& trace_id, TimeMs started) {
  Lap lap;
  Transaction tx(db_);
  VIGIL_RETURN_IF_ERROR(tx.status());
  // Syncs of one data source take turns: two that diffed against the same
  // stored rows would each write half of their snapshot.
  if (const std::string lock = RowLockClause(*db_); !lock.empty()) {
    VIGIL_RETURN_IF_ERROR(
        db_->Execute("SELECT id FROM data_sources WHERE id = ?" + lock, {data_source_id}));
  }
  VIGIL_ASSIGN_OR_RETURN(auto stored, LoadStored(db_, data_source_id));
  std::map<EntityKind, KindPlan> plans;
  for (const auto& [kind, records] : order.records) {
    plans[kind] = PlanKind(*snapshot, kind, records, stored[kind]);
  }
  if (!options.force) {
    std::string refusal = GuardViolation(plans, options);
    if (!refusal.empty()) return Status::FailedPrecondition(refusal);
  }
  SyncSummary summary;
  summary.phases.plan = lap.Next();
  {
    RowStream stream(snapshot, &order, options.encode_chunk_rows, options.encode_on_helper_thread);
    VIGIL_RETURN_IF_ERROR(
        WriteEntities(db_, tenant_id, data_source_id, started, &stream, stored, &plans));
  }
  summary.phases.entities = lap.Next();
  const LinkRows links = ToLinkRows(*snapshot);
  VIGIL_RETURN_IF_ERROR(WriteLinks(db_, tenant_id, data_source_id, links, &summary));
  summary.phases.links = lap.Next();
  const std::map<EntityKind, Availability>& availability = snapshot->availability;
  VIGIL_RETURN_IF_ERROR(WriteAvailability(db_, data_source_id, started, availability));
  const KindCounts total = Summarize(plans, &summary);
  summary.skipped_assignments = links.skipped_non_user_assignments;
  for (const auto& [kind, a] : availability) {
    if (!a.available) summary.unavailable[kind] = a.reason;
  }
  const TimeMs finished = clock_->NowMs();
  VIGIL_RETURN_IF_ERROR(db_->Execute(
      "INSERT INTO syncs (tenant_id, data_source_id, trace_id, started_at, finished_at,"
      " status, error, forced, created, updated, deleted, unchanged)"
      " VALUES (?, ?, ?, ?, ?, 'succeeded', NULL, ?, ?, ?, ?, ?)",
      {tenant_id, data_source_id, trace_id, started, finished, int64_t{options.force},
       total.created, total.updated, total.deleted, total.unchanged}));
  summary.sync_id = db_->LastInsertId();
  VIGIL_RETURN_IF_ERROR(
      db_->Execute("UPDATE data_sources SET last_sync_at = ?, last_sync_status = 'succeeded',"
                   " last_sync_error = NULL, sync_cursor = COALESCE(NULLIF(?, ''), sync_cursor)"
                   " WHERE id = ?",
                   {finished, snapshot->cursor, data_source_id}));
  VIGIL_RETURN_IF_ERROR(
      AppendEvents(db_, {ToEvent(SyncCompletedPayload{tenant_id, data_source_id, summary.sync_id,
                                                      total.created, total.updated, total.deleted},
                                 trace_id, finished)}));
  if (options.in_transaction) {
    VIGIL_RETURN_IF_ERROR(options.in_transaction(db_, summary.sync_id));
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  summary.phases.commit = lap.Next();
  return summary;
}

Status Syncer::RecordFailure(int64_t tenant_id, int64_t data_source_id, const std::string& trace_id,
                             TimeMs started_at, const std::string& error) {
  Transaction tx(db_);
  VIGIL_RETURN_IF_ERROR(tx.status());
  const TimeMs finished = clock_->NowMs();
  VIGIL_RETURN_IF_ERROR(db_->Execute(
      "INSERT INTO syncs (tenant_id, data_source_id, trace_id, started_at, finished_at, status,"
      " error, forced, created, updated, deleted, unchanged)"
      " VALUES (?, ?, ?, ?, ?, 'failed', ?, 0, 0, 0, 0, 0)",
      {tenant_id, data_source_id, trace_id, started_at, finished, error}));
  const int64_t sync_id = db_->LastInsertId();
  VIGIL_RETURN_IF_ERROR(
      db_->Execute("UPDATE data_sources SET last_sync_at = ?, last_sync_status = 'failed',"
                   " last_sync_error = ? WHERE id = ?",
                   {finished, error, data_source_id}));
  VIGIL_RETURN_IF_ERROR(AppendEvents(
      db_,
      {ToEvent(SyncFailedPayload{tenant_id, data_source_id, sync_id, error}, trace_id, finished)}));
  return tx.Commit();
}

}  // namespace vigil
