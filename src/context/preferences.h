// Per-tenant preferences, in one place: the thresholds the analyzers use
// with their defaults (docs/ARCHITECTURE.md, "Thresholds"), how a value is
// read and checked, and the table that keeps them (`tenant_preferences`,
// one (tenant, key, value) row per preference a tenant set). The loader,
// `vigil prefs` and the API read and write them only through here.
//
// Thread safety: Preferences is a value; the functions taking a Db are as
// the Db's (one thread at a time per connection).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// The preference that lists the alert types a tenant turned off.
inline constexpr std::string_view kDisabledAlertTypesPreference = "disabled_alert_types";
// The preference that gives alert types another severity than their own.
inline constexpr std::string_view kSeverityOverridesPreference = "severity_overrides";

struct Preferences {
  int stale_days = 90;        // "stale_days": sign-in age that makes an account stale
  int min_global_admins = 2;  // "min_global_admins"
  int max_global_admins = 4;  // "max_global_admins"
  std::set<std::string> disabled_alert_types;  // "disabled_alert_types": comma-separated
  // "max_sync_age_hours": data whose last successful sync is older than this
  // (at the analysis time) is stale, and analyses on stale data are INCOMPLETE.
  int max_sync_age_hours = 72;
  // "flap_threshold": an alert that changes state (opens, resolves, reopens)
  // this many times within flap_window is flapping (alerts/flap_damping.h);
  // 0 turns flap detection off.
  int flap_threshold = 4;
  // "flap_window": the window of flap_threshold, and how long a flapping
  // alert must hold one state to be stable again; stored as a duration
  // ("6h", "90m", "1d": common/duration.h), in milliseconds here.
  int64_t flap_window_ms = 6 * 3600 * 1000;
  // "severity_overrides": alert type -> the severity its findings get
  // instead of the alert type's own (analysis/unified_analyzer.h), stored as
  // "mfa.user_not_registered=high,stale.user=low". A severity is one of
  // low, medium, high, critical (the names of analysis/finding.h Severity,
  // which sits above this library).
  std::map<std::string, std::string, std::less<>> severity_overrides;

  // Whether data last synced successfully at `last_sync_at` is stale at
  // `now`: older than max_sync_age_hours (the loader's rule, also the
  // console's "stale" data source).
  bool IsStale(TimeMs last_sync_at, TimeMs now) const;

  // Sets one preference from its stored text. InvalidArgument names the key
  // and the value when the key is unknown or the value is not valid for it.
  Status Set(std::string_view key, std::string_view value);

  // Every preference as (key, value text), in a fixed order; the text of each
  // value is what Set accepts.
  std::vector<std::pair<std::string, std::string>> Entries() const;
};

// Whether `name` is an alert type (analysis/alert_types.h IsAlertType: the
// table sits above this library, so callers pass it in).
using IsAlertTypeFn = bool (*)(std::string_view name);

// OK when `value` (stored text, as Preferences::Set takes it) may be stored
// for `key`. InvalidArgument otherwise, naming the key and the value:
// Preferences::Set's message for an unknown key or a bad value (an unknown
// severity included), or "disabled_alert_types: unknown alert type \"x\""
// (likewise "severity_overrides: ...") when `is_alert_type` refuses a name
// of the list.
Status ValidatePreference(std::string_view key, std::string_view value,
                          IsAlertTypeFn is_alert_type);

// OK when the values of `prefs` are possible together. InvalidArgument
// naming both keys and values otherwise: "min_global_admins (5) is greater
// than max_global_admins (4)".
Status CheckPreferenceCombination(const Preferences& prefs);

// Checks every (key, value) of `updates` first, then, in one transaction,
// reads the stored values, overlays the updates on them, checks the result
// (CheckPreferenceCombination) and stores the updates: when one is invalid
// (its ValidatePreference error), the combination is impossible (its
// error), or a read or write fails (the database's error), nothing is
// stored.
Status UpdatePreferences(Db* db, int64_t tenant_id,
                         const std::vector<std::pair<std::string, std::string>>& updates,
                         IsAlertTypeFn is_alert_type);

struct TenantPreferences {
  Preferences effective;         // the defaults, overlaid by the stored values
  std::set<std::string> stored;  // the keys that have a stored value
};

// The preferences of tenant `tenant_id` (one statement). Stored values that
// are no longer valid (a key since removed) are ignored and keep their
// default, as analysis does.
Result<TenantPreferences> LoadTenantPreferences(Db* db, int64_t tenant_id);

// The effective preferences of every tenant that stored any (of tenant
// `tenant_id` only when it is not 0), read as LoadTenantPreferences reads
// them, in one statement whatever the number of tenants. A tenant absent
// from the map has the defaults.
Result<std::map<int64_t, Preferences>> LoadPreferencesOfTenants(Db* db, int64_t tenant_id);

}  // namespace vigil
