#include "providers/synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "providers/graph_parse.h"
#include "providers/group_members.h"
#include "providers/synthetic_common.h"

namespace vigil {
namespace {

using synthetic::CountOf;
using synthetic::kFirstNames;
using synthetic::kLastNames;
using synthetic::Lower;
using synthetic::Rng;
using synthetic::Shuffle;
using synthetic::DaysBefore;
using synthetic::kDaySeconds;
using synthetic::kSecondMs;
using synthetic::Life;
using synthetic::SetTimes;

constexpr std::array<std::string_view, 6> kPartnerDomains = {
    "fabrikam.com", "northwind.example", "adatum.net", "tailspin.io", "woodgrove.org", "gmail.com"};

constexpr std::array<std::string_view, 12> kGroupNames = {
    "All Staff",   "Finance", "Sales",      "Marketing",   "IT Admins", "Human Resources",
    "Engineering", "Support", "Executives", "Contractors", "Legal",     "Operations"};

// Built-in role template ids other than Global Administrator.
constexpr std::array<std::string_view, 9> kOtherRoleIds = {
    "e8611ab8-c189-46e8-94e1-60213ab1f814",  // Privileged Role Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d",  // Security Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",  // SharePoint Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de",  // Exchange Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1",  // User Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe",  // Billing Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",  // Helpdesk Administrator
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",  // Global Reader
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  // Application Administrator
};

struct SkuInfo {
  std::string_view id;
  std::string_view part_number;
  double share;  // chance that a licensed member holds it (the first: all)
};

constexpr std::array<SkuInfo, 14> kSkus = {{
    {"05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", 1.0},
    {"efccb6f7-5641-4e0e-bd10-b4976e1bf68e", "EMS", 0.40},
    {"f8a1db68-be16-40ed-86d5-cb42ce701560", "POWER_BI_PRO", 0.15},
    {"f245ecc8-75af-4f8e-b61f-27d8114de5f3", "O365_BUSINESS_PREMIUM", 0.10},
    {"06ebc4ee-1bb5-47dd-8120-11324bc54e06", "SPE_E5", 0.05},
    {"84a661c4-e949-4bd2-a560-ed7766fcaf2b", "AAD_PREMIUM_P2", 0.08},
    {"c5928f49-12ba-48f7-ada3-0d743a3601d5", "VISIOCLIENT", 0.04},
    {"53818b1b-4a27-454b-8896-0dba576410e6", "PROJECTPROFESSIONAL", 0.03},
    {"4ef96642-f096-40de-a3e9-d83fb2f90211", "ATP_ENTERPRISE", 0.20},
    {"6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK", 0.05},
    {"4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD", 0.05},
    {"3b555118-da6a-4418-894f-7df1e2096870", "O365_BUSINESS_ESSENTIALS", 0.05},
    {"cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB", 0.05},
    {"078d2b04-f1bd-4111-bbd4-b4b1b354cef4", "AAD_PREMIUM", 0.10},
}};

constexpr std::array<std::string_view, 5> kMfaMethods = {
    "fido2", "mobilePhone", "softwareOneTimePasscode", "windowsHelloForBusiness", "email"};

constexpr std::string_view kAuthenticatorPush = "microsoftAuthenticatorPush";
// A security group's members: about one user in kMemberOneIn, at most
// kMaxGroupMembers (large tenants get groups of a bounded size).
constexpr uint64_t kMemberOneIn = 8;
constexpr size_t kMaxGroupMembers = 200;

std::string DomainOf(std::string_view tenant_name) {
  std::string label;
  for (char c : Lower(tenant_name)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) label.push_back(c);
  }
  if (label.empty()) label = "tenant";
  return label + ".onmicrosoft.com";
}

enum class Slot { kRegular, kGlobalAdmin, kOtherAdmin, kGuestAdmin, kStaleAdmin };

struct Plan {
  bool guest = false;
  Slot slot = Slot::kRegular;
  Life life = Life::kActive;
  bool mfa = true;
  bool licensed = false;
};

// Decides who is who: the slots, lives and MFA of every user index.
std::vector<Plan> PlanUsers(const SyntheticOptions& o, size_t n, Rng* rng) {
  std::vector<Plan> plans(n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Shuffle(rng, &order);
  const size_t guest_count = CountOf(o.guest_rate, n);
  std::vector<size_t> guests(order.begin(), order.begin() + guest_count);
  std::vector<size_t> members(order.begin() + guest_count, order.end());
  for (size_t i : guests) plans[i].guest = true;

  // Admin slots, taken from the front of the (random) member and guest lists.
  size_t next = 0;
  auto take = [&](const std::vector<size_t>& from, int count, Slot slot, size_t* cursor) {
    std::vector<size_t> taken;
    for (int k = 0; k < count && *cursor < from.size(); ++k) {
      plans[from[*cursor]].slot = slot;
      taken.push_back(from[(*cursor)++]);
    }
    return taken;
  };
  std::vector<size_t> admins = take(members, o.global_admins, Slot::kGlobalAdmin, &next);
  std::vector<size_t> others = take(members, o.other_admins, Slot::kOtherAdmin, &next);
  admins.insert(admins.end(), others.begin(), others.end());
  std::vector<size_t> stale_admins = take(members, o.stale_admins, Slot::kStaleAdmin, &next);
  for (size_t k = 0; k < stale_admins.size(); ++k) {
    plans[stale_admins[k]].life = k % 2 == 0 ? Life::kStale : Life::kDisabled;
  }
  size_t next_guest = 0;
  take(guests, o.guest_admins, Slot::kGuestAdmin, &next_guest);
  for (size_t i : members) plans[i].licensed = true;

  // Regular members: consecutive runs of a random order are random subsets.
  std::vector<size_t> regular(members.begin() + next, members.end());
  size_t cursor = 0;
  auto assign = [&](const std::vector<size_t>& from, size_t count, Life life) {
    for (size_t k = 0; k < count && cursor < from.size(); ++k) plans[from[cursor++]].life = life;
  };
  const size_t disabled = CountOf(o.disabled_licensed_rate, regular.size());
  assign(regular, disabled, Life::kDisabled);
  const size_t unlicensed = static_cast<size_t>(std::llround(0.02 * regular.size()));
  for (size_t k = 0; k < unlicensed && cursor < regular.size(); ++k) {
    plans[regular[cursor]].licensed = false;
    plans[regular[cursor++]].life = Life::kDisabled;
  }
  const size_t enabled = regular.size() - cursor;
  assign(regular, CountOf(o.stale_rate, enabled), Life::kStale);
  assign(regular, CountOf(o.never_signed_in_rate, enabled), Life::kNeverSignedIn);
  assign(regular, static_cast<size_t>(std::llround(0.02 * enabled)), Life::kNewHire);

  std::vector<size_t> regular_guests(guests.begin() + next_guest, guests.end());
  cursor = 0;
  assign(regular_guests, CountOf(o.stale_rate, regular_guests.size()), Life::kStale);
  assign(regular_guests, CountOf(o.never_signed_in_rate, regular_guests.size()),
         Life::kNeverSignedIn);
  for (size_t i : regular_guests) plans[i].mfa = false;

  // MFA, independently of the lives.
  Shuffle(rng, &regular);
  for (size_t k = 0; k < CountOf(o.no_mfa_rate, regular.size()); ++k) {
    plans[regular[k]].mfa = false;
  }
  Shuffle(rng, &admins);
  for (size_t k = 0; k < CountOf(o.admin_no_mfa_rate, admins.size()); ++k) {
    plans[admins[k]].mfa = false;
  }
  return plans;
}

RegistrationRecord RegistrationFor(const UserRecord& u, bool mfa, Rng* rng) {
  RegistrationRecord r;
  r.user_id = u.id;
  r.upn = u.upn;
  r.mfa_registered = mfa;
  if (mfa) {
    r.methods.emplace_back(rng->Chance(0.85) ? kAuthenticatorPush : kMfaMethods[rng->Below(4)]);
    const uint64_t extra = rng->Below(3);
    for (uint64_t k = 0; k < extra; ++k) r.methods.emplace_back(kMfaMethods[rng->Below(5)]);
  } else if (rng->Chance(0.5)) {
    r.methods.emplace_back("email");
  }
  std::sort(r.methods.begin(), r.methods.end());
  r.methods.erase(std::unique(r.methods.begin(), r.methods.end()), r.methods.end());
  return r;
}

PolicyRecord Policy(Rng* rng, std::string name, std::string state, bool all_users,
                    std::vector<std::string> client_app_types,
                    std::vector<std::string> built_in_controls) {
  PolicyRecord p;
  p.id = rng->Guid();
  p.name = std::move(name);
  p.state = std::move(state);
  p.all_users = all_users;
  p.client_app_types = std::move(client_app_types);
  p.built_in_controls = std::move(built_in_controls);
  return p;
}

void AddSkus(const SyntheticOptions& o, Rng* rng, Snapshot* s) {
  const size_t count = static_cast<size_t>(std::clamp<int>(o.skus, 0, kSkus.size()));
  std::unordered_map<std::string, int64_t> holders;
  for (const UserRecord& u : s->users) {
    for (const std::string& id : u.sku_ids) ++holders[id];
  }
  const size_t over = o.overassigned_sku && count > 0 ? count - 1 : count;
  if (over < count && holders[std::string(kSkus[over].id)] == 0) {
    // The overassigned SKU needs a holder: give it to the first licensed member.
    for (UserRecord& u : s->users) {
      if (u.guest || u.sku_ids.empty()) continue;
      u.sku_ids.emplace_back(kSkus[over].id);
      std::sort(u.sku_ids.begin(), u.sku_ids.end());
      holders[std::string(kSkus[over].id)] = 1;
      break;
    }
  }
  for (size_t k = 0; k < count; ++k) {
    SkuRecord sku;
    sku.id = std::string(kSkus[k].id);
    sku.part_number = std::string(kSkus[k].part_number);
    sku.consumed_units = holders[sku.id];
    sku.enabled_units = sku.consumed_units;
    if (k == over) {
      sku.enabled_units -= std::max<int64_t>(1, sku.consumed_units / 10);
      sku.enabled_units = std::max<int64_t>(0, sku.enabled_units);
    } else if (o.unused_skus && k % 2 == 0) {
      sku.enabled_units +=
          1 + static_cast<int64_t>(rng->Below(std::max<int64_t>(1, sku.consumed_units / 10)));
    }
    s->skus.push_back(std::move(sku));
  }
}

void AddPolicies(const SyntheticOptions& o, Rng* rng, Snapshot* s) {
  using Strings = std::vector<std::string>;
  if (o.ca_mode != SyntheticOptions::kNone) {
    s->policies.push_back(Policy(
        rng, "Require MFA for all users",
        o.ca_mode == SyntheticOptions::kEnabled ? "enabled" : "enabledForReportingButNotEnforced",
        true, Strings{"all"}, Strings{"mfa"}));
    s->policies.push_back(Policy(rng, "Require MFA for administrators", "enabled", false,
                                 Strings{"all"}, Strings{"mfa"}));
  }
  if (o.legacy_auth_blocked || o.ca_mode != SyntheticOptions::kNone) {
    // When not blocked, the policy exists but is switched off: a common trap.
    s->policies.push_back(Policy(rng, "Block legacy authentication",
                                 o.legacy_auth_blocked ? "enabled" : "disabled", true,
                                 Strings{"exchangeActiveSync", "other"}, Strings{"block"}));
  }
}

// The members of a security group, chosen by a hash of the group's and the
// user's ids (not the generator's random stream, which would change every
// tenant generated before groups had members): sorted, unique.
void AddMembers(const std::vector<UserRecord>& users, GroupRecord* group) {
  for (const UserRecord& u : users) {
    if (group->member_ids.size() >= kMaxGroupMembers) break;
    if (Hash64(group->id + "/" + u.id) % kMemberOneIn == 0) group->member_ids.push_back(u.id);
  }
  std::sort(group->member_ids.begin(), group->member_ids.end());
}

}  // namespace

SyntheticOptions OnboardingTenantOptions(int users) {
  SyntheticOptions o;
  o.users = users;
  o.guest_rate = 0.10;
  o.stale_rate = 0.50;
  o.never_signed_in_rate = 0.10;
  o.no_mfa_rate = 0.29;
  return o;
}

Snapshot GenerateTenant(const SyntheticOptions& o) {
  Rng rng(o.seed ^ (Hash64(o.tenant_name) * 0x9e3779b97f4a7c15ULL));
  const std::string domain = DomainOf(o.tenant_name);
  const TimeMs now = o.now - ((o.now % kSecondMs) + kSecondMs) % kSecondMs;
  const size_t n = static_cast<size_t>(std::max(0, o.users));
  const size_t sku_count = static_cast<size_t>(std::clamp<int>(o.skus, 0, kSkus.size()));

  Snapshot s;
  for (EntityKind kind : kAllKinds) s.availability[kind] = Availability{true, ""};

  const std::vector<Plan> plans = PlanUsers(o, n, &rng);
  Rng background(o.seed ^ (Hash64(o.tenant_name) * 0xbf58476d1ce4e5b9ULL));
  std::unordered_map<std::string, int> local_parts;
  local_parts.reserve(n);
  s.users.reserve(n);
  s.registrations.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Plan& plan = plans[i];
    UserRecord u;
    u.id = rng.Guid();
    const std::string_view first = kFirstNames[rng.Below(kFirstNames.size())];
    const std::string_view last = kLastNames[rng.Below(kLastNames.size())];
    u.display_name.append(first).append(" ").append(last);
    std::string local = Lower(first) + "." + Lower(last);
    if (plan.guest) local += "_" + std::string(kPartnerDomains[rng.Below(kPartnerDomains.size())]);
    const int seen = local_parts[local]++;
    if (seen > 0) {
      const size_t at = plan.guest ? local.find('_') : local.size();
      local.insert(at, std::to_string(seen + 1));
    }
    u.upn = local + (plan.guest ? "#EXT#@" : "@") + domain;
    u.guest = plan.guest;
    SetTimes(
        plan.slot == Slot::kRegular || plan.slot == Slot::kStaleAdmin ? plan.life : Life::kActive,
        now, &rng, &u);
    const bool stale = plan.life == Life::kStale &&
                       (plan.slot == Slot::kRegular || plan.slot == Slot::kStaleAdmin);
    if (stale && background.Chance(o.background_sign_in_rate)) {
      u.last_successful_sign_in =
          now - static_cast<int64_t>(background.Below(30 * kDaySeconds)) * kSecondMs;
    }
    if (plan.licensed && sku_count > 0) {
      u.sku_ids.emplace_back(kSkus[0].id);
      for (size_t k = 1; k < sku_count; ++k) {
        if (rng.Chance(kSkus[k].share)) u.sku_ids.emplace_back(kSkus[k].id);
      }
      std::sort(u.sku_ids.begin(), u.sku_ids.end());
    }
    s.registrations.push_back(RegistrationFor(u, plan.mfa, &rng));
    s.users.push_back(std::move(u));
  }

  // Role assignments: admins in slot order, then one service principal.
  for (Slot slot : {Slot::kGlobalAdmin, Slot::kOtherAdmin, Slot::kGuestAdmin, Slot::kStaleAdmin}) {
    for (size_t i = 0; i < n; ++i) {
      if (plans[i].slot != slot) continue;
      RoleAssignmentRecord a;
      a.id = rng.AssignmentId();
      a.role_id = slot == Slot::kGlobalAdmin
                      ? std::string(kGlobalAdminRoleId)
                      : std::string(kOtherRoleIds[rng.Below(kOtherRoleIds.size())]);
      a.principal_id = s.users[i].id;
      s.role_assignments.push_back(std::move(a));
    }
  }
  if (n > 0) {
    RoleAssignmentRecord sp;
    sp.id = rng.AssignmentId();
    sp.role_id = std::string(kOtherRoleIds[8]);  // Application Administrator
    sp.principal_id = rng.Guid();
    sp.principal_is_user = false;
    s.role_assignments.push_back(std::move(sp));
  }
  s.roles = DeriveRoles(s.role_assignments);

  AddSkus(o, &rng, &s);
  AddPolicies(o, &rng, &s);
  s.security_defaults = SecurityDefaultsRecord{o.security_defaults};

  for (int g = 0; g < o.groups; ++g) {
    GroupRecord group;
    group.id = rng.Guid();
    group.display_name = std::string(kGroupNames[g % kGroupNames.size()]);
    if (g >= static_cast<int>(kGroupNames.size())) {
      group.display_name += " " + std::to_string(g / kGroupNames.size() + 1);
    }
    group.security_enabled = rng.Chance(0.7);
    if (ReadsMembersOf(group)) AddMembers(s.users, &group);
    s.groups.push_back(std::move(group));
  }
  return s;
}

namespace {

class SyntheticProvider final : public Provider {
 public:
  explicit SyntheticProvider(SyntheticOptions options) : options_(std::move(options)) {}
  std::string name() const override { return "synthetic"; }
  Result<Snapshot> Fetch() override { return GenerateTenant(options_); }

 private:
  const SyntheticOptions options_;
};

}  // namespace

std::unique_ptr<Provider> NewSyntheticProvider(SyntheticOptions options) {
  return std::make_unique<SyntheticProvider>(std::move(options));
}

void EnableMfaForAll(Snapshot* snapshot) {
  std::unordered_map<std::string_view, size_t> row_of;
  row_of.reserve(snapshot->registrations.size());
  for (size_t i = 0; i < snapshot->registrations.size(); ++i) {
    row_of.emplace(snapshot->registrations[i].user_id, i);
  }
  std::vector<RegistrationRecord> added;
  for (const UserRecord& u : snapshot->users) {
    if (row_of.count(u.id) == 0) {
      RegistrationRecord r;
      r.user_id = u.id;
      r.upn = u.upn;
      added.push_back(std::move(r));
    }
  }
  for (RegistrationRecord& r : added) snapshot->registrations.push_back(std::move(r));
  for (RegistrationRecord& r : snapshot->registrations) {
    r.mfa_registered = true;
    auto it = std::lower_bound(r.methods.begin(), r.methods.end(), kAuthenticatorPush);
    if (it == r.methods.end() || *it != kAuthenticatorPush) {
      r.methods.insert(it, std::string(kAuthenticatorPush));
    }
  }
  snapshot->availability[EntityKind::kRegistration] = Availability{true, ""};
}

void RemoveLicensesFromDisabledUsers(Snapshot* snapshot) {
  std::unordered_map<std::string_view, SkuRecord*> sku_of;
  for (SkuRecord& sku : snapshot->skus) sku_of.emplace(sku.id, &sku);
  for (UserRecord& u : snapshot->users) {
    if (u.enabled) continue;
    for (const std::string& id : u.sku_ids) {
      auto it = sku_of.find(id);
      if (it != sku_of.end() && it->second->consumed_units > 0) --it->second->consumed_units;
    }
    u.sku_ids.clear();
  }
}

}  // namespace vigil
