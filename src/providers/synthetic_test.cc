#include "providers/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/time.h"
#include "providers/graph_parse.h"
#include "providers/snapshot_diff.h"

namespace vigil {
namespace {

constexpr TimeMs kStaleAge = 90 * kMsPerDay;

// What the analyzers of the alert type table (docs/ARCHITECTURE.md) look at, computed
// directly from a snapshot, so the tests state which findings a tenant has.
struct Facts {
  explicit Facts(const Snapshot& s, TimeMs now) {
    for (const RoleAssignmentRecord& a : s.role_assignments) {
      if (!a.principal_is_user) continue;
      admins.insert(a.principal_id);
      if (a.role_id == kGlobalAdminRoleId) global_admins.insert(a.principal_id);
    }
    std::unordered_map<std::string, bool> mfa;
    for (const RegistrationRecord& r : s.registrations) mfa[r.user_id] = r.mfa_registered;
    for (const UserRecord& u : s.users) {
      const bool admin = admins.count(u.id) > 0;
      const bool stale = u.last_sign_in ? now - *u.last_sign_in > kStaleAge
                                        : u.created && now - *u.created > kStaleAge;
      if (u.enabled && !u.guest && !admin && !mfa[u.id]) ++user_not_registered;
      if (u.enabled && admin && !mfa[u.id]) ++admin_not_registered;
      if (!u.enabled && !u.sku_ids.empty()) ++disabled_licensed;
      if (u.enabled && stale) ++(u.guest ? stale_guests : stale_users);
      if (u.guest && admin) ++guest_admins;
      if (admin && (!u.enabled || stale)) ++stale_admins;
      if (u.enabled && global_admins.count(u.id)) ++enabled_global_admins;
    }
    for (const SkuRecord& sku : s.skus) {
      if (sku.enabled_units > sku.consumed_units) ++unused_skus;
      if (sku.consumed_units > sku.enabled_units) ++overassigned_skus;
    }
    bool mfa_policy = false;
    legacy_blocked = false;
    for (const PolicyRecord& p : s.policies) {
      auto has = [](const std::vector<std::string>& v, const char* x) {
        return std::find(v.begin(), v.end(), x) != v.end();
      };
      if (p.state != "enabled" || !p.all_users) continue;
      if (has(p.built_in_controls, "mfa")) mfa_policy = true;
      if (has(p.built_in_controls, "block") && has(p.client_app_types, "exchangeActiveSync") &&
          has(p.client_app_types, "other")) {
        legacy_blocked = true;
      }
    }
    mfa_not_enforced = !(s.security_defaults && s.security_defaults->enabled) && !mfa_policy;
  }

  std::set<std::string> admins, global_admins;
  int user_not_registered = 0, admin_not_registered = 0, disabled_licensed = 0;
  int stale_users = 0, stale_guests = 0, guest_admins = 0, stale_admins = 0;
  int enabled_global_admins = 0, unused_skus = 0, overassigned_skus = 0;
  bool mfa_not_enforced = false, legacy_blocked = false;
};

TEST(SyntheticTest, SameOptionsGiveTheSameTenant) {
  SyntheticOptions options;
  options.users = 300;
  EXPECT_EQ(SnapshotDiff(GenerateTenant(options), GenerateTenant(options)), "");
}

TEST(SyntheticTest, DifferentSeedOrTenantGivesADifferentTenant) {
  SyntheticOptions a;
  SyntheticOptions b = a;
  b.seed = 2;
  const Snapshot sa = GenerateTenant(a), sb = GenerateTenant(b);
  EXPECT_NE(SnapshotDiff(sa, sb), "");
  EXPECT_NE(sa.users[0].id, sb.users[0].id);
  SyntheticOptions c = a;
  c.tenant_name = "fabrikam";
  EXPECT_NE(GenerateTenant(c).users[0].id, sa.users[0].id);
}

TEST(SyntheticTest, LooksLikeARealTenant) {
  SyntheticOptions options;
  options.tenant_name = "Contoso Ltd";
  const Snapshot s = GenerateTenant(options);
  for (EntityKind kind : kAllKinds) EXPECT_TRUE(s.Has(kind)) << KindName(kind);
  ASSERT_EQ(s.users.size(), 50u);
  ASSERT_EQ(s.registrations.size(), 50u);

  const std::regex guid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::regex member_upn("[a-z]+\\.[a-z]+[0-9]*@contosoltd\\.onmicrosoft\\.com");
  const std::regex guest_upn("[a-z]+\\.[a-z]+[0-9]*_[a-z.]+#EXT#@contosoltd\\.onmicrosoft\\.com");
  std::set<std::string> ids, upns, sku_ids;
  for (const SkuRecord& sku : s.skus) sku_ids.insert(sku.id);
  for (const UserRecord& u : s.users) {
    EXPECT_TRUE(std::regex_match(u.id, guid)) << u.id;
    EXPECT_TRUE(std::regex_match(u.upn, u.guest ? guest_upn : member_upn)) << u.upn;
    EXPECT_FALSE(u.display_name.empty());
    EXPECT_TRUE(std::is_sorted(u.sku_ids.begin(), u.sku_ids.end()));
    for (const std::string& id : u.sku_ids) EXPECT_TRUE(sku_ids.count(id)) << id;
    ASSERT_TRUE(u.created.has_value());
    EXPECT_LE(*u.created, options.now);
    if (u.last_sign_in) {
      EXPECT_LE(*u.created, *u.last_sign_in);
    }
    ids.insert(u.id);
    upns.insert(u.upn);
  }
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(upns.size(), 50u);

  std::map<std::string, std::string> parts;
  for (const SkuRecord& sku : s.skus) parts[sku.part_number] = sku.id;
  EXPECT_EQ(s.skus.size(), 4u);
  EXPECT_EQ(parts["SPE_E3"], "05e9a617-0261-4cee-bb44-138d3ef5d965");
  EXPECT_EQ(parts["POWER_BI_PRO"], "f8a1db68-be16-40ed-86d5-cb42ce701560");

  for (const RoleAssignmentRecord& a : s.role_assignments) {
    if (a.principal_is_user) {
      EXPECT_TRUE(ids.count(a.principal_id)) << a.principal_id;
    }
  }
  const std::vector<RoleRecord> derived = DeriveRoles(s.role_assignments);
  ASSERT_EQ(s.roles.size(), derived.size());
  for (size_t i = 0; i < derived.size(); ++i) {
    EXPECT_EQ(s.roles[i].id, derived[i].id);
    EXPECT_EQ(s.roles[i].name, derived[i].name);
  }
  for (const RegistrationRecord& r : s.registrations) {
    EXPECT_TRUE(ids.count(r.user_id));
    EXPECT_TRUE(std::is_sorted(r.methods.begin(), r.methods.end()));
  }
}

TEST(SyntheticTest, SecurityGroupsHaveUsersOfTheTenantAsMembers) {
  SyntheticOptions options;
  options.users = 400;
  options.groups = 12;
  const Snapshot s = GenerateTenant(options);
  std::set<std::string> ids;
  for (const UserRecord& u : s.users) ids.insert(u.id);
  ASSERT_EQ(s.groups.size(), 12u);
  size_t with_members = 0;
  for (const GroupRecord& g : s.groups) {
    if (!g.security_enabled) {
      EXPECT_TRUE(g.member_ids.empty()) << g.display_name;
      continue;
    }
    with_members += g.member_ids.empty() ? 0 : 1;
    EXPECT_LE(g.member_ids.size(), 200u);
    EXPECT_TRUE(std::is_sorted(g.member_ids.begin(), g.member_ids.end()));
    EXPECT_TRUE(std::adjacent_find(g.member_ids.begin(), g.member_ids.end()) == g.member_ids.end());
    for (const std::string& id : g.member_ids) EXPECT_TRUE(ids.count(id)) << id;
  }
  EXPECT_GT(with_members, 0u);

  // Members come from the group and user ids alone: the rest of the tenant
  // is what it was before groups had members.
  SyntheticOptions no_groups = options;
  no_groups.groups = 0;
  const Snapshot without = GenerateTenant(no_groups);
  Snapshot with = s;
  with.groups.clear();
  EXPECT_EQ(SnapshotDiff(with, without), "");
}

TEST(SyntheticTest, DefaultsProduceFindingsOfEveryAlertType) {
  SyntheticOptions options;
  const Facts f(GenerateTenant(options), options.now);
  EXPECT_GT(f.user_not_registered, 0);
  EXPECT_GT(f.admin_not_registered, 0);
  EXPECT_TRUE(f.mfa_not_enforced);
  EXPECT_GT(f.unused_skus, 0);
  EXPECT_EQ(f.overassigned_skus, 1);
  EXPECT_GT(f.disabled_licensed, 0);
  EXPECT_GT(f.stale_users, 0);
  EXPECT_GT(f.stale_guests, 0);
  EXPECT_GT(f.guest_admins, 0);
  EXPECT_GT(f.stale_admins, 0);
  EXPECT_FALSE(f.legacy_blocked);
  EXPECT_EQ(f.enabled_global_admins, 3);  // healthy unless asked otherwise

  options.global_admins = 1;
  EXPECT_EQ(Facts(GenerateTenant(options), options.now).enabled_global_admins, 1);
  options.global_admins = 6;
  EXPECT_EQ(Facts(GenerateTenant(options), options.now).enabled_global_admins, 6);
}

TEST(SyntheticTest, HealthyOptionsProduceNoFindings) {
  SyntheticOptions options;
  options.users = 200;
  options.no_mfa_rate = 0;
  options.disabled_licensed_rate = 0;
  options.stale_rate = 0;
  options.never_signed_in_rate = 0;
  options.admin_no_mfa_rate = 0;
  options.guest_admins = 0;
  options.stale_admins = 0;
  options.unused_skus = false;
  options.overassigned_sku = false;
  options.ca_mode = SyntheticOptions::kEnabled;
  options.legacy_auth_blocked = true;
  const Facts f(GenerateTenant(options), options.now);
  EXPECT_EQ(f.user_not_registered, 0);
  EXPECT_EQ(f.admin_not_registered, 0);
  EXPECT_FALSE(f.mfa_not_enforced);
  EXPECT_EQ(f.unused_skus, 0);
  EXPECT_EQ(f.overassigned_skus, 0);
  EXPECT_EQ(f.disabled_licensed, 0);
  EXPECT_EQ(f.stale_users, 0);
  EXPECT_EQ(f.stale_guests, 0);
  EXPECT_EQ(f.guest_admins, 0);
  EXPECT_EQ(f.stale_admins, 0);
  EXPECT_TRUE(f.legacy_blocked);

  options.ca_mode = SyntheticOptions::kReportOnly;  // report-only does not enforce
  EXPECT_TRUE(Facts(GenerateTenant(options), options.now).mfa_not_enforced);
  options.ca_mode = SyntheticOptions::kNone;
  options.security_defaults = true;
  EXPECT_FALSE(Facts(GenerateTenant(options), options.now).mfa_not_enforced);
}

TEST(SyntheticTest, DefectRatesAreRoughlyHonoured) {
  SyntheticOptions options;
  options.users = 10000;
  options.guest_rate = 0.2;
  options.no_mfa_rate = 0.3;
  options.disabled_licensed_rate = 0.1;
  options.stale_rate = 0.15;
  options.never_signed_in_rate = 0.05;
  const Snapshot s = GenerateTenant(options);
  const Facts f(s, options.now);
  int guests = 0, regular_members = 0, enabled_regular_members = 0, never = 0;
  for (const UserRecord& u : s.users) {
    if (u.guest) ++guests;
    if (u.guest || f.admins.count(u.id)) continue;
    ++regular_members;
    if (!u.enabled) continue;
    ++enabled_regular_members;
    if (!u.last_sign_in && options.now - *u.created > kStaleAge) ++never;
  }
  EXPECT_NEAR(guests / 10000.0, 0.2, 0.01);
  // Users without MFA: the rate applies to all non-admin members, enabled or not.
  EXPECT_NEAR(f.user_not_registered / double(enabled_regular_members), 0.3, 0.03);
  EXPECT_NEAR(f.disabled_licensed / double(regular_members), 0.1, 0.01);
  EXPECT_NEAR(never / double(enabled_regular_members), 0.05, 0.01);
  // Stale members: those whose last sign-in is old plus those never signed in.
  EXPECT_NEAR(f.stale_users / double(enabled_regular_members), 0.15 + 0.05, 0.02);
}

TEST(SyntheticTest, GeneratesLargeTenants) {
  SyntheticOptions options;
  options.users = 100000;
  const Snapshot s = GenerateTenant(options);
  ASSERT_EQ(s.users.size(), 100000u);
  std::unordered_set<std::string> upns;
  for (const UserRecord& u : s.users) upns.insert(u.upn);
  EXPECT_EQ(upns.size(), 100000u);
  const Facts f(s, options.now);
  EXPECT_EQ(f.enabled_global_admins, 3);
}

TEST(SyntheticTest, OnboardingTenantIsMostlyStaleAndOftenWithoutMfa) {
  SyntheticOptions options = OnboardingTenantOptions(100000);
  options.seed = 42;
  const Snapshot s = GenerateTenant(options);
  ASSERT_EQ(s.users.size(), 100000u);
  const Facts f(s, options.now);
  // Stale members and guests, and members without MFA: what the first
  // analysis of such a tenant opens, about 0.8 per user.
  EXPECT_NEAR((f.stale_users + f.stale_guests) / 100000.0, 0.56, 0.01);
  EXPECT_NEAR(f.user_not_registered / 100000.0, 0.24, 0.01);
  EXPECT_NEAR((f.stale_users + f.stale_guests + f.user_not_registered) / 100000.0, 0.8, 0.01);
  EXPECT_EQ(f.enabled_global_admins, 3);
}

TEST(SyntheticTest, TinyTenantsStillWork) {
  SyntheticOptions options;
  options.users = 2;
  options.skus = 1;
  Snapshot s = GenerateTenant(options);
  EXPECT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.skus.size(), 1u);
  options.users = 0;
  options.skus = 0;
  s = GenerateTenant(options);
  EXPECT_TRUE(s.users.empty());
  EXPECT_TRUE(s.role_assignments.empty());
  EXPECT_TRUE(s.Has(EntityKind::kUser));
}

TEST(SyntheticTest, ProviderFetchesTheGeneratedTenant) {
  SyntheticOptions options;
  options.seed = 7;
  std::unique_ptr<Provider> provider = NewSyntheticProvider(options);
  EXPECT_EQ(provider->name(), "synthetic");
  Result<Snapshot> s = provider->Fetch();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(SnapshotDiff(*s, GenerateTenant(options)), "");
}

TEST(RemediationTest, EnableMfaForAllRegistersEveryUser) {
  Snapshot s = GenerateTenant(SyntheticOptions());
  ASSERT_GT(Facts(s, kSyntheticDefaultNow).user_not_registered, 0);
  const std::string dropped = s.registrations.back().user_id;
  s.registrations.pop_back();  // a user Graph has no registration row for
  EnableMfaForAll(&s);

  ASSERT_EQ(s.registrations.size(), s.users.size());
  std::map<std::string, const RegistrationRecord*> by_user;
  for (const RegistrationRecord& r : s.registrations) by_user[r.user_id] = &r;
  for (const UserRecord& u : s.users) {
    ASSERT_TRUE(by_user.count(u.id)) << u.id;
    const RegistrationRecord& r = *by_user[u.id];
    EXPECT_TRUE(r.mfa_registered);
    EXPECT_TRUE(
        std::binary_search(r.methods.begin(), r.methods.end(), "microsoftAuthenticatorPush"));
    EXPECT_TRUE(std::is_sorted(r.methods.begin(), r.methods.end()));
  }
  EXPECT_EQ(by_user[dropped]->upn, s.users.back().upn);
  const Facts f(s, kSyntheticDefaultNow);
  EXPECT_EQ(f.user_not_registered, 0);
  EXPECT_EQ(f.admin_not_registered, 0);
}

TEST(RemediationTest, RemoveLicensesFromDisabledUsersLowersConsumedUnits) {
  Snapshot s = GenerateTenant(SyntheticOptions());
  std::map<std::string, int64_t> expected;
  for (const SkuRecord& sku : s.skus) expected[sku.id] = sku.consumed_units;
  int removed = 0;
  for (const UserRecord& u : s.users) {
    if (u.enabled) continue;
    for (const std::string& id : u.sku_ids) --expected[id], ++removed;
  }
  ASSERT_GT(removed, 0);
  const std::vector<UserRecord> enabled_before = [&] {
    std::vector<UserRecord> v;
    for (const UserRecord& u : s.users) {
      if (u.enabled) v.push_back(u);
    }
    return v;
  }();

  RemoveLicensesFromDisabledUsers(&s);
  for (const SkuRecord& sku : s.skus) EXPECT_EQ(sku.consumed_units, expected[sku.id]) << sku.id;
  size_t k = 0;
  for (const UserRecord& u : s.users) {
    if (!u.enabled) {
      EXPECT_TRUE(u.sku_ids.empty());
    } else {
      EXPECT_EQ(u.sku_ids, enabled_before[k++].sku_ids);
    }
  }
  EXPECT_EQ(Facts(s, kSyntheticDefaultNow).disabled_licensed, 0);
}

}  // namespace
}  // namespace vigil
