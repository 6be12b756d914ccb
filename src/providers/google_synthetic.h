// The synthetic Google Workspace tenant generator: a realistic,
// deterministic tenant from a seed, as `vigil generate --provider
// google_workspace` writes it (google_writer.h) and the google_json provider
// reads it back.
//
// Users have numeric ids of 21 digits (as Google's), primary emails
// "first.last@<domain>" (a number added on a clash, e.g. "ana.lima2@..."),
// where the domain is "<tenant>.example" (the tenant name's lower-cased
// letters and digits); roles are Google's built-in ones (the super admin
// role "_SEED_ADMIN_ROLE" and four others) with numeric ids; licenses are
// real Workspace SKUs of the product "Google-Apps". The same options give
// the same tenant, byte for byte, on every machine; a different seed (or
// tenant name) gives a different one.
//
// How the options map to data (counts are rounded; a positive rate on a
// non-empty population yields at least one such user):
//   super_admins        enabled, recently active users holding the super
//                       admin role (the analyzers' healthy range is 2..4)
//   other_admins        enabled, recently active users holding another role
//   stale_admins        users holding another role that are suspended (odd
//                       ones) or whose last login is 91..720 days old (even)
//   admin_no_2sv_rate   share of super and other admins not enrolled in 2SV
//   suspended_rate      share of the other (regular) users that are
//                       suspended; they keep their licenses
//   stale_rate          share of the enabled regular users whose last login
//                       is 91..720 days old
//   never_signed_in_rate the same, never signed in (lastLoginTime the
//                       epoch), created more than 90 days ago
//   no_2sv_rate         share of regular users not enrolled in 2SV
//   not_enforced_rate   share of all users on whom 2SV is not enforced
//                       (drawn apart from enrolment: a user may be enrolled
//                       without enforcement, or enforced and not enrolled yet)
//   skus                Workspace SKUs in use (at most 6); every licensed
//                       user holds the first, the others go to a share each
//   licensed_rate       share of regular users holding licenses (admins
//                       always do)
// Admin slots are filled before the rates apply; a tenant too small for them
// gets fewer admins.
//
// Same people as a Microsoft 365 tenant: when same_people_as is set, the
// generator makes that tenant (GenerateTenant of synthetic.h) and the first
// `shared_people` of this tenant's users (in user order) are its enabled
// member users, in its user order: each takes that user's UPN as primary
// email and its display name, so the two sources name the same person by
// the same address. The tenant then uses the Microsoft 365 tenant's domain
// ("<name>.onmicrosoft.com") for all its users, and no other user's email
// is one of that tenant's UPNs. Fewer are shared when that tenant has fewer
// enabled members. What these people hold in Workspace (2SV, logins,
// roles) is drawn as for any user.
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "providers/google_writer.h"
#include "providers/snapshot.h"
#include "providers/synthetic.h"

namespace vigil {

struct GoogleSyntheticOptions {
  uint64_t seed = 1;
  std::string tenant_name = "acme";
  int users = 50;
  int super_admins = 3;
  int other_admins = 2;
  int stale_admins = 1;
  double admin_no_2sv_rate = 0.25;
  double suspended_rate = 0.06;
  double stale_rate = 0.10;
  double never_signed_in_rate = 0.05;
  double no_2sv_rate = 0.15;
  double not_enforced_rate = 0.30;
  int skus = 2;
  double licensed_rate = 0.97;
  TimeMs now = kSyntheticDefaultNow;  // login ages are relative to this
  // The Microsoft 365 tenant whose people this one shares (see above).
  std::optional<SyntheticOptions> same_people_as;
  int shared_people = 0;
};

// A generated Workspace tenant. 100,000 users take well under a second.
GoogleTenant GenerateGoogleTenant(const GoogleSyntheticOptions& options);

// The Snapshot the google_json provider gives for `tenant` written out with
// WriteGoogleDirectory: its records with the users' sku_ids and the SKUs
// from the licenses (ApplyGoogleLicenses), users, registrations, sign-ins,
// roles and SKUs available, and the kinds Workspace lacks not available
// (google_kinds.h). For `vigil demo` and tests that skip the files.
Snapshot GoogleTenantSnapshot(const GoogleTenant& tenant);

}  // namespace vigil
