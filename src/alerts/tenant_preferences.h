// A tenant's preferences as `vigil prefs` and the API read and change them:
// checking a value before it is stored (context/preferences.h knows the keys
// and their ranges; analysis/alert_types.h the alert types that
// "disabled_alert_types" may name), storing several in one transaction, and
// the effective values (the defaults, overlaid by what is stored).
//
// Thread safety: as the Db's (one thread at a time per connection).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "context/preferences.h"
#include "store/db.h"

namespace vigil {

// The preference that lists the alert types a tenant turned off.
inline constexpr std::string_view kDisabledAlertTypesPreference = "disabled_alert_types";

// OK when `value` (stored text, as Preferences::Set takes it) may be stored
// for `key`. InvalidArgument otherwise, naming the key and the value:
// Preferences::Set's message for an unknown key or a bad value, or
// "disabled_alert_types: unknown alert type \"x\"".
Status ValidatePreference(std::string_view key, std::string_view value);

// Checks every (key, value) of `updates` first, then stores them all in one
// transaction: when one is invalid (its ValidatePreference error) or a write
// fails (the database's error), nothing is stored.
Status UpdatePreferences(Db* db, int64_t tenant_id,
                         const std::vector<std::pair<std::string, std::string>>& updates);

struct TenantPreferences {
  Preferences effective;         // the defaults, overlaid by the stored values
  std::set<std::string> stored;  // the keys that have a stored value
};

// The preferences of tenant `tenant_id` (one statement). Stored values that
// are no longer valid (a key since removed) are ignored, as analysis does.
Result<TenantPreferences> LoadTenantPreferences(Db* db, int64_t tenant_id);

}  // namespace vigil
