#include "testing/test_database.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "store/postgres_db.h"
#include "store/sqlite_db.h"
#include "testing/postgres_server.h"

namespace vigil::testing {

bool TestingOnPostgres() {
  const char* db = std::getenv("VIGIL_TEST_DB");
  return db != nullptr && std::string(db) == "postgresql";
}

std::unique_ptr<Db> OpenTestDatabase() {
  Result<std::unique_ptr<Db>> db = Status::Internal("not opened");
  if (TestingOnPostgres()) {
    PostgresServer* server = SharedPostgresServer();
    if (server == nullptr) return nullptr;
    Result<std::string> url = server->NewDatabase();
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    if (!url.ok()) return nullptr;
    db = OpenPostgresDb(*url);
  } else {
    db = OpenSqliteDb(":memory:");
  }
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
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
