#include "context/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "context/exclusions.h"
#include "providers/entity_codec.h"
#include "providers/synthetic.h"
#include "store/migrations.h"
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

// 12,000 users: well past every chunk and page size of the store (500 rows
// per multi-row statement), so a statement per chunk would show.
TEST(DataContextLoaderTest, StatementCountDoesNotGrowWithTenantSize) {
  Loaded small = SyncAndLoad(testing::SmallSnapshot(10, kNow));
  Loaded large = SyncAndLoad(testing::SmallSnapshot(12'000, kNow));
  EXPECT_EQ(small.ctx.users.size(), 10u);
  EXPECT_EQ(large.ctx.users.size(), 12'000u);
  EXPECT_EQ(small.statements, large.statements);
  // The tenant, its preferences, its rule settings, its data sources,
  // entities, role links, open alerts and exclusions.
  EXPECT_EQ(large.statements, 8u);
}

TEST(DataContextLoaderTest, LoadsTheTenantsExclusionsInIdOrder) {
  Loaded l = SyncAndLoad(testing::SmallSnapshot(5, kNow));
  EXPECT_TRUE(l.ctx.exclusions.empty());
  Db* db = l.tenant.db.get();
  auto subject_of = [](std::string_view) -> std::string_view { return "user"; };
  ExclusionInput in;
  in.kind = "user";
  in.value = "user0@contoso.example";
  in.reason = "break-glass";
  in.added_by = "alice";
  ASSERT_TRUE(AddExclusion(db, l.tenant.tenant_id, in, kNow, subject_of).ok());
  in.kind = "group";
  in.value = "g1";
  in.alert_type = "stale.user";
  ASSERT_TRUE(AddExclusion(db, l.tenant.tenant_id, in, kNow, subject_of).ok());
  ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('fabrikam', 0)").ok());
  ASSERT_TRUE(AddExclusion(db, db->LastInsertId(), in, kNow, subject_of).ok());

  DataContextLoader loader(db);
  auto ctx = loader.Load(l.tenant.tenant_id, kNow);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  ASSERT_EQ(ctx->exclusions.size(), 2u);
  EXPECT_EQ(ExclusionTarget(ctx->exclusions[0]), "user:user0@contoso.example");
  EXPECT_EQ(ctx->exclusions[0].alert_type, "*");
  EXPECT_EQ(ExclusionTarget(ctx->exclusions[1]), "group:g1");
  EXPECT_EQ(ctx->exclusions[1].alert_type, "stale.user");
  EXPECT_EQ(loader.last_statements(), l.statements);  // one statement, however many
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

TEST(DataContextLoaderTest, GroupsCarryTheirMembers) {
  Snapshot s = testing::SmallSnapshot(5, kNow);
  s.groups.push_back({"g-break-glass", "Break glass", true, {"u4", "u0"}});
  s.groups.push_back({"g-news", "Newsletter", false, {}});
  Loaded l = SyncAndLoad(s);
  EXPECT_TRUE(l.ctx.Has(EntityKind::kGroup));
  ASSERT_EQ(l.ctx.groups.size(), 2u);
  std::map<std::string, GroupRecord> by_id;
  for (const GroupRecord& g : l.ctx.groups) by_id[g.id] = g;
  EXPECT_EQ(by_id.at("g-break-glass").display_name, "Break glass");
  EXPECT_TRUE(by_id.at("g-break-glass").security_enabled);
  EXPECT_EQ(by_id.at("g-break-glass").member_ids, (std::vector<std::string>{"u0", "u4"}));
  EXPECT_FALSE(by_id.at("g-news").security_enabled);
  EXPECT_TRUE(by_id.at("g-news").member_ids.empty());
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

// A Workspace data source beside the Graph one: as its provider gives them.
Snapshot WorkspaceSnapshot() {
  Snapshot s;
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn,
                          EntityKind::kRole, EntityKind::kSku}) {
    s.availability[kind] = Availability{true, ""};
  }
  for (EntityKind kind : {EntityKind::kPolicy, EntityKind::kSetting, EntityKind::kGroup}) {
    s.availability[kind] = Availability{false, "Google Workspace has none"};
  }
  UserRecord same;  // the Graph snapshot's u1, by address
  same.id = "g-101";
  same.upn = "User1@Contoso.Example";
  same.enabled = true;
  UserRecord only;
  only.id = "g-102";
  only.upn = "gina@contoso.com";
  only.enabled = true;
  s.users = {same, only};
  s.registrations = {{"g-101", same.upn, true, {}, true}, {"g-102", only.upn, false, {}, false}};
  return s;
}

Status SyncInto(const testing::TestTenant& t, int64_t data_source_id, const Snapshot& s) {
  auto clock = NewFixedClock(kNow);
  Syncer syncer(t.db.get(), clock.get());
  return syncer.Apply(t.tenant_id, data_source_id, s, {}, "t").status();
}

TEST(DataContextLoaderTest, AWorkspaceSourceBesideGraphLinksPersonsAndLeavesPoliciesToGraph) {
  testing::TestTenant t = testing::NewTestTenant();
  auto google = EnsureDataSource(t.db.get(), t.tenant_id, "google", "google_workspace", "{}", 1);
  ASSERT_TRUE(google.ok()) << google.status().ToString();
  ASSERT_TRUE(SyncInto(t, t.data_source_id, testing::SmallSnapshot(3, kNow)).ok());
  ASSERT_TRUE(SyncInto(t, google->id, WorkspaceSnapshot()).ok());
  DataContextLoader loader(t.db.get());
  auto loaded = loader.Load(t.tenant_id, kNow);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const DataContext& ctx = *loaded;
  EXPECT_EQ(loader.last_statements(), 8u);
  ASSERT_EQ(ctx.sources.size(), 2u);
  EXPECT_EQ(ctx.sources[1].name, "google");
  EXPECT_EQ(ctx.sources[1].provider, "google_workspace");
  // Policies come from Graph alone: Workspace's "none" is not a verdict.
  EXPECT_TRUE(ctx.Has(EntityKind::kPolicy)) << ctx.MissingReason(EntityKind::kPolicy);
  EXPECT_TRUE(ctx.absent_kinds.empty());
  ASSERT_EQ(ctx.users.size(), 5u);
  const uint32_t u1 = ctx.user_index.at("u1");
  const uint32_t g101 = ctx.user_index.at("g-101");
  const uint32_t g102 = ctx.user_index.at("g-102");
  EXPECT_EQ(ctx.user_source[u1], 0u);
  EXPECT_EQ(ctx.user_source[g101], 1u);
  EXPECT_EQ(ctx.PersonOf(g101), u1);  // the same address in another case
  EXPECT_EQ(ctx.PersonOf(u1), u1);
  EXPECT_EQ(ctx.PersonOf(g102), g102);
  EXPECT_EQ(ctx.registrations[ctx.user_registration[g102]].mfa_enforced, false);
}

TEST(DataContextLoaderTest, AWorkspaceOnlyTenantHasNoPolicyDataAndSaysWhy) {
  testing::TestTenant t = testing::NewTestTenant();
  auto acme = EnsureTenant(t.db.get(), "acme", 1);
  ASSERT_TRUE(acme.ok());
  auto google = EnsureDataSource(t.db.get(), acme->id, "google", "google_workspace", "{}", 1);
  ASSERT_TRUE(google.ok());
  t.tenant_id = acme->id;
  ASSERT_TRUE(SyncInto(t, google->id, WorkspaceSnapshot()).ok());
  auto ctx = DataContextLoader(t.db.get()).Load(acme->id, kNow);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  EXPECT_TRUE(ctx->absent_kinds.count(EntityKind::kPolicy));
  EXPECT_FALSE(ctx->Has(EntityKind::kPolicy));
  EXPECT_EQ(ctx->MissingReason(EntityKind::kPolicy),
            "no data source has policy data: data source \"google\" (google_workspace) has none");
  EXPECT_TRUE(ctx->Has(EntityKind::kUser));
  ASSERT_EQ(ctx->users.size(), 2u);
  EXPECT_EQ(ctx->PersonOf(1), 1u);
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
  ASSERT_TRUE(UpdatePreferences(l.tenant.db.get(), l.tenant.tenant_id,
                                {{"max_sync_age_hours", "100"}},
                                [](std::string_view) { return false; })
                  .ok());
  auto relaxed = loader.Load(l.tenant.tenant_id, kNow + 72 * 3600 * 1000 + 1);
  ASSERT_TRUE(relaxed.ok());
  EXPECT_TRUE(relaxed->Has(EntityKind::kUser));
}

// Rewrites a database synced by this version into the layout before
// migration 6 (licenses as "license" links, user rows without sku_ids) and
// marks migration 6 as not applied.
void DowngradeToLicenseLinks(Db* db, int64_t tenant_id, int64_t data_source_id) {
  auto users = db->Prepare(
      "SELECT external_id, attributes FROM entities WHERE kind = 'user' ORDER BY external_id");
  ASSERT_TRUE(users.ok());
  std::vector<std::pair<std::string, std::string>> rows;
  while (*(*users)->Step()) rows.emplace_back((*users)->String(0), (*users)->String(1));
  auto strip = db->Prepare("UPDATE entities SET attributes = ? WHERE kind = 'user' AND external_id = ?");
  auto link = db->Prepare(
      "INSERT INTO links (tenant_id, data_source_id, kind, from_id, to_id)"
      " VALUES (?, ?, 'license', ?, ?)");
  ASSERT_TRUE(strip.ok() && link.ok());
  for (const auto& [id, attributes] : rows) {
    UserRecord u;
    ASSERT_TRUE(DecodeUser(id, attributes, &u).ok());
    const size_t at = attributes.find(",\"sku_ids\":[");
    ASSERT_NE(at, std::string::npos);
    (*strip)->BindText(1, attributes.substr(0, at) + "}");
    (*strip)->BindText(2, id);
    ASSERT_TRUE((*strip)->Execute().ok());
    for (auto it = u.sku_ids.rbegin(); it != u.sku_ids.rend(); ++it) {  // not in order
      (*link)->BindInt(1, tenant_id);
      (*link)->BindInt(2, data_source_id);
      (*link)->BindText(3, id);
      (*link)->BindText(4, *it);
      ASSERT_TRUE((*link)->Execute().ok());
    }
  }
  // Undo migrations 7, 8, 10, 12, 13, 14, 15, 16 and 17 too, so ApplyMigrations runs 6 and later
  // again.
  ASSERT_TRUE(db->ExecScript("DROP INDEX alerts_snoozed_by_state;"
                             "DROP INDEX alerts_flapping_by_state_id;"
                             "DROP INDEX alerts_by_state_id;"
                             "DROP INDEX alerts_by_state_tenant_severity;"
                             "CREATE INDEX alerts_open_by_tenant ON alerts (tenant_id)"
                             " WHERE state = 'open';"
                             "DROP TABLE open_alert_days;"
                             "DROP TABLE alert_actions;"
                             "DROP TABLE exclusions;"
                             "DROP TABLE shadow_runs;"
                             "DROP TABLE shadow_alerts;"
                             "DROP TABLE rule_settings;"
                             "ALTER TABLE alert_history DROP COLUMN rule_version;"
                             "ALTER TABLE analysis_ledger DROP COLUMN rule_version;"
                             "DROP INDEX alerts_flapping_by_tenant;"
                             "ALTER TABLE alerts DROP COLUMN flapping;"
                             "DROP TABLE deliveries;"
                             "DROP TABLE notifications;"
                             "DROP TABLE channels;"
                             "DROP INDEX event_outbox_unrouted;"
                             "ALTER TABLE event_outbox DROP COLUMN routed_at;"
                             "ALTER TABLE analysis_ledger DROP COLUMN data_version;"
                             "DROP INDEX alerts_by_tenant_state_id;"
                             "ALTER TABLE alerts DROP COLUMN snoozed_until;"
                             "ALTER TABLE alerts DROP COLUMN acknowledged_by;"
                             "ALTER TABLE alerts DROP COLUMN acknowledged_at;"
                             "DROP TABLE webhook_deliveries;"
                             "DROP TABLE webhook_secrets;"
                             "DROP TABLE api_tokens;"
                             "ALTER TABLE data_sources DROP COLUMN sync_cursor;"
                             "DELETE FROM data_availability WHERE kind = 'signin';"
                             "DELETE FROM schema_migrations WHERE version >= 6;")
                  .ok());
}

// Per user object id: its stored sku ids, and the ids of the SKUs and roles
// its adjacency points at, each sorted.
std::map<std::string, std::vector<std::vector<std::string>>> Adjacency(const DataContext& ctx) {
  std::map<std::string, std::vector<std::vector<std::string>>> out;
  for (uint32_t u = 0; u < ctx.users.size(); ++u) {
    std::vector<std::string> skus, roles;
    for (uint32_t s : ctx.user_skus[u]) skus.push_back(ctx.skus[s].id);
    for (uint32_t r : ctx.user_roles[u]) roles.push_back(ctx.roles[r].id);
    std::sort(skus.begin(), skus.end());
    std::sort(roles.begin(), roles.end());
    out[ctx.users[u].id] = {ctx.users[u].sku_ids, skus, roles};
  }
  return out;
}

TEST(DataContextLoaderTest, LicenseAdjacencyIsIdenticalAfterMigratingLicenseLinks) {
  SyntheticOptions options;
  options.users = 300;
  options.seed = 11;
  Loaded l = SyncAndLoad(GenerateTenant(options));
  Db* db = l.tenant.db.get();
  auto attributes_of_users = [&] {
    std::vector<std::string> out;
    auto q = db->Prepare("SELECT attributes FROM entities WHERE kind = 'user' ORDER BY id");
    while (*(*q)->Step()) out.push_back((*q)->String(0));
    return out;
  };
  const std::vector<std::string> synced = attributes_of_users();
  size_t several = 0;
  for (const UserRecord& u : l.ctx.users) several += u.sku_ids.size() > 1;
  ASSERT_GT(several, 0u);  // the ordering inside a list is exercised

  DowngradeToLicenseLinks(db, l.tenant.tenant_id, l.tenant.data_source_id);
  ASSERT_GT(*db->QueryInt("SELECT COUNT(*) FROM links WHERE kind = 'license'").value(), 0);
  // The backend's auto-increment key, as its Open passes it (a table
  // re-created with another id type would change the result type of the
  // loader's statements PostgreSQL has prepared).
  auto version = ApplyMigrations(db, db->dialect() == "postgresql"
                                         ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                                         : "INTEGER PRIMARY KEY");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*db->QueryInt("SELECT COUNT(*) FROM links WHERE kind = 'license'").value(), 0);
  EXPECT_EQ(attributes_of_users(), synced);  // byte for byte what the sync writes

  DataContextLoader loader(db);
  auto migrated = loader.Load(l.tenant.tenant_id, kNow);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  // Compared by object id: the order of rows a database returns is its own
  // (PostgreSQL's changes when rows are rewritten), and nothing depends on it.
  EXPECT_EQ(Adjacency(*migrated), Adjacency(l.ctx));
  EXPECT_EQ(loader.last_statements(), l.statements);
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
