#include "store/tenants.h"

#include <gtest/gtest.h>

#include <map>

#include "store/migrations.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

TEST(TenantsTest, EveryReaderMapsTheSameRow) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  const TenantRow contoso = EnsureTenant(db.get(), "contoso", 1000).value();
  const TenantRow fabrikam = EnsureTenant(db.get(), "fabrikam", 2000).value();
  EXPECT_EQ(contoso.created_at, 1000);

  const std::vector<TenantRow> all = ListTenants(db.get()).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "contoso");
  EXPECT_EQ(all[1].id, fabrikam.id);
  EXPECT_EQ(all[1].created_at, 2000);

  const std::optional<TenantRow> by_id = GetTenant(db.get(), fabrikam.id).value();
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->name, "fabrikam");
  EXPECT_EQ(FindTenant(db.get(), "fabrikam").value()->created_at, 2000);
  EXPECT_FALSE(GetTenant(db.get(), 999).value().has_value());
}

TEST(TenantsTest, DataSourcesAreCountedPerTenantInOneStatement) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  const int64_t a = EnsureTenant(db.get(), "a", 1).value().id;
  const int64_t b = EnsureTenant(db.get(), "b", 1).value().id;
  EnsureTenant(db.get(), "c", 1).value();
  for (const char* name : {"one", "two"}) {
    ASSERT_TRUE(EnsureDataSource(db.get(), a, name, "graph_json", "{}", 1).ok());
  }
  ASSERT_TRUE(EnsureDataSource(db.get(), b, "one", "graph_json", "{}", 1).ok());

  const uint64_t before = db->statements_executed();
  EXPECT_EQ(CountDataSources(db.get(), 0).value(), (std::map<int64_t, int64_t>{{a, 2}, {b, 1}}));
  EXPECT_EQ(db->statements_executed() - before, 1u);
  EXPECT_EQ(CountDataSources(db.get(), b).value(), (std::map<int64_t, int64_t>{{b, 1}}));
}

TEST(TenantsTest, EveryTenantsDataSourcesAreListedInOneStatement) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  const int64_t a = EnsureTenant(db.get(), "a", 1).value().id;
  const int64_t b = EnsureTenant(db.get(), "b", 1).value().id;
  const int64_t b1 = EnsureDataSource(db.get(), b, "one", "graph_json", "{}", 1).value().id;
  const int64_t a1 = EnsureDataSource(db.get(), a, "one", "synthetic", "{}", 1).value().id;
  const uint64_t before = db->statements_executed();
  const std::vector<DataSourceRow> all = ListAllDataSources(db.get()).value();
  EXPECT_EQ(db->statements_executed() - before, 1u);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, b1);
  EXPECT_EQ(all[0].tenant_id, b);
  EXPECT_EQ(all[1].id, a1);
  EXPECT_EQ(all[1].provider, "synthetic");
}

TEST(TenantsTest, TheSchemaVersionIsTheNewestMigrationAndAPingAnswers) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(SchemaVersion(db.get()).value(), AllMigrations().back().version);
  EXPECT_TRUE(Ping(db.get()).ok());
  std::unique_ptr<Db> bare = testing::OpenTestDatabase(/*migrate=*/false);
  ASSERT_NE(bare, nullptr);
  EXPECT_FALSE(SchemaVersion(bare.get()).ok());
}

}  // namespace
}  // namespace vigil
