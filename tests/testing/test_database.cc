#include "testing/test_database.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "store/postgres_db.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"

namespace vigil::testing {

namespace {

// The database of an open call, or null with a test failure.
std::unique_ptr<Db> Opened(Result<std::unique_ptr<Db>> db) {
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// The URL of a new, empty database on the shared PostgreSQL, or "" with a
// test failure.
std::string NewPostgresDatabase() {
  PostgresServer* server = SharedPostgresServer();
  if (server == nullptr) return "";
  Result<std::string> url = server->NewDatabase();
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  return url.ok() ? *url : "";
}

}  // namespace

bool TestingOnPostgres() {
  const char* db = std::getenv("VIGIL_TEST_DB");
  return db != nullptr && std::string(db) == "postgresql";
}

std::unique_ptr<Db> OpenTestDatabase(bool migrate) {
  if (TestingOnPostgres()) {
    const std::string url = NewPostgresDatabase();
    if (url.empty()) return nullptr;
    PostgresOptions options;
    options.migrate = migrate;
    return Opened(OpenPostgresDb(url, options));
  }
  SqliteOptions options;
  options.migrate = migrate;
  return Opened(OpenSqliteDb(":memory:", options));
}

std::function<std::unique_ptr<Db>()> OpenTestDatabaseFactory() {
  if (TestingOnPostgres()) {
    const std::string url = NewPostgresDatabase();
    if (url.empty()) return [] { return std::unique_ptr<Db>(); };
    return [url] { return Opened(OpenPostgresDb(url)); };
  }
  const std::string path = NewTempDir() + "/vigil.db";
  return [path] { return Opened(OpenSqliteDb(path)); };
}

Status InstallFailingTrigger(Db* db, const std::string& name, const std::string& event,
                             const std::string& table, const std::string& condition,
                             const std::string& message) {
  if (db->dialect() == "postgresql") {
    return db->ExecScript(
        "CREATE FUNCTION " + name + "_fn() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '" +
        message + "'; END $$ LANGUAGE plpgsql; CREATE TRIGGER " + name + " BEFORE " + event +
        " ON " + table + " FOR EACH ROW " +
        (condition.empty() ? "" : "WHEN (" + condition + ") ") + "EXECUTE FUNCTION " + name +
        "_fn();");
  }
  return db->ExecScript("CREATE TRIGGER " + name + " BEFORE " + event + " ON " + table + " " +
                        (condition.empty() ? "" : "WHEN " + condition + " ") +
                        "BEGIN SELECT RAISE(ABORT, '" + message + "'); END;");
}

Status RemoveFailingTrigger(Db* db, const std::string& name, const std::string& table) {
  if (db->dialect() == "postgresql") {
    return db->ExecScript("DROP TRIGGER " + name + " ON " + table + "; DROP FUNCTION " + name +
                          "_fn();");
  }
  return db->ExecScript("DROP TRIGGER " + name);
}

}  // namespace vigil::testing
