// Rule settings: which rule version (analysis/rule_versions.h) each analysis
// type of a tenant runs. Kept in `rule_settings`, one row per (tenant,
// analysis type) that ever changed from the default; written by the rollout
// commands (pipeline/rule_rollout.h), read by the loader with the rest of a
// tenant's context.
//
// Thread safety: values; the function taking a Db is as the Db's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct RuleSetting {
  int active = 1;     // the version whose findings become alerts
  int previous = 0;   // what a rollback returns to; 0 when never promoted
  int candidate = 0;  // run in shadow beside `active`; 0 for none
  // The version of the last COMPLETE batch the alerts were reconciled
  // from (the analysis ledger's rule_version); 0 before the first one.
  int applied = 0;
};

using RuleSettings = std::map<std::string, RuleSetting, std::less<>>;

// The setting of `type` in `settings`, or the default (version 1, no
// candidate, nothing applied).
RuleSetting SettingOf(const RuleSettings& settings, std::string_view type);

// The rule settings of tenant `tenant_id` and the rule version of each
// type's last applied batch, in one statement. A type with neither has no
// entry (SettingOf gives its default).
Result<RuleSettings> LoadRuleSettings(Db* db, int64_t tenant_id);

}  // namespace vigil
