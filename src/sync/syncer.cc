#include "sync/syncer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "events/event_payloads.h"
#include "events/outbox.h"
#include "store/batch_insert.h"
#include "sync/snapshot_rows.h"

namespace vigil {
namespace {

struct StoredEntity {
  std::string id;
  std::string hash;
  bool live = false;
};

// What the sync will do to one kind, computed before anything is written.
struct KindPlan {
  std::vector<const EntityRow*> inserts;
  std::vector<const EntityRow*> updates;  // changed, or revived after a deletion
  std::vector<std::string> deletes;
  int64_t live_before = 0;
  int64_t unchanged = 0;
};

using LinkKey = std::pair<std::string, std::string>;  // (from_id, to_id)

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

// Merges the sorted snapshot rows of one kind with its sorted stored rows.
KindPlan PlanKind(const std::vector<EntityRow>& rows, const std::vector<StoredEntity>& stored) {
  KindPlan plan;
  size_t i = 0, j = 0;
  while (i < rows.size() || j < stored.size()) {
    if (j == stored.size() || (i < rows.size() && rows[i].external_id < stored[j].id)) {
      plan.inserts.push_back(&rows[i++]);
      continue;
    }
    const StoredEntity& s = stored[j++];
    plan.live_before += s.live;
    if (i == rows.size() || s.id < rows[i].external_id) {
      if (s.live) plan.deletes.push_back(s.id);
      continue;
    }
    const EntityRow& row = rows[i++];
    if (!s.live || s.hash != row.content_hash) {
      plan.updates.push_back(&row);
    } else {
      ++plan.unchanged;
    }
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

Status WriteEntities(Db* db, int64_t tenant_id, int64_t ds, TimeMs now,
                     const std::map<EntityKind, KindPlan>& plans) {
  BatchInsert insert(db,
                     "INSERT INTO entities (tenant_id, data_source_id, kind, external_id,"
                     " display_name, attributes, content_hash, first_seen, last_changed)",
                     9);
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> update,
      db->Prepare("UPDATE entities SET display_name = ?, attributes = ?, content_hash = ?,"
                  " last_changed = ?, deleted_at = NULL"
                  " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> remove,
                         db->Prepare("UPDATE entities SET deleted_at = ?, last_changed = ?"
                                     " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  for (const auto& [kind, plan] : plans) {
    const std::string_view kind_name = KindName(kind);
    for (const EntityRow* row : plan.inserts) {
      insert.Int(tenant_id);
      insert.Int(ds);
      insert.TextRef(kind_name);
      insert.TextRef(row->external_id);
      insert.TextRef(row->display_name);
      insert.TextRef(row->attributes);
      insert.TextRef(row->content_hash);
      insert.Int(now);
      insert.Int(now);
      VIGIL_RETURN_IF_ERROR(insert.EndRow());
    }
    for (const EntityRow* row : plan.updates) {
      update->BindTextRef(1, row->display_name);
      update->BindTextRef(2, row->attributes);
      update->BindTextRef(3, row->content_hash);
      update->BindInt(4, now);
      update->BindInt(5, ds);
      update->BindTextRef(6, kind_name);
      update->BindTextRef(7, row->external_id);
      VIGIL_RETURN_IF_ERROR(update->Execute());
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
                                                              const SnapshotRows& rows) {
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

Status WriteLinks(Db* db, int64_t tenant_id, int64_t ds, const SnapshotRows& rows,
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
          j == have.size() || (i < wanted.size() && std::tie(wanted[i].from_id, wanted[i].to_id) <
                                                        std::tie(have[j].first, have[j].second));
      if (take_wanted) {
        insert.Int(tenant_id);
        insert.Int(ds);
        insert.TextRef(kind);
        insert.TextRef(wanted[i].from_id);
        insert.TextRef(wanted[i].to_id);
        VIGIL_RETURN_IF_ERROR(insert.EndRow());
        ++summary->links_added;
        ++i;
      } else if (i == wanted.size() || std::tie(have[j].first, have[j].second) <
                                           std::tie(wanted[i].from_id, wanted[i].to_id)) {
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
    c.created = static_cast<int64_t>(plan.inserts.size());
    c.updated = static_cast<int64_t>(plan.updates.size());
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
  Lap lap;
  Result<SnapshotRows> rows = ToRows(&snapshot);
  const double to_rows = lap.Next();
  const std::map<EntityKind, Availability> availability = std::move(snapshot.availability);
  Result<SyncSummary> summary =
      rows.ok() ? Write(tenant_id, data_source_id, *rows, availability, options, trace_id, started)
                : Result<SyncSummary>(rows.status());
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

Result<SyncSummary> Syncer::Write(int64_t tenant_id, int64_t data_source_id,
                                  const SnapshotRows& rows,
                                  const std::map<EntityKind, Availability>& availability,
                                  const SyncOptions& options, const std::string& trace_id,
                                  TimeMs started) {
  Lap lap;
  Transaction tx(db_);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(auto stored, LoadStored(db_, data_source_id));
  std::map<EntityKind, KindPlan> plans;
  for (const auto& [kind, entity_rows] : rows.entities) {
    plans[kind] = PlanKind(entity_rows, stored[kind]);
  }
  if (!options.force) {
    std::string refusal = GuardViolation(plans, options);
    if (!refusal.empty()) return Status::FailedPrecondition(refusal);
  }
  SyncSummary summary;
  summary.phases.plan = lap.Next();
  VIGIL_RETURN_IF_ERROR(WriteEntities(db_, tenant_id, data_source_id, started, plans));
  summary.phases.entities = lap.Next();
  VIGIL_RETURN_IF_ERROR(WriteLinks(db_, tenant_id, data_source_id, rows, &summary));
  summary.phases.links = lap.Next();
  VIGIL_RETURN_IF_ERROR(WriteAvailability(db_, data_source_id, started, availability));
  const KindCounts total = Summarize(plans, &summary);
  summary.skipped_assignments = rows.skipped_non_user_assignments;
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
                   " last_sync_error = NULL WHERE id = ?",
                   {finished, data_source_id}));
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
