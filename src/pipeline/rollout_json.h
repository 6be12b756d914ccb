// The JSON shapes of rollouts, shared by `vigil rollout --json` and
// /api/v1/rollouts (and described in the OpenAPI document, "Rollout*"):
//
//   change   {"type", "changed": [tenant...], "unchanged": [tenant...],
//             "cleared": [tenant...] (a candidate set elsewhere: removed)}
//   status   {"tenants": n, "types": [{"type", "latest",
//             "active": [{"version", "tenants"}], "candidates": n,
//             "applied": [{"version", "tenants"}]}],
//             "settings": [{"tenant", "type", "active", "previous",
//             "candidate", "updated_at", "updated_by"}]}   (previous and
//             candidate null when none; updated_at ISO 8601)
//   diff     {"type": T or null, "runs": [{"tenant", "type", "active_version",
//             "candidate_version", "status", "reason", "would_open",
//             "would_resolve", "would_change_severity", "unchanged",
//             "examples": [{"change", "alert_type", "subject", "subject_name",
//             "severity", "from_severity"?}], "run_id", "trace_id", "as_of"}],
//             "totals": {"would_open", "would_resolve", "would_change_severity"}}
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "alerts/shadow_reconcile.h"
#include "pipeline/rule_rollout.h"

namespace vigil {

nlohmann::ordered_json RolloutChangeJson(const RolloutChange& change);
nlohmann::ordered_json RolloutStatusJson(const RolloutStatus& status);
// {"type", "active_version", "candidate_version", "status", "reason",
//  "would_open", "would_resolve", "would_change_severity", "unchanged"}:
// one shadow run without its examples (as `vigil sync --json` reports it).
nlohmann::ordered_json ShadowRunJson(const ShadowRun& run);
nlohmann::ordered_json ShadowDiffJson(std::string_view type,
                                      const std::vector<StoredShadowRun>& runs);

}  // namespace vigil
