#include "context/loader.h"

#include <gtest/gtest.h>

#include "store/tenants.h"
#include "sync/syncer.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1'780'000'000'000;

struct Loaded {
  testing::TestTenant tenant;
  DataContext ctx;
  uint64_t statements = 0;
};

Loaded SyncAndLoad(const Snapshot& snapshot) {
  Loaded out;
  out.tenant = testing::NewTestTenant();
  auto clock = NewFixedClock(kNow);
  Syncer syncer(out.tenant.db.get(), clock.get());
  auto applied = syncer.Apply(out.tenant.tenant_id, out.tenant.data_source_id, snapshot, {}, "t");
  EXPECT_TRUE(applied.ok()) << applied.status().ToString();
  DataContextLoader loader(out.tenant.db.get());
  auto ctx = loader.Load(out.tenant.tenant_id, kNow);
  EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
  if (ctx.ok()) out.ctx = std::move(ctx).value();
  out.statements = loader.last_statements();
  return out;
}

TEST(DataContextLoaderTest, StatementCountDoesNotGrowWithTenantSize) {
  Loaded small = SyncAndLoad(testing::SmallSnapshot(10, kNow));
  Loaded large = SyncAndLoad(testing::SmallSnapshot(50'000, kNow));
  EXPECT_EQ(small.ctx.users.size(), 10u);
  EXPECT_EQ(large.ctx.users.size(), 50'000u);
  EXPECT_EQ(small.statements, large.statements);
  EXPECT_LE(large.statements, 8u);
}

TEST(DataContextLoaderTest, LoadsEntitiesLinksAndAdjacency) {
  Loaded l = SyncAndLoad(testing::SmallSnapshot(5, kNow));
  const DataContext& ctx = l.ctx;
  EXPECT_EQ(ctx.tenant_name, "contoso");
  EXPECT_EQ(ctx.now, kNow);
  ASSERT_EQ(ctx.users.size(), 5u);
  ASSERT_EQ(ctx.skus.size(), 1u);
  ASSERT_EQ(ctx.roles.size(), 1u);
  EXPECT_TRUE(ctx.roles[0].global_admin);
  ASSERT_TRUE(ctx.security_defaults.has_value());
  EXPECT_TRUE(ctx.security_defaults->enabled);
  const uint32_t u0 = ctx.user_index.at("u0");
  const uint32_t u4 = ctx.user_index.at("u4");
  EXPECT_EQ(ctx.users[u0].sku_ids, std::vector<std::string>{"sku-e3"});
  EXPECT_EQ(ctx.user_skus[u0].size(), 1u);
  EXPECT_EQ(ctx.user_roles[u0].size(), 1u);
  EXPECT_TRUE(ctx.user_roles[u4].empty());
  ASSERT_GE(ctx.user_registration[u4], 0);
  EXPECT_TRUE(ctx.registrations[ctx.user_registration[u4]].mfa_registered);
  for (EntityKind kind : kAllKinds) EXPECT_TRUE(ctx.Has(kind)) << KindName(kind);
}

TEST(DataContextLoaderTest, AMissingKindIsNotAvailableWithItsReason) {
  Snapshot s = testing::SmallSnapshot(5, kNow);
  s.availability[EntityKind::kPolicy] =
      Availability{false, "conditionalAccessPolicies.json is missing"};
  Loaded l = SyncAndLoad(s);
  EXPECT_FALSE(l.ctx.Has(EntityKind::kPolicy));
  EXPECT_EQ(l.ctx.MissingReason(EntityKind::kPolicy),
            "data source \"graph\": conditionalAccessPolicies.json is missing");
  EXPECT_TRUE(l.ctx.Has(EntityKind::kUser));
}

TEST(DataContextLoaderTest, AFailedLastSyncMakesEveryKindUnavailable) {
  Loaded l = SyncAndLoad(testing::SmallSnapshot(20, kNow));
  auto clock = NewFixedClock(kNow);
  Syncer syncer(l.tenant.db.get(), clock.get());
  Snapshot empty = testing::SmallSnapshot(20, kNow);
  empty.users.clear();
  ASSERT_FALSE(syncer.Apply(l.tenant.tenant_id, l.tenant.data_source_id, empty, {}, "t").ok());
  DataContextLoader loader(l.tenant.db.get());
  auto ctx = loader.Load(l.tenant.tenant_id, kNow);
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->users.size(), 20u);  // data untouched
  EXPECT_FALSE(ctx->Has(EntityKind::kUser));
  EXPECT_EQ(
      ctx->MissingReason(EntityKind::kUser)
          .rfind("the last sync of data source \"graph\" failed: refused: this sync would delete",
                 0),
      0u)
      << ctx->MissingReason(EntityKind::kUser);
}

TEST(DataContextLoaderTest, StaleDataMakesEveryKindUnavailable) {
  Loaded l = SyncAndLoad(testing::SmallSnapshot(5, kNow));  // synced at kNow
  DataContextLoader loader(l.tenant.db.get());
  auto fresh = loader.Load(l.tenant.tenant_id, kNow + 72 * 3600 * 1000);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->Has(EntityKind::kUser));
  auto stale = loader.Load(l.tenant.tenant_id, kNow + 72 * 3600 * 1000 + 1);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->Has(EntityKind::kUser));
  EXPECT_EQ(stale->MissingReason(EntityKind::kPolicy),
            "the data of data source \"graph\" is stale: last synced 2026-05-28T20:26:40Z, more "
            "than 72 hours before the analysis time 2026-05-31T20:26:40.001Z");
  ASSERT_TRUE(
      SetPreference(l.tenant.db.get(), l.tenant.tenant_id, "max_sync_age_hours", "100").ok());
  auto relaxed = loader.Load(l.tenant.tenant_id, kNow + 72 * 3600 * 1000 + 1);
  ASSERT_TRUE(relaxed.ok());
  EXPECT_TRUE(relaxed->Has(EntityKind::kUser));
}

TEST(DataContextLoaderTest, UnknownTenantIsNotFound) {
  auto t = testing::NewTestTenant();
  DataContextLoader loader(t.db.get());
  auto ctx = loader.Load(999, kNow);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), Code::kNotFound);
  EXPECT_EQ(ctx.status().message(), "no tenant with id 999");
}

TEST(DataContextLoaderTest, NeverSyncedKindsAreNotAvailable) {
  auto t = testing::NewTestTenant();
  DataContextLoader loader(t.db.get());
  auto ctx = loader.Load(t.tenant_id, kNow);
  ASSERT_TRUE(ctx.ok());
  EXPECT_FALSE(ctx->Has(EntityKind::kUser));
  EXPECT_EQ(ctx->MissingReason(EntityKind::kUser), "user data has never been synced");
}

}  // namespace
}  // namespace vigil
