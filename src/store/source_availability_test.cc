#include "store/source_availability.h"

#include <gtest/gtest.h>

#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

Status PutAvailability(Db* db, int64_t source, const std::string& kind, bool available,
                       const std::string& reason) {
  return db->Execute(
      "INSERT INTO data_availability (data_source_id, kind, available, reason, updated_at)"
      " VALUES (?, ?, ?, ?, ?)",
      {source, kind, int64_t{available ? 1 : 0}, reason, int64_t{1000}});
}

TEST(SourceAvailabilityTest, ListsTheRowsOfOneTenantOrAllByDataSourceAndKind) {
  testing::TestTenant t = testing::NewTestTenant("contoso");
  Db* db = t.db.get();
  TenantRow other = EnsureTenant(db, "fabrikam", 1).value();
  DataSourceRow other_source =
      EnsureDataSource(db, other.id, "graph", "graph_json", "{}", 1).value();
  ASSERT_TRUE(PutAvailability(db, t.data_source_id, "user", true, "").ok());
  ASSERT_TRUE(
      PutAvailability(db, t.data_source_id, "signin", false, "signInActivity needs Entra ID P1")
          .ok());
  ASSERT_TRUE(PutAvailability(db, other_source.id, "registration", false,
                              "userRegistrationDetails.json is missing")
                  .ok());

  Result<std::vector<KindAvailability>> mine = ListKindAvailability(db, t.tenant_id);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].kind, "signin");
  EXPECT_FALSE((*mine)[0].available);
  EXPECT_EQ((*mine)[0].reason, "signInActivity needs Entra ID P1");
  EXPECT_EQ((*mine)[0].updated_at, 1000);
  EXPECT_EQ((*mine)[1].kind, "user");
  EXPECT_TRUE((*mine)[1].available);
  EXPECT_EQ((*mine)[1].data_source_id, t.data_source_id);

  Result<std::vector<KindAvailability>> all = ListKindAvailability(db);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].data_source_id, other_source.id);
  EXPECT_EQ((*all)[2].reason, "userRegistrationDetails.json is missing");

  TenantRow empty = EnsureTenant(db, "northwind", 1).value();
  EXPECT_TRUE(ListKindAvailability(db, empty.id)->empty());
}

}  // namespace
}  // namespace vigil
