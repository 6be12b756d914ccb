#include "store/migrations.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "store/migration_list.h"

namespace vigil {
namespace {

// Every migration, in ascending order of version.
std::vector<Migration> ListMigrations() {
  std::vector<Migration> all;
  AppendMigrations1To8(&all);
  AppendMigrations9On(&all);
  return all;
}

std::string Expand(std::string_view sql, std::string_view id_type) {
  std::string out(sql);
  const std::string marker = "{{ID}}";
  for (size_t pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos)) {
    out.replace(pos, marker.size(), id_type);
    pos += id_type.size();
  }
  return out;
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> all = ListMigrations();
  return all;
}

Result<int> ApplyMigrations(Db* db, std::string_view id_type) {
  VIGIL_RETURN_IF_ERROR(db->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
  // The versions recorded: a migration is applied when its own version is
  // not among them, so a version below the newest that a database lacks
  // (the list may have gaps that are filled later) is applied too.
  std::set<int64_t> applied;
  {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                           db->Prepare("SELECT version FROM schema_migrations"));
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      applied.insert(stmt->Int(0));
    }
  }
  int version = applied.empty() ? 0 : static_cast<int>(*applied.rbegin());
  const std::vector<Migration>& migrations = AllMigrations();
  for (const Migration& m : migrations) {
    if (applied.count(m.version) > 0) continue;
    Transaction tx(db);
    VIGIL_RETURN_IF_ERROR(tx.status());
    const std::string_view sql =
        db->dialect() == "postgresql" && !m.postgres_sql.empty() ? m.postgres_sql : m.sql;
    Status s = db->ExecScript(Expand(sql, id_type));
    if (s.ok()) {
      s = db->Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)",
                      {int64_t{m.version}, std::string(m.name)});
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      return s.Prefixed("migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                        ")");
    }
    version = std::max(version, m.version);
  }
  if (version > static_cast<int>(migrations.back().version)) {
    return Status::FailedPrecondition("database schema version " + std::to_string(version) +
                                      " is newer than this vigil knows (" +
                                      std::to_string(migrations.back().version) + ")");
  }
  return version;
}

Result<int64_t> SchemaVersion(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                         db->QueryInt("SELECT MAX(version) FROM schema_migrations"));
  return version.value_or(0);
}

}  // namespace vigil
