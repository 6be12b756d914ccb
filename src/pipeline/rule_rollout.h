// Rule rollouts: which tenants run which rule version (analysis/
// rule_versions.h) of an analysis type, kept in `rule_settings`
// (context/rule_settings.h). What `vigil rollout` and /api/v1/rollouts do.
//
//   SetCandidate  the targeted tenants run `version` in shadow beside their
//                 active version (alerts/shadow_reconcile.h); exactly they:
//                 other tenants' candidate for the type is cleared.
//                 Version 0 clears the candidate of the targeted tenants.
//   Promote       the targeted tenants' active version becomes `version`;
//                 the one it replaces is kept for Rollback, and a candidate
//                 equal to `version` is cleared (it is active now).
//   Rollback      the targeted tenants (every tenant with something to roll
//                 back when the target is empty) return to the version
//                 before their last promotion.
// A change takes effect at each tenant's next analysis: the reconcile then
// names the transitions the change of version caused "rule_changed".
//
// Targets: explicit tenant names, a percentage, or all tenants. A
// percentage takes the tenants whose RolloutBucket is below it: the same
// tenants every time, and 10% is a subset of 20%.
//
// Errors (nothing is written): InvalidArgument for an unknown analysis type
// or a version the type does not have (naming the versions it has), a
// percentage outside 1-100, or a target that is not exactly one of the
// three; NotFound naming every tenant name that is unknown; the Db's error.
// Each change runs in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct RolloutTarget {
  std::vector<std::string> tenants;  // by name
  std::optional<int> percent;        // 1-100
  bool all = false;
};

// OK when `analysis_type` is one; InvalidArgument naming it and the known
// ones otherwise.
Status CheckRolloutType(std::string_view analysis_type);

// The tenant's bucket, 0-99: a stable hash (FNV-1a, 64 bits) of its name.
int RolloutBucket(std::string_view tenant_name);

struct RolloutChange {
  std::string analysis_type;
  std::vector<std::string> changed;    // tenant names whose setting changed
  std::vector<std::string> unchanged;  // targeted, already so
  std::vector<std::string> cleared;    // SetCandidate: not targeted, candidate removed
};

Result<RolloutChange> SetCandidate(Db* db, const Clock& clock, std::string_view analysis_type,
                                   int version, const RolloutTarget& target, std::string_view by);
Result<RolloutChange> Promote(Db* db, const Clock& clock, std::string_view analysis_type,
                              int version, const RolloutTarget& target, std::string_view by);
// An empty `tenants` rolls back every tenant that has a previous version.
Result<RolloutChange> Rollback(Db* db, const Clock& clock, std::string_view analysis_type,
                               const std::vector<std::string>& tenants, std::string_view by);

// One tenant's setting of one analysis type, when it differs from the
// default (version 1, no candidate).
struct RolloutSettingRow {
  std::string tenant;
  std::string analysis_type;
  int active = 1;
  int previous = 0;   // 0: nothing to roll back to
  int candidate = 0;  // 0: none
  TimeMs updated_at = 0;
  std::string updated_by;
};

// Per analysis type: how many tenants run each version, and what their
// alerts were last reconciled from.
struct RolloutTypeSummary {
  std::string analysis_type;
  int latest = 1;                            // the newest version there is
  std::vector<std::pair<int, int>> active;   // (version, tenants), all tenants counted
  int candidates = 0;                        // tenants with a candidate
  std::vector<std::pair<int, int>> applied;  // (version, tenants) of the last COMPLETE batches
};

struct RolloutStatus {
  int tenants = 0;
  std::vector<RolloutTypeSummary> types;  // AnalysisTypes() order
  std::vector<RolloutSettingRow> settings;  // by tenant name, then type
};

// Three statements.
Result<RolloutStatus> LoadRolloutStatus(Db* db);

}  // namespace vigil
