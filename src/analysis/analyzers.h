// Factories of the five analysis types; the rules are the table of
// docs/ARCHITECTURE.md ("Alert types"). Each analyzer lives in its own file (mfa_analyzer.cc, ...).
#pragma once

#include <memory>

#include "analysis/analyzer.h"

namespace vigil {

// "mfa": mfa.user_not_registered, mfa.admin_not_registered, mfa.not_enforced.
// Needs user, registration, role, policy, setting.
std::unique_ptr<Analyzer> NewMfaAnalyzer();

// "license": license.unused, license.overassigned, license.disabled_user.
// Needs user, sku.
std::unique_ptr<Analyzer> NewLicenseAnalyzer();

// "stale": stale.user, stale.guest (threshold preferences.stale_days).
// Needs user.
std::unique_ptr<Analyzer> NewStaleAnalyzer();

// "privilege": privilege.global_admin_count (preferences.min_global_admins,
// max_global_admins), privilege.guest_admin, privilege.stale_admin.
// Needs user, role.
std::unique_ptr<Analyzer> NewPrivilegeAnalyzer();

// "policy": policy.legacy_auth_not_blocked. Needs policy.
std::unique_ptr<Analyzer> NewPolicyAnalyzer();

}  // namespace vigil
