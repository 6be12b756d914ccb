// Per-tenant preferences: the thresholds the analyzers use, with the
// defaults of docs/ARCHITECTURE.md ("Thresholds"). Stored as (tenant, key,
// value) rows; unknown keys are ignored.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil {

struct Preferences {
  int stale_days = 90;        // "stale_days": sign-in age that makes an account stale
  int min_global_admins = 2;  // "min_global_admins"
  int max_global_admins = 4;  // "max_global_admins"
  std::set<std::string> disabled_alert_types;  // "disabled_alert_types": comma-separated
  // "max_sync_age_hours": data whose last successful sync is older than this
  // (at the analysis time) is stale, and analyses on stale data are INCOMPLETE.
  int max_sync_age_hours = 72;

  // Sets one preference from its stored text. InvalidArgument names the key
  // and the value when the key is unknown or the value is not valid for it.
  Status Set(std::string_view key, std::string_view value);

  // Every preference as (key, value text), in a fixed order; the text of each
  // value is what Set accepts.
  std::vector<std::pair<std::string, std::string>> Entries() const;
};

}  // namespace vigil
