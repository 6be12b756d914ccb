#include "app/database.h"

#include "store/postgres_db.h"
#include "store/sqlite_db.h"

namespace vigil {

DatabaseSpec ParseDatabaseSpec(const std::string& flag) {
  DatabaseSpec spec;
  if (flag.rfind("postgresql://", 0) == 0 || flag.rfind("postgres://", 0) == 0) {
    spec.kind = DatabaseSpec::Kind::kPostgres;
    spec.target = flag;
    spec.shown = RedactedPostgresUrl(flag);
    return spec;
  }
  spec.target = flag.rfind("sqlite:", 0) == 0 ? flag.substr(7) : flag;
  spec.shown = spec.target;
  return spec;
}

namespace {

Result<std::unique_ptr<Db>> Open(const std::string& flag, bool migrate, bool create) {
  const DatabaseSpec spec = ParseDatabaseSpec(flag);
  if (spec.target.empty()) return Status::InvalidArgument("--db: no database given");
  if (spec.kind == DatabaseSpec::Kind::kPostgres) {
    PostgresOptions options;
    options.migrate = migrate;
    return OpenPostgresDb(spec.target, options);
  }
  SqliteOptions options;
  options.migrate = migrate;
  options.create = create;
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(spec.target, options);
  if (db.status().code() == Code::kNotFound) {
    return Status::NotFound("no database at " + spec.shown + " (`vigil migrate --db " + spec.shown +
                            "` creates one)");
  }
  return db;
}

}  // namespace

Result<std::unique_ptr<Db>> OpenDatabase(const std::string& flag, bool migrate) {
  return Open(flag, migrate, /*create=*/true);
}

Result<std::unique_ptr<Db>> OpenExistingDatabase(const std::string& flag) {
  return Open(flag, /*migrate=*/true, /*create=*/false);
}

}  // namespace vigil
