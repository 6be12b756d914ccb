// The synthetic tenant generator and the `synthetic` provider.
//
// GenerateTenant builds a realistic, deterministic Snapshot of one tenant
// from a seed: GUID object ids from the seeded RNG, UPNs like
// "first.last@<tenant>.onmicrosoft.com" (guests
// "first.last_partner.com#EXT#@<tenant>.onmicrosoft.com"), real SKU part
// numbers and skuIds, built-in directory role template ids. Every kind is
// available. The same options give the same Snapshot, byte for byte, on every
// machine; a different seed (or tenant name) gives a different one.
//
// The defaults produce findings of every alert type (docs/ARCHITECTURE.md) except
// privilege.global_admin_count (3 Global Administrators is healthy; use
// global_admins = 1 or 6 for too few / too many).
//
// How the options map to data (counts are rounded; a positive rate on a
// non-empty population yields at least one such user):
//   guest_rate              share of all users that are guests
//   no_mfa_rate             share of non-admin members without MFA registered
//   disabled_licensed_rate  share of non-admin members disabled but licensed
//   stale_rate              share of enabled non-admin members, and of guests,
//                           whose last sign-in is 91..720 days old
//   never_signed_in_rate    the same, never signed in, created > 90 days ago
//   background_sign_in_rate share of those stale users whose last successful
//                           sign-in (an app signing in for them) is within
//                           the last 30 days: stale to rule version 1 of
//                           `stale`, not to version 2; drawn from a random
//                           sequence of its own, so the rest of the tenant is
//                           the same whatever the rate
//   global_admins           enabled, recently active members holding Global
//                           Administrator
//   other_admins            enabled, recently active members holding another
//                           built-in role
//   admin_no_mfa_rate       share of those admins without MFA registered
//   guest_admins            guests holding a (non-global) role
//   stale_admins            members holding a (non-global) role that are
//                           disabled (odd ones) or stale (even ones)
//   skus                    subscribed SKUs (at most 14); members hold the first
//   unused_skus             even-numbered SKUs have spare (unassigned) units
//   overassigned_sku        the last SKU has consumedUnits > prepaidUnits.enabled
//   ca_mode                 kNone: no MFA policy; kReportOnly/kEnabled: an
//                           all-users MFA policy in that state
//   legacy_auth_blocked     an enabled all-users policy blocks
//                           exchangeActiveSync and other
//   security_defaults       isEnabled of the security defaults
//   groups                  groups, about 70% of them security-enabled; each
//                           security group has about one user in 8 as
//                           members (at most 200), chosen by a hash of the
//                           group and user ids, so the rest of the tenant is
//                           the same with or without groups
// Admin slots are filled before the rates apply; a tenant too small for them
// gets fewer admins.
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/clock.h"
#include "providers/provider.h"
#include "providers/snapshot.h"

namespace vigil {

// 2026-01-01T00:00:00Z: the default "now" of generated tenants.
inline constexpr TimeMs kSyntheticDefaultNow = 1767225600000;

struct SyntheticOptions {
  enum CaMode { kNone, kReportOnly, kEnabled };

  uint64_t seed = 1;
  std::string tenant_name = "contoso";  // lower-cased letters/digits form the domain
  int users = 50;
  double no_mfa_rate = 0.15;
  double disabled_licensed_rate = 0.06;
  double stale_rate = 0.10;
  double never_signed_in_rate = 0.05;
  double background_sign_in_rate = 0.25;
  double guest_rate = 0.10;
  int global_admins = 3;
  int other_admins = 2;
  int guest_admins = 1;
  int stale_admins = 1;
  double admin_no_mfa_rate = 0.25;
  int skus = 4;
  bool unused_skus = true;
  bool overassigned_sku = true;
  CaMode ca_mode = kReportOnly;
  bool legacy_auth_blocked = false;
  bool security_defaults = false;
  int groups = 8;
  TimeMs now = kSyntheticDefaultNow;  // sign-in ages are relative to this
};

// A large tenant's first analysis, as an MSP onboards it: most accounts
// stale, many members without MFA. Of `users`, 10% guests; of the enabled
// regular members and of the guests, 50% signed in last 91..720 days ago
// and 10% never signed in; 29% of the regular members without MFA
// registered. Its first analysis opens about 0.8 alerts per user (79,712 at
// 100,000 users, seed 42: 56,212 stale.user / stale.guest, 23,480
// mfa.user_not_registered, and a few others). The other options keep their
// defaults; change them on the result.
SyntheticOptions OnboardingTenantOptions(int users);

// A full Snapshot of a generated tenant (all kinds available). 100,000 users
// take well under a second.
Snapshot GenerateTenant(const SyntheticOptions& options);

// A provider named "synthetic" whose Fetch returns GenerateTenant(options).
std::unique_ptr<Provider> NewSyntheticProvider(SyntheticOptions options);

// Remediation, as `vigil demo` applies it between two syncs.
//
// Registers every user for MFA: each registration row gets
// mfa_registered = true and "microsoftAuthenticatorPush" among its methods;
// users without a row get one. Marks registrations available.
void EnableMfaForAll(Snapshot* snapshot);

// Clears the sku_ids of every disabled user and lowers each SKU's
// consumed_units by the licenses removed (never below 0).
void RemoveLicensesFromDisabledUsers(Snapshot* snapshot);

}  // namespace vigil
