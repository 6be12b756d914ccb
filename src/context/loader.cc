#include "context/loader.h"

#include <optional>
#include <unordered_map>

#include "common/time.h"
#include "context/exclusions.h"
#include "context/preferences.h"
#include "context/rule_settings.h"
#include "providers/coverage.h"
#include "providers/entity_codec.h"

namespace vigil {
namespace {

// The tenant's name and its data version: the newest syncs row of its data
// sources (each data source's newest is one step of syncs_by_source).
Status LoadTenant(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT t.name, (SELECT MAX(s.id) FROM data_sources ds"
                  " JOIN syncs s ON s.data_source_id = ds.id WHERE ds.tenant_id = t.id)"
                  " FROM tenants t WHERE t.id = ?"));
  stmt->BindInt(1, tenant_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Status::NotFound("no tenant with id " + std::to_string(tenant_id));
  ctx->tenant_name = stmt->String(0);
  ctx->data_version = stmt->IsNull(1) ? 0 : stmt->Int(1);
  return Status::Ok();
}

// The kinds every data source's provider lacks: not available, saying why.
void MarkAbsentKinds(DataContext* ctx) {
  if (ctx->sources.empty()) return;
  for (EntityKind kind : kAllKinds) {
    std::string reason;
    for (const SourceInfo& source : ctx->sources) {
      if (!KindAbsentFrom(source.provider, kind)) {
        reason.clear();
        break;
      }
      if (!reason.empty()) reason += "; ";
      reason += "data source \"" + source.name + "\" (" + source.provider + ") has none";
    }
    if (reason.empty()) continue;
    ctx->absent_kinds.insert(kind);
    ctx->availability[kind] = Availability{false, "no data source has " +
                                                      std::string(KindName(kind)) +
                                                      " data: " + reason};
  }
}

Status LoadPreferences(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(TenantPreferences prefs, LoadTenantPreferences(db, tenant_id));
  ctx->preferences = std::move(prefs.effective);
  return Status::Ok();
}

// The data sources (ctx->sources) and the availability of each kind. A row
// of a kind its data source's provider never has is a gap, not a verdict
// (providers/coverage.h); a kind every data source lacks so is absent.
Status LoadAvailability(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT ds.name, ds.last_sync_status, ds.last_sync_error, a.kind, a.available,"
                  " a.reason, ds.last_sync_at, ds.id, ds.provider FROM data_sources ds"
                  " LEFT JOIN data_availability a ON a.data_source_id = ds.id"
                  " WHERE ds.tenant_id = ? ORDER BY ds.id"));
  stmt->BindInt(1, tenant_id);
  // The first failed or stale data source, which blocks every kind.
  std::string failure;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    if (ctx->sources.empty() || ctx->sources.back().id != stmt->Int(7)) {
      ctx->sources.push_back(SourceInfo{stmt->Int(7), stmt->String(0), stmt->String(8)});
    }
    if (stmt->Text(1) == "failed" && failure.empty()) {
      failure =
          "the last sync of data source \"" + stmt->String(0) + "\" failed: " + stmt->String(2);
    }
    if (stmt->Text(1) == "succeeded" && !stmt->IsNull(6) &&
        ctx->preferences.IsStale(stmt->Int(6), ctx->now) && failure.empty()) {
      failure = "the data of data source \"" + stmt->String(0) + "\" is stale: last synced " +
                FormatIso8601(stmt->Int(6)) + ", more than " +
                std::to_string(ctx->preferences.max_sync_age_hours) +
                " hours before the analysis time " + FormatIso8601(ctx->now);
    }
    if (stmt->IsNull(3)) continue;
    std::optional<EntityKind> kind = ParseKind(stmt->Text(3));
    if (!kind || KindAbsentFrom(ctx->sources.back().provider, *kind)) continue;
    Availability& a = ctx->availability[*kind];
    if (stmt->Int(4) == 0) {
      if (a.available || a.reason.empty()) {
        a.available = false;
        a.reason = "data source \"" + stmt->String(0) + "\": " + stmt->String(5);
      }
    } else if (a.reason.empty()) {
      a.available = true;
    }
  }
  MarkAbsentKinds(ctx);
  if (!failure.empty()) {
    for (EntityKind kind : kAllKinds) ctx->availability[kind] = Availability{false, failure};
  }
  return Status::Ok();
}

Status DecodeEntity(std::string_view kind_name, std::string_view id, std::string_view name,
                    std::string_view attributes, uint32_t source, DataContext* ctx) {
  std::optional<EntityKind> kind = ParseKind(kind_name);
  if (!kind) return Status::Ok();  // a kind this version does not analyze
  Status s;
  switch (*kind) {
    case EntityKind::kUser:
      s = DecodeUser(id, attributes, &ctx->users.emplace_back());
      ctx->user_source.push_back(source);
      break;
    case EntityKind::kSku:
      s = DecodeSku(id, attributes, &ctx->skus.emplace_back());
      ctx->sku_source.push_back(source);
      break;
    case EntityKind::kRegistration:
      s = DecodeRegistration(id, attributes, &ctx->registrations.emplace_back());
      break;
    case EntityKind::kRole:
      s = DecodeRole(id, attributes, &ctx->roles.emplace_back());
      break;
    case EntityKind::kPolicy:
      s = DecodePolicy(id, attributes, &ctx->policies.emplace_back());
      break;
    case EntityKind::kSetting:
      s = DecodeSecurityDefaults(id, attributes, &ctx->security_defaults.emplace());
      break;
    case EntityKind::kGroup:
      s = DecodeGroup(id, attributes, &ctx->groups.emplace_back());
      break;
    case EntityKind::kSignIn:
      break;  // stores no entities
  }
  (void)name;
  if (!s.ok()) {
    return Status::Internal("stored " + std::string(kind_name) + " " + std::string(id) +
                            " cannot be decoded: " + s.message());
  }
  return Status::Ok();
}

Status LoadEntities(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT e.kind, e.external_id, e.display_name, e.attributes,"
                  " e.data_source_id FROM entities e"
                  " JOIN data_sources d ON d.id = e.data_source_id"
                  " WHERE d.tenant_id = ? AND e.deleted_at IS NULL"));
  stmt->BindInt(1, tenant_id);
  std::unordered_map<int64_t, uint32_t> source_index;
  for (uint32_t i = 0; i < ctx->sources.size(); ++i) source_index.emplace(ctx->sources[i].id, i);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    const uint32_t source = source_index[stmt->Int(4)];  // the same snapshot: always there
    VIGIL_RETURN_IF_ERROR(
        DecodeEntity(stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Text(3), source, ctx));
  }
  return Status::Ok();
}

// Role links. (Licenses are not links: DecodeUser reads a user's sku_ids
// from its row.)
Status LoadRoleLinks(Db* db, int64_t tenant_id,
                     std::vector<std::pair<std::string, std::string>>* role_links) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT l.from_id, l.to_id FROM links l"
                  " JOIN data_sources d ON d.id = l.data_source_id"
                  " WHERE d.tenant_id = ? AND l.kind = 'role'"));
  stmt->BindInt(1, tenant_id);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    role_links->emplace_back(stmt->String(0), stmt->String(1));
  }
  return Status::Ok();
}

Status LoadOpenAlerts(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT id, type, subject, severity, details_digest FROM alerts"
                  " WHERE tenant_id = ? AND state = 'open'"));
  stmt->BindInt(1, tenant_id);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ctx->open_alerts.push_back(OpenAlert{stmt->Int(0), stmt->String(1), stmt->String(2),
                                         stmt->String(3), stmt->String(4)});
  }
  return Status::Ok();
}

Status LoadExclusions(Db* db, int64_t tenant_id, DataContext* ctx) {
  VIGIL_ASSIGN_OR_RETURN(ctx->exclusions, ListExclusions(db, tenant_id));
  return Status::Ok();
}

}  // namespace

Result<DataContext> DataContextLoader::Load(int64_t tenant_id, TimeMs now) {
  const uint64_t before = db_->statements_executed();
  // One snapshot for all eight statements: a sync that commits meanwhile is
  // either wholly in the context or wholly absent.
  std::optional<Transaction> snapshot;
  if (!db_->InTransaction()) {
    snapshot.emplace(db_, Transaction::Kind::kSnapshot);
    VIGIL_RETURN_IF_ERROR(snapshot->status().Prefixed("loading tenant " +
                                                      std::to_string(tenant_id)));
  }
  DataContext ctx;
  ctx.tenant_id = tenant_id;
  ctx.now = now;
  VIGIL_RETURN_IF_ERROR(LoadTenant(db_, tenant_id, &ctx));
  VIGIL_RETURN_IF_ERROR(LoadPreferences(db_, tenant_id, &ctx));
  VIGIL_ASSIGN_OR_RETURN(ctx.rules, LoadRuleSettings(db_, tenant_id));
  VIGIL_RETURN_IF_ERROR(LoadAvailability(db_, tenant_id, &ctx));
  VIGIL_RETURN_IF_ERROR(LoadEntities(db_, tenant_id, &ctx));
  ctx.IndexRecords();
  ctx.LinkPersons();
  std::vector<std::pair<std::string, std::string>> role_links;
  VIGIL_RETURN_IF_ERROR(LoadRoleLinks(db_, tenant_id, &role_links));
  VIGIL_RETURN_IF_ERROR(LoadOpenAlerts(db_, tenant_id, &ctx));
  VIGIL_RETURN_IF_ERROR(LoadExclusions(db_, tenant_id, &ctx));
  ctx.BuildAdjacency(role_links);
  if (snapshot) VIGIL_RETURN_IF_ERROR(snapshot->Commit());
  last_statements_ = db_->statements_executed() - before;
  return ctx;
}

}  // namespace vigil
