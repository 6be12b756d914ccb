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

}  // namespace
}  // namespace vigil
