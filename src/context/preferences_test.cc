#include "context/preferences.h"

#include <gtest/gtest.h>

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
                                                              {"disabled_alert_types", ""}}));
  EXPECT_EQ(Preferences().Entries()[5], (std::pair<std::string, std::string>{"flap_window", "6h"}));
}

}  // namespace
}  // namespace vigil
