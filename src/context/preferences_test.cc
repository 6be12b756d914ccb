#include "context/preferences.h"

#include <gtest/gtest.h>

#include <map>
#include <string_view>

#include "testing/fixtures.h"

namespace vigil {
namespace {

// The alert types these tests know (the real table is analysis/alert_types.h).
bool KnownType(std::string_view name) { return name == "stale.user" || name == "license.unused"; }

TEST(PreferencesTest, ValidationNamesTheKeyAndTheValue) {
  EXPECT_TRUE(ValidatePreference("stale_days", "30", KnownType).ok());
  EXPECT_TRUE(
      ValidatePreference("disabled_alert_types", "stale.user,license.unused", KnownType).ok());
  EXPECT_TRUE(ValidatePreference("disabled_alert_types", "", KnownType).ok());
  EXPECT_EQ(ValidatePreference("stale_days", "0", KnownType).message(),
            "preference stale_days: \"0\" is not a whole number from 1 to 3650");
  EXPECT_EQ(ValidatePreference("disabled_alert_types", "stale.user,mfa.nope", KnownType).message(),
            "disabled_alert_types: unknown alert type \"mfa.nope\"");
  EXPECT_EQ(ValidatePreference("colour", "red", KnownType).code(), Code::kInvalidArgument);
}

TEST(PreferencesTest, AnUpdateIsStoredWholeOrNotAtAll) {
  testing::TestTenant t = testing::NewTestTenant();
  Status bad = UpdatePreferences(t.db.get(), t.tenant_id,
                                 {{"stale_days", "30"}, {"max_global_admins", "many"}}, KnownType);
  EXPECT_EQ(bad.message(),
            "preference max_global_admins: \"many\" is not a whole number from 0 to 1000");
  Result<TenantPreferences> prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_EQ(prefs->effective.stale_days, 90);
  EXPECT_TRUE(prefs->stored.empty());

  ASSERT_TRUE(UpdatePreferences(t.db.get(), t.tenant_id,
                                {{"stale_days", "30"}, {"disabled_alert_types", "stale.user"}},
                                KnownType)
                  .ok());
  prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_EQ(prefs->effective.stale_days, 30);
  EXPECT_EQ(prefs->effective.min_global_admins, 2);
  EXPECT_EQ(prefs->effective.disabled_alert_types, std::set<std::string>{"stale.user"});
  EXPECT_EQ(prefs->stored, (std::set<std::string>{"disabled_alert_types", "stale_days"}));
}

// Every tenant's preferences in one statement, read as one tenant's are;
// a tenant that stored none is absent (the defaults).
TEST(PreferencesTest, EveryTenantsPreferencesAreReadInOneStatement) {
  testing::TestTenant t = testing::NewTestTenant();
  Db* db = t.db.get();
  ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('b', 0), ('c', 0)").ok());
  const int64_t b = *db->QueryInt("SELECT id FROM tenants WHERE name = 'b'").value();
  ASSERT_TRUE(UpdatePreferences(db, t.tenant_id, {{"max_sync_age_hours", "200"}}, KnownType).ok());
  ASSERT_TRUE(UpdatePreferences(db, b, {{"stale_days", "30"}}, KnownType).ok());
  // A key since removed keeps the default, as LoadTenantPreferences does.
  ASSERT_TRUE(db->Execute("INSERT INTO tenant_preferences (tenant_id, key, value)"
                          " VALUES (?, 'retired_key', '1')",
                          {b})
                  .ok());
  const uint64_t before = db->statements_executed();
  Result<std::map<int64_t, Preferences>> all = LoadPreferencesOfTenants(db, 0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(db->statements_executed() - before, 1u);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(t.tenant_id).max_sync_age_hours, 200);
  EXPECT_EQ(all->at(b).stale_days, 30);
  EXPECT_EQ(all->at(b).max_sync_age_hours, 72);
  EXPECT_EQ(all->at(b).Entries(), LoadTenantPreferences(db, b)->effective.Entries());
  EXPECT_EQ(LoadPreferencesOfTenants(db, b)->size(), 1u);

  // Stale: older than max_sync_age_hours, not at it.
  const TimeMs hour = 3600 * 1000;
  EXPECT_FALSE(all->at(b).IsStale(0, 72 * hour));
  EXPECT_TRUE(all->at(b).IsStale(0, 72 * hour + 1));
  EXPECT_FALSE(all->at(t.tenant_id).IsStale(0, 100 * hour));
}

TEST(PreferencesTest, FlapThresholdAndWindow) {
  Preferences defaults;
  EXPECT_EQ(defaults.flap_threshold, 4);
  EXPECT_EQ(defaults.flap_window_ms, 6 * 3600 * 1000);
  EXPECT_TRUE(ValidatePreference("flap_threshold", "0", KnownType).ok());  // off
  EXPECT_EQ(ValidatePreference("flap_threshold", "-1", KnownType).message(),
            "preference flap_threshold: \"-1\" is not a whole number from 0 to 1000");
  EXPECT_EQ(ValidatePreference("flap_window", "6 hours", KnownType).message(),
            "preference flap_window: \"6 hours\" is not a duration (e.g. 90m, 6h, 1d)");
  EXPECT_EQ(ValidatePreference("flap_window", "0h", KnownType).code(), Code::kInvalidArgument);

  testing::TestTenant t = testing::NewTestTenant();
  ASSERT_TRUE(UpdatePreferences(t.db.get(), t.tenant_id,
                                {{"flap_threshold", "2"}, {"flap_window", "90m"}}, KnownType)
                  .ok());
  Result<TenantPreferences> prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_EQ(prefs->effective.flap_threshold, 2);
  EXPECT_EQ(prefs->effective.flap_window_ms, 90 * 60 * 1000);
  std::vector<std::pair<std::string, std::string>> entries = prefs->effective.Entries();
  EXPECT_EQ(entries,
            (std::vector<std::pair<std::string, std::string>>{{"stale_days", "90"},
                                                              {"min_global_admins", "2"},
                                                              {"max_global_admins", "4"},
                                                              {"max_sync_age_hours", "72"},
                                                              {"flap_threshold", "2"},
                                                              {"flap_window", "90m"},
                                                              {"disabled_alert_types", ""},
                                                              {"severity_overrides", ""}}));
  EXPECT_EQ(Preferences().Entries()[5], (std::pair<std::string, std::string>{"flap_window", "6h"}));
}

TEST(PreferencesTest, SeverityOverridesAreReadCheckedAndWrittenBackTheSameWay) {
  Preferences p;
  EXPECT_TRUE(p.severity_overrides.empty());
  ASSERT_TRUE(p.Set("severity_overrides", "stale.user=high,license.unused=critical").ok());
  EXPECT_EQ(p.severity_overrides,
            (std::map<std::string, std::string, std::less<>>{{"license.unused", "critical"},
                                                             {"stale.user", "high"}}));
  EXPECT_EQ(p.Entries().back(), (std::pair<std::string, std::string>{
                                    "severity_overrides", "license.unused=critical,stale.user=high"}));
  ASSERT_TRUE(p.Set("severity_overrides", "").ok());  // none
  EXPECT_TRUE(p.severity_overrides.empty());

  EXPECT_TRUE(ValidatePreference("severity_overrides", "stale.user=low", KnownType).ok());
  EXPECT_EQ(ValidatePreference("severity_overrides", "stale.user=low,mfa.nope=high", KnownType)
                .message(),
            "severity_overrides: unknown alert type \"mfa.nope\"");
  EXPECT_EQ(ValidatePreference("severity_overrides", "stale.user=urgent", KnownType).message(),
            "preference severity_overrides: unknown severity \"urgent\" for stale.user (known: "
            "low, medium, high, critical)");
  EXPECT_EQ(ValidatePreference("severity_overrides", "stale.user", KnownType).message(),
            "preference severity_overrides: \"stale.user\" is not ALERT_TYPE=SEVERITY");
  EXPECT_EQ(ValidatePreference("severity_overrides", "stale.user=low,stale.user=high", KnownType)
                .message(),
            "preference severity_overrides: stale.user is given twice");
  EXPECT_EQ(ValidatePreference("colour", "red", KnownType).message(),
            "unknown preference \"colour\" (known: stale_days, min_global_admins, "
            "max_global_admins, max_sync_age_hours, flap_threshold, flap_window, "
            "disabled_alert_types, severity_overrides)");

  testing::TestTenant t = testing::NewTestTenant();
  ASSERT_TRUE(UpdatePreferences(t.db.get(), t.tenant_id,
                                {{"severity_overrides", "stale.user=high"}}, KnownType)
                  .ok());
  Result<TenantPreferences> prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_EQ(prefs->effective.severity_overrides.at("stale.user"), "high");
  EXPECT_EQ(prefs->stored, std::set<std::string>{"severity_overrides"});
}

// Values that are each valid but impossible together are refused with the
// stored values taken into account, and nothing of the update is stored.
TEST(PreferencesTest, MinGlobalAdminsAboveMaxIsRefusedAndNothingIsStored) {
  testing::TestTenant t = testing::NewTestTenant();
  Status bad = UpdatePreferences(t.db.get(), t.tenant_id,
                                 {{"stale_days", "30"}, {"min_global_admins", "5"}}, KnownType);
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.message(), "min_global_admins (5) is greater than max_global_admins (4)");
  Result<TenantPreferences> prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_TRUE(prefs->stored.empty());
  EXPECT_EQ(prefs->effective.stale_days, 90);

  // Against a stored maximum: lowering it below the minimum is refused too.
  ASSERT_TRUE(UpdatePreferences(t.db.get(), t.tenant_id,
                                {{"max_global_admins", "8"}, {"min_global_admins", "5"}}, KnownType)
                  .ok());
  bad = UpdatePreferences(t.db.get(), t.tenant_id, {{"max_global_admins", "3"}}, KnownType);
  EXPECT_EQ(bad.message(), "min_global_admins (5) is greater than max_global_admins (3)");
  prefs = LoadTenantPreferences(t.db.get(), t.tenant_id);
  ASSERT_TRUE(prefs.ok()) << prefs.status().ToString();
  EXPECT_EQ(prefs->effective.max_global_admins, 8);
  // Equal is possible: exactly that many.
  EXPECT_TRUE(UpdatePreferences(t.db.get(), t.tenant_id, {{"max_global_admins", "5"}}, KnownType)
                  .ok());
}

}  // namespace
}  // namespace vigil
