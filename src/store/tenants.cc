#include "store/tenants.h"

namespace vigil {
namespace {

DataSourceRow ReadDataSource(const Statement& s) {
  DataSourceRow row;
  row.id = s.Int(0);
  row.tenant_id = s.Int(1);
  row.name = s.String(2);
  row.provider = s.String(3);
  row.settings = s.String(4);
  if (!s.IsNull(5)) row.last_sync_at = s.Int(5);
  row.last_sync_status = s.IsNull(6) ? "" : s.String(6);
  row.last_sync_error = s.IsNull(7) ? "" : s.String(7);
  row.sync_cursor = s.IsNull(8) ? "" : s.String(8);
  return row;
}

// The row mapper of `tenants`: every reader selects kTenantColumns and
// reads the row with ReadTenant.
constexpr const char* kTenantColumns = "SELECT id, name, created_at FROM tenants ";

TenantRow ReadTenant(const Statement& s) { return TenantRow{s.Int(0), s.String(1), s.Int(2)}; }

// The tenants kTenantColumns + `clause` selects, with `bind`'s values.
Result<std::vector<TenantRow>> SelectTenants(Db* db, const std::string& clause,
                                             const std::vector<DbValue>& bind) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare(std::string(kTenantColumns) + clause));
  stmt->BindAll(bind);
  std::vector<TenantRow> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadTenant(*stmt));
  }
  return out;
}

Result<std::optional<TenantRow>> FirstOf(Result<std::vector<TenantRow>> rows) {
  VIGIL_RETURN_IF_ERROR(rows.status());
  if (rows->empty()) return std::optional<TenantRow>();
  return std::optional<TenantRow>(std::move(rows->front()));
}

constexpr const char* kDataSourceColumns =
    "SELECT id, tenant_id, name, provider, settings, last_sync_at, last_sync_status,"
    " last_sync_error, sync_cursor FROM data_sources ";

}  // namespace

Status ValidateTenantName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '-' || c == '_';
    if (!allowed) ok = false;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("tenant name \"" + name +
                                 "\" must be 1 to 128 letters, digits, '.', '-' or '_'");
}

Result<std::optional<TenantRow>> FindTenant(Db* db, const std::string& name) {
  return FirstOf(SelectTenants(db, "WHERE name = ?", {name}));
}

Result<std::optional<TenantRow>> GetTenant(Db* db, int64_t id) {
  return FirstOf(SelectTenants(db, "WHERE id = ?", {id}));
}

Result<std::vector<TenantRow>> ListTenants(Db* db) { return SelectTenants(db, "ORDER BY id", {}); }

Result<TenantRow> EnsureTenant(Db* db, const std::string& name, TimeMs now) {
  VIGIL_RETURN_IF_ERROR(ValidateTenantName(name));
  VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> found, FindTenant(db, name));
  if (found) return *found;
  VIGIL_RETURN_IF_ERROR(db->Execute(
      "INSERT INTO tenants (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
      {name, now}));
  VIGIL_ASSIGN_OR_RETURN(found, FindTenant(db, name));
  if (!found) return Status::Internal("tenant " + name + " vanished after insert");
  return *found;
}

Result<DataSourceRow> EnsureDataSource(Db* db, int64_t tenant_id, const std::string& name,
                                       const std::string& provider, const std::string& settings,
                                       TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> find,
      db->Prepare(std::string(kDataSourceColumns) + "WHERE tenant_id = ? AND name = ?"));
  find->BindInt(1, tenant_id);
  find->BindText(2, name);
  VIGIL_ASSIGN_OR_RETURN(bool row, find->Step());
  if (row) {
    DataSourceRow existing = ReadDataSource(*find);
    find->Reset();
    if (existing.provider != provider) {
      return Status::InvalidArgument("data source \"" + name + "\" exists with provider " +
                                     existing.provider + ", not " + provider);
    }
    if (existing.settings != settings) {
      // The provider's cursor belongs to the old settings (another tenant,
      // other credentials): the next sync starts over with a full read.
      VIGIL_RETURN_IF_ERROR(
          db->Execute("UPDATE data_sources SET settings = ?, sync_cursor = NULL WHERE id = ?",
                      {settings, existing.id}));
      existing.sync_cursor.clear();
      existing.settings = settings;
    }
    return existing;
  }
  find->Reset();
  VIGIL_RETURN_IF_ERROR(
      db->Execute("INSERT INTO data_sources (tenant_id, name, provider, settings, created_at)"
                  " VALUES (?, ?, ?, ?, ?)",
                  {tenant_id, name, provider, settings, now}));
  find->BindInt(1, tenant_id);
  find->BindText(2, name);
  VIGIL_ASSIGN_OR_RETURN(row, find->Step());
  if (!row) return Status::Internal("data source " + name + " vanished after insert");
  return ReadDataSource(*find);
}

Result<DataSourceRow> GetDataSource(Db* db, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare(std::string(kDataSourceColumns) + "WHERE id = ?"));
  stmt->BindInt(1, id);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Status::NotFound("no data source with id " + std::to_string(id));
  return ReadDataSource(*stmt);
}

Result<std::vector<DataSourceRow>> ListDataSources(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare(std::string(kDataSourceColumns) + "WHERE tenant_id = ? ORDER BY id"));
  stmt->BindInt(1, tenant_id);
  std::vector<DataSourceRow> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadDataSource(*stmt));
  }
  return out;
}

Result<std::vector<DataSourceRow>> ListAllDataSources(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare(std::string(kDataSourceColumns) + "ORDER BY id"));
  std::vector<DataSourceRow> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadDataSource(*stmt));
  }
  return out;
}

Result<std::map<int64_t, int64_t>> CountDataSources(Db* db, int64_t tenant_id) {
  const bool one = tenant_id != 0;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                         db->Prepare(one ? "SELECT tenant_id, COUNT(*) FROM data_sources"
                                           " WHERE tenant_id = ? GROUP BY tenant_id"
                                         : "SELECT tenant_id, COUNT(*) FROM data_sources"
                                           " GROUP BY tenant_id"));
  if (one) stmt->BindInt(1, tenant_id);
  std::map<int64_t, int64_t> counts;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    counts[stmt->Int(0)] = stmt->Int(1);
  }
  return counts;
}

}  // namespace vigil
