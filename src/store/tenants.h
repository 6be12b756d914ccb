// Tenants and their data sources: the repository of the tenants and
// data_sources tables (preferences are context/preferences.h's).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/db.h"

namespace vigil {

struct TenantRow {
  int64_t id = 0;
  std::string name;
  TimeMs created_at = 0;
};

struct DataSourceRow {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string name;
  std::string provider;  // "graph_json", "synthetic", ...
  std::string settings;  // JSON object, e.g. {"dir":"/path"}
  std::optional<TimeMs> last_sync_at;
  std::string last_sync_status;  // "", "succeeded", "failed"
  std::string last_sync_error;
  std::string sync_cursor;  // the provider's note for its next sync (Snapshot::cursor)
};

// A tenant name: 1 to 128 characters of letters, digits, '.', '-' and '_'.
// InvalidArgument naming the name and the rule otherwise.
Status ValidateTenantName(const std::string& name);

// The tenant called `name`, created when new.
Result<TenantRow> EnsureTenant(Db* db, const std::string& name, TimeMs now);
Result<std::optional<TenantRow>> FindTenant(Db* db, const std::string& name);

// The tenant with `id`, or nullopt when there is none.
Result<std::optional<TenantRow>> GetTenant(Db* db, int64_t id);

// Every tenant, by id.
Result<std::vector<TenantRow>> ListTenants(Db* db);

// The data source `name` of `tenant_id`, created with `provider` and
// `settings` when new; an existing one gets `settings` updated. Fails with
// InvalidArgument when it exists with another provider.
Result<DataSourceRow> EnsureDataSource(Db* db, int64_t tenant_id, const std::string& name,
                                       const std::string& provider, const std::string& settings,
                                       TimeMs now);

// The data source with `id`. NotFound naming the id when there is none.
Result<DataSourceRow> GetDataSource(Db* db, int64_t id);

// The data sources of a tenant, by id.
Result<std::vector<DataSourceRow>> ListDataSources(Db* db, int64_t tenant_id);

// The data sources of every tenant, by id. One statement.
Result<std::vector<DataSourceRow>> ListAllDataSources(Db* db);

// How many data sources each tenant has (tenant id -> count; tenants with
// none are absent): of tenant `tenant_id` only, or of every tenant when it is
// 0. One statement.
Result<std::map<int64_t, int64_t>> CountDataSources(Db* db, int64_t tenant_id);

}  // namespace vigil
