// Factories of the five analysis types; the rules are the table of
// docs/ARCHITECTURE.md ("Alert types"). Each analyzer lives in its own file (mfa_analyzer.cc, ...).
#pragma once

#include <memory>

#include "analysis/analyzer.h"

namespace vigil {

// "mfa": mfa.user_not_registered, mfa.admin_not_registered, mfa.not_enforced.
// Needs user, registration, role, policy, setting.
std::unique_ptr<Analyzer> NewMfaAnalyzer();
// "mfa" version 2: a user counts as registered only with a method that is
// a second factor of its own (StrongMfaMethod); SMS, voice, email and
// security questions alone do not count, whatever isMfaRegistered says.
// mfa.not_enforced is as in version 1.
std::unique_ptr<Analyzer> NewMfaAnalyzerV2();

// "license": license.unused, license.overassigned, license.disabled_user.
// Needs user, sku.
std::unique_ptr<Analyzer> NewLicenseAnalyzer();

// "stale": stale.user, stale.guest (threshold preferences.stale_days).
// Needs user, signin.
std::unique_ptr<Analyzer> NewStaleAnalyzer();
// "stale" version 2: the latest of the interactive, non-interactive and last
// successful sign-in counts, and an account created within stale_days is
// not stale yet whatever its sign-in times say.
std::unique_ptr<Analyzer> NewStaleAnalyzerV2();

// "privilege": privilege.global_admin_count (preferences.min_global_admins,
// max_global_admins), privilege.guest_admin, privilege.stale_admin.
// Needs user, role.
std::unique_ptr<Analyzer> NewPrivilegeAnalyzer();

// "policy": policy.legacy_auth_not_blocked. Needs policy.
std::unique_ptr<Analyzer> NewPolicyAnalyzer();

}  // namespace vigil
