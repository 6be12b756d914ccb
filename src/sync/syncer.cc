#include "sync/syncer.h"

#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "sync/snapshot_rows.h"

namespace vigil {
namespace {

struct Stored {
  std::string hash;
  bool live = false;
};

std::string Key(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + b.size() + 1);
  key.append(a);
  key.push_back('\0');
  key.append(b);
  return key;
}

// What the sync will do to one kind, computed before anything is written.
struct KindPlan {
  std::vector<const EntityRow*> inserts;
  std::vector<const EntityRow*> updates;
  std::vector<std::string> deletes;
  int64_t live_before = 0;
  int64_t unchanged = 0;
};

Result<std::unordered_map<std::string, Stored>> LoadStored(Db* db, int64_t data_source_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT kind, external_id, content_hash, deleted_at FROM entities"
                  " WHERE data_source_id = ?"));
  stmt->BindInt(1, data_source_id);
  std::unordered_map<std::string, Stored> stored;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    stored.emplace(Key(stmt->Text(0), stmt->Text(1)),
                   Stored{stmt->String(2), stmt->IsNull(3)});
  }
  return stored;
}

std::map<EntityKind, KindPlan> Plan(const SnapshotRows& rows,
                                    const std::unordered_map<std::string, Stored>& stored) {
  std::map<EntityKind, KindPlan> plans;
  for (const auto& [kind, entities] : rows.entities) {
    KindPlan& plan = plans[kind];
    const std::string kind_name(KindName(kind));
    std::unordered_set<std::string> present;
    present.reserve(entities.size());
    for (const EntityRow& row : entities) {
      std::string key = Key(kind_name, row.external_id);
      auto it = stored.find(key);
      if (it == stored.end()) {
        plan.inserts.push_back(&row);
      } else if (!it->second.live || it->second.hash != row.content_hash) {
        plan.updates.push_back(&row);
      } else {
        ++plan.unchanged;
      }
      present.insert(std::move(key));
    }
    const std::string prefix = kind_name + '\0';
    for (const auto& [key, s] : stored) {
      if (!s.live || key.compare(0, prefix.size(), prefix) != 0) continue;
      ++plan.live_before;
      if (!present.count(key)) plan.deletes.push_back(key.substr(prefix.size()));
    }
  }
  return plans;
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
             std::to_string(plan.live_before) + " " + std::string(KindName(kind)) +
             " entities (" + pct + ", more than " +
             std::to_string(static_cast<int>(options.max_delete_share * 100)) +
             "%); nothing was changed. If the data source really lost them, sync again with "
             "--force";
    }
  }
  return "";
}

Status WriteEntities(Db* db, int64_t tenant_id, int64_t ds, TimeMs now,
                     const std::map<EntityKind, KindPlan>& plans) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> insert,
      db->Prepare("INSERT INTO entities (tenant_id, data_source_id, kind, external_id,"
                  " display_name, attributes, content_hash, first_seen, last_seen)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> update,
      db->Prepare("UPDATE entities SET display_name = ?, attributes = ?, content_hash = ?,"
                  " last_seen = ?, deleted_at = NULL"
                  " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> remove,
      db->Prepare("UPDATE entities SET deleted_at = ?"
                  " WHERE data_source_id = ? AND kind = ? AND external_id = ?"));
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> touch,
      db->Prepare("UPDATE entities SET last_seen = ?"
                  " WHERE data_source_id = ? AND kind = ? AND deleted_at IS NULL"));
  for (const auto& [kind, plan] : plans) {
    const std::string kind_name(KindName(kind));
    for (const EntityRow* row : plan.inserts) {
      insert->BindInt(1, tenant_id);
      insert->BindInt(2, ds);
      insert->BindText(3, kind_name);
      insert->BindText(4, row->external_id);
      insert->BindText(5, row->display_name);
      insert->BindText(6, row->attributes);
      insert->BindText(7, row->content_hash);
      insert->BindInt(8, now);
      insert->BindInt(9, now);
      VIGIL_RETURN_IF_ERROR(insert->Execute());
    }
    for (const EntityRow* row : plan.updates) {
      update->BindText(1, row->display_name);
      update->BindText(2, row->attributes);
      update->BindText(3, row->content_hash);
      update->BindInt(4, now);
      update->BindInt(5, ds);
      update->BindText(6, kind_name);
      update->BindText(7, row->external_id);
      VIGIL_RETURN_IF_ERROR(update->Execute());
    }
    for (const std::string& id : plan.deletes) {
      remove->BindInt(1, now);
      remove->BindInt(2, ds);
      remove->BindText(3, kind_name);
      remove->BindText(4, id);
      VIGIL_RETURN_IF_ERROR(remove->Execute());
    }
    if (plan.unchanged > 0) {
      touch->BindInt(1, now);
      touch->BindInt(2, ds);
      touch->BindText(3, kind_name);
      VIGIL_RETURN_IF_ERROR(touch->Execute());
    }
  }
  return Status::Ok();
}

Status WriteLinks(Db* db, int64_t tenant_id, int64_t ds, const SnapshotRows& rows,
                  SyncSummary* summary) {
  if (rows.links.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> load,
      db->Prepare("SELECT kind, from_id, to_id FROM links WHERE data_source_id = ?"));
  load->BindInt(1, ds);
  std::unordered_set<std::string> stored;
  std::vector<std::tuple<std::string, std::string, std::string>> stored_list;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, load->Step());
    if (!row) break;
    if (!rows.links.count(std::string(load->Text(0)))) continue;  // owner not available
    stored.insert(Key(Key(load->Text(0), load->Text(1)), load->Text(2)));
    stored_list.emplace_back(load->String(0), load->String(1), load->String(2));
  }
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> insert,
      db->Prepare("INSERT INTO links (tenant_id, data_source_id, kind, from_id, to_id)"
                  " VALUES (?, ?, ?, ?, ?)"));
  std::unordered_set<std::string> wanted;
  for (const auto& [kind, links] : rows.links) {
    for (const LinkRow& link : links) {
      std::string key = Key(Key(kind, link.from_id), link.to_id);
      if (!stored.count(key)) {
        insert->BindInt(1, tenant_id);
        insert->BindInt(2, ds);
        insert->BindText(3, kind);
        insert->BindText(4, link.from_id);
        insert->BindText(5, link.to_id);
        VIGIL_RETURN_IF_ERROR(insert->Execute());
        ++summary->links_added;
      }
      wanted.insert(std::move(key));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> remove,
      db->Prepare("DELETE FROM links WHERE data_source_id = ? AND kind = ? AND from_id = ?"
                  " AND to_id = ?"));
  for (const auto& [kind, from, to] : stored_list) {
    if (wanted.count(Key(Key(kind, from), to))) continue;
    remove->BindInt(1, ds);
    remove->BindText(2, kind);
    remove->BindText(3, from);
    remove->BindText(4, to);
    VIGIL_RETURN_IF_ERROR(remove->Execute());
    ++summary->links_removed;
  }
  return Status::Ok();
}

Status WriteAvailability(Db* db, int64_t ds, TimeMs now, const Snapshot& snapshot) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> upsert,
      db->Prepare("INSERT INTO data_availability (data_source_id, kind, available, reason,"
                  " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (data_source_id, kind)"
                  " DO UPDATE SET available = excluded.available, reason = excluded.reason,"
                  " updated_at = excluded.updated_at"));
  for (const auto& [kind, availability] : snapshot.availability) {
    upsert->BindInt(1, ds);
    upsert->BindText(2, KindName(kind));
    upsert->BindInt(3, availability.available ? 1 : 0);
    upsert->BindText(4, availability.reason);
    upsert->BindInt(5, now);
    VIGIL_RETURN_IF_ERROR(upsert->Execute());
  }
  return Status::Ok();
}

}  // namespace

Result<SyncSummary> Syncer::Apply(int64_t tenant_id, int64_t data_source_id,
                                  const Snapshot& snapshot, const SyncOptions& options,
                                  const std::string& trace_id) {
  const TimeMs started = clock_->NowMs();
  const uint64_t statements_before = db_->statements_executed();
  Result<SnapshotRows> rows = ToRows(snapshot);
  if (!rows.ok()) {
    VIGIL_RETURN_IF_ERROR(
        RecordFailure(tenant_id, data_source_id, trace_id, started, rows.status().message()));
    return rows.status();
  }

  SyncSummary summary;
  std::string refusal;
  {
    Transaction tx(db_);
    VIGIL_RETURN_IF_ERROR(tx.status());
    VIGIL_ASSIGN_OR_RETURN(auto stored, LoadStored(db_, data_source_id));
    std::map<EntityKind, KindPlan> plans = Plan(*rows, stored);
    refusal = options.force ? "" : GuardViolation(plans, options);
    if (refusal.empty()) {
      VIGIL_RETURN_IF_ERROR(WriteEntities(db_, tenant_id, data_source_id, started, plans));
      VIGIL_RETURN_IF_ERROR(WriteLinks(db_, tenant_id, data_source_id, *rows, &summary));
      VIGIL_RETURN_IF_ERROR(WriteAvailability(db_, data_source_id, started, snapshot));
      KindCounts total;
      for (const auto& [kind, plan] : plans) {
        KindCounts& c = summary.kinds[kind];
        c.created = static_cast<int64_t>(plan.inserts.size());
        c.updated = static_cast<int64_t>(plan.updates.size());
        c.deleted = static_cast<int64_t>(plan.deletes.size());
        c.unchanged = plan.unchanged;
        total.created += c.created;
        total.updated += c.updated;
        total.deleted += c.deleted;
        total.unchanged += c.unchanged;
      }
      for (const auto& [kind, a] : snapshot.availability) {
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
      VIGIL_RETURN_IF_ERROR(db_->Execute(
          "UPDATE data_sources SET last_sync_at = ?, last_sync_status = 'succeeded',"
          " last_sync_error = NULL WHERE id = ?",
          {finished, data_source_id}));
      VIGIL_RETURN_IF_ERROR(tx.Commit());
    }
  }
  if (!refusal.empty()) {
    VIGIL_RETURN_IF_ERROR(RecordFailure(tenant_id, data_source_id, trace_id, started, refusal));
    return Status::FailedPrecondition(refusal);
  }
  summary.statements = db_->statements_executed() - statements_before;
  return summary;
}

Status Syncer::RecordFailure(int64_t tenant_id, int64_t data_source_id,
                             const std::string& trace_id, TimeMs started_at,
                             const std::string& error) {
  Transaction tx(db_);
  VIGIL_RETURN_IF_ERROR(tx.status());
  const TimeMs finished = clock_->NowMs();
  VIGIL_RETURN_IF_ERROR(db_->Execute(
      "INSERT INTO syncs (tenant_id, data_source_id, trace_id, started_at, finished_at, status,"
      " error, forced, created, updated, deleted, unchanged)"
      " VALUES (?, ?, ?, ?, ?, 'failed', ?, 0, 0, 0, 0, 0)",
      {tenant_id, data_source_id, trace_id, started_at, finished, error}));
  VIGIL_RETURN_IF_ERROR(db_->Execute(
      "UPDATE data_sources SET last_sync_at = ?, last_sync_status = 'failed',"
      " last_sync_error = ? WHERE id = ?",
      {finished, error, data_source_id}));
  return tx.Commit();
}

}  // namespace vigil
