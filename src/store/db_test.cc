#include "store/db.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

// SqliteDbTest: the SQLite backend's side of the Db contract (its messages,
// its files); postgres_db_test.cc holds the PostgreSQL side, so the "pg:" run
// leaves this suite out. DbTest and the repositories (TenantsTest) run on
// both.
std::unique_ptr<Db> OpenMemory() {
  auto db = OpenSqliteDb(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

TEST(SqliteDbTest, MigrationsApplyOnceAndReportVersion) {
  auto db = OpenMemory();
  auto version = ApplyMigrations(db.get(), "INTEGER PRIMARY KEY");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, AllMigrations().back().version);
  auto count = db->QueryInt("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(**count, static_cast<int64_t>(AllMigrations().size()));
}

TEST(SqliteDbTest, CountsEveryStatementExecuted) {
  auto db = OpenMemory();
  uint64_t before = db->statements_executed();
  auto stmt = db->Prepare("INSERT INTO tenants (name, created_at) VALUES (?, 1)");
  ASSERT_TRUE(stmt.ok());
  for (int i = 0; i < 3; ++i) {
    (*stmt)->BindText(1, "t" + std::to_string(i));
    ASSERT_TRUE((*stmt)->Execute().ok());
  }
  auto q = db->Prepare("SELECT name FROM tenants ORDER BY name");
  ASSERT_TRUE(q.ok());
  int rows = 0;
  while (*(*q)->Step()) ++rows;
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(db->statements_executed() - before, 4u);  // 3 inserts + 1 query, however many rows
}

TEST(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = OpenMemory();
  {
    Transaction tx(db.get());
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)").ok());
  }
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM tenants"), 0);
  {
    Transaction tx(db.get());
    ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('b', 1)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM tenants"), 1);
}

TEST(SqliteDbTest, ErrorsNameTheStatementAndTheCause) {
  auto db = OpenMemory();
  auto bad = db->Prepare("SELECT nope FROM tenants");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "in-memory database: no such column: nope (preparing SELECT FROM tenants)");
  ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)").ok());
  Status dup = db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)");
  EXPECT_EQ(dup.code(), Code::kInvalidArgument);
  EXPECT_EQ(dup.message(),
            "in-memory database: UNIQUE constraint failed: tenants.name (INSERT INTO tenants)");
}

TEST(SqliteDbTest, ForeignKeysAreEnforced) {
  auto db = OpenMemory();
  Status s = db->Execute(
      "INSERT INTO data_sources (tenant_id, name, provider, settings, created_at)"
      " VALUES (999, 'x', 'graph_json', '{}', 1)");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("FOREIGN KEY constraint failed"), std::string::npos) << s.message();
}

TEST(SqliteDbTest, OpeningAnUnwritablePathNamesIt) {
  auto db = OpenSqliteDb("/nonexistent-dir/sub/vigil.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kIoError);
  EXPECT_NE(db.status().message().find("/nonexistent-dir/sub/vigil.db"), std::string::npos);
}

TEST(SqliteDbTest, WithoutCreateAMissingFileIsNotFoundAndStaysMissing) {
  const std::string path = testing::NewTempDir() + "/missing.db";
  SqliteOptions options;
  options.create = false;
  auto db = OpenSqliteDb(path, options);
  EXPECT_EQ(db.status().code(), Code::kNotFound);
  EXPECT_EQ(db.status().message(), "no database at " + path);
  EXPECT_FALSE(std::filesystem::exists(path));
  // Once created, the same options open it.
  ASSERT_TRUE(OpenSqliteDb(path).ok());
  EXPECT_TRUE(OpenSqliteDb(path, options).ok());
}

TEST(DbTest, ExecuteAfterAStepFinishesThatRunInsteadOfRunningItAgain) {
  auto db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  auto insert =
      db->Prepare("INSERT INTO tenants (name, created_at) VALUES (?, 1), (?, 1) RETURNING name");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  (*insert)->BindText(1, "a");
  (*insert)->BindText(2, "b");
  const uint64_t before = db->statements_executed();
  ASSERT_TRUE(*(*insert)->Step());         // the first row it returned
  Status finished = (*insert)->Execute();  // drops the other
  EXPECT_TRUE(finished.ok()) << finished.ToString();
  EXPECT_EQ(db->statements_executed() - before, 1u);
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM tenants"), 2);
}

TEST(TenantsTest, EnsureTenantIsIdempotentAndValidatesNames) {
  auto db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  auto a = EnsureTenant(db.get(), "contoso", 1);
  auto b = EnsureTenant(db.get(), "contoso", 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->id, b->id);
  auto bad = EnsureTenant(db.get(), "no spaces", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "tenant name \"no spaces\" must be 1 to 128 letters, digits, '.', '-' or '_'");
}

TEST(TenantsTest, DataSourceKeepsItsProvider) {
  auto db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  auto t = EnsureTenant(db.get(), "contoso", 1);
  ASSERT_TRUE(t.ok());
  auto ds = EnsureDataSource(db.get(), t->id, "graph", "graph_json", "{\"dir\":\"a\"}", 1);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  auto again = EnsureDataSource(db.get(), t->id, "graph", "graph_json", "{\"dir\":\"b\"}", 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, ds->id);
  EXPECT_EQ(again->settings, "{\"dir\":\"b\"}");
  auto other = EnsureDataSource(db.get(), t->id, "graph", "synthetic", "{}", 3);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(),
            "data source \"graph\" exists with provider graph_json, not synthetic");
}

TEST(TenantsTest, GetAndListDataSources) {
  auto db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  auto t = EnsureTenant(db.get(), "contoso", 1);
  auto other = EnsureTenant(db.get(), "fabrikam", 1);
  ASSERT_TRUE(t.ok() && other.ok());
  auto a = EnsureDataSource(db.get(), t->id, "graph", "graph_json", "{}", 1);
  auto b = EnsureDataSource(db.get(), t->id, "second", "graph_json", "{}", 1);
  ASSERT_TRUE(EnsureDataSource(db.get(), other->id, "graph", "graph_json", "{}", 1).ok());
  ASSERT_TRUE(a.ok() && b.ok());
  auto listed = ListDataSources(db.get(), t->id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "graph");
  EXPECT_EQ((*listed)[1].name, "second");
  auto got = GetDataSource(db.get(), b->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "second");
  EXPECT_EQ(GetDataSource(db.get(), 999).status().message(), "no data source with id 999");
}

}  // namespace
}  // namespace vigil
