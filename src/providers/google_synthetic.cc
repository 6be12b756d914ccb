#include "providers/google_synthetic.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "providers/google_kinds.h"
#include "providers/google_parse.h"
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

constexpr std::string_view kProduct = "Google-Apps";

struct SkuInfo {
  std::string_view id;
  std::string_view name;
  double share;  // chance that a licensed user holds it (the first: all)
};

constexpr std::array<SkuInfo, 6> kSkus = {{
    {"1010020020", "Google Workspace Enterprise Plus", 1.0},
    {"1010020028", "Google Workspace Business Standard", 0.15},
    {"1010020025", "Google Workspace Business Plus", 0.10},
    {"1010020026", "Google Workspace Enterprise Standard", 0.08},
    {"1010020027", "Google Workspace Business Starter", 0.05},
    {"1010060003", "Google Workspace Enterprise Essentials", 0.05},
}};

// Built-in roles other than the super admins'.
constexpr std::array<std::string_view, 4> kOtherRoles = {
    "_GROUPS_ADMIN_ROLE", "_USER_MANAGEMENT_ADMIN_ROLE", "_HELP_DESK_ADMIN_ROLE",
    "_SERVICES_ADMIN_ROLE"};

enum class Slot { kRegular, kSuperAdmin, kOtherAdmin, kStaleAdmin };

struct Plan {
  Slot slot = Slot::kRegular;
  Life life = Life::kActive;
  bool enrolled = true;
  bool enforced = true;
  bool licensed = true;
};

// `digits` decimal digits, the first not 0 (Google's numeric ids).
std::string DigitsId(Rng* rng, int digits) {
  std::string out;
  out.push_back(static_cast<char>('1' + rng->Below(9)));
  for (int i = 1; i < digits; ++i) out.push_back(static_cast<char>('0' + rng->Below(10)));
  return out;
}

std::vector<Plan> PlanUsers(const GoogleSyntheticOptions& o, size_t n, Rng* rng) {
  std::vector<Plan> plans(n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Shuffle(rng, &order);
  size_t next = 0;
  auto take = [&](int count, Slot slot) {
    std::vector<size_t> taken;
    for (int k = 0; k < count && next < n; ++k) {
      plans[order[next]].slot = slot;
      taken.push_back(order[next++]);
    }
    return taken;
  };
  std::vector<size_t> admins = take(o.super_admins, Slot::kSuperAdmin);
  std::vector<size_t> others = take(o.other_admins, Slot::kOtherAdmin);
  admins.insert(admins.end(), others.begin(), others.end());
  std::vector<size_t> stale_admins = take(o.stale_admins, Slot::kStaleAdmin);
  for (size_t k = 0; k < stale_admins.size(); ++k) {
    plans[stale_admins[k]].life = k % 2 == 0 ? Life::kStale : Life::kDisabled;
  }

  // Regular users: consecutive runs of a random order are random subsets.
  std::vector<size_t> regular(order.begin() + next, order.end());
  size_t cursor = 0;
  auto assign = [&](size_t count, Life life) {
    for (size_t k = 0; k < count && cursor < regular.size(); ++k)
      plans[regular[cursor++]].life = life;
  };
  assign(CountOf(o.suspended_rate, regular.size()), Life::kDisabled);
  const size_t enabled = regular.size() - cursor;
  assign(CountOf(o.stale_rate, enabled), Life::kStale);
  assign(CountOf(o.never_signed_in_rate, enabled), Life::kNeverSignedIn);
  assign(static_cast<size_t>(std::llround(0.02 * static_cast<double>(enabled))), Life::kNewHire);

  // 2SV and licenses, independently of the lives.
  Shuffle(rng, &regular);
  for (size_t k = 0; k < CountOf(o.no_2sv_rate, regular.size()); ++k) {
    plans[regular[k]].enrolled = false;
  }
  Shuffle(rng, &admins);
  for (size_t k = 0; k < CountOf(o.admin_no_2sv_rate, admins.size()); ++k) {
    plans[admins[k]].enrolled = false;
  }
  Shuffle(rng, &order);
  for (size_t k = 0; k < CountOf(o.not_enforced_rate, n); ++k) plans[order[k]].enforced = false;
  Shuffle(rng, &regular);
  const size_t unlicensed =
      regular.size() - std::min(regular.size(), CountOf(o.licensed_rate, regular.size()));
  for (size_t k = 0; k < unlicensed; ++k) plans[regular[k]].licensed = false;
  return plans;
}

// The people of the Microsoft 365 tenant this one shares (its enabled
// member users, at most `count`), and all its UPNs (lower-cased).
struct SharedPeople {
  std::vector<const UserRecord*> people;
  std::unordered_set<std::string> upns;
  Snapshot tenant;
};

void FindSharedPeople(const GoogleSyntheticOptions& o, SharedPeople* shared) {
  if (!o.same_people_as) return;
  shared->tenant = GenerateTenant(*o.same_people_as);
  const size_t count = static_cast<size_t>(std::max(0, o.shared_people));
  for (const UserRecord& u : shared->tenant.users) {
    shared->upns.insert(Lower(u.upn));
    if (u.enabled && !u.guest && shared->people.size() < count) shared->people.push_back(&u);
  }
}

std::string Label(std::string_view name) {
  std::string label;
  for (char c : Lower(name)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) label.push_back(c);
  }
  return label.empty() ? "tenant" : label;
}

// The Microsoft 365 tenant's domain when sharing its people (that of its
// UPNs, synthetic.h), else "<tenant>.example".
std::string DomainOf(const GoogleSyntheticOptions& o, const SharedPeople& shared) {
  if (!o.same_people_as) return Label(o.tenant_name) + ".example";
  for (const UserRecord& u : shared.tenant.users) {
    if (!u.guest) return u.upn.substr(u.upn.rfind('@') + 1);
  }
  return Label(o.same_people_as->tenant_name) + ".onmicrosoft.com";
}

// A unique "first.last[N]@domain" that is none of the shared tenant's UPNs.
std::string UniqueEmail(std::string_view first, std::string_view last, const std::string& domain,
                        const SharedPeople& shared,
                        std::unordered_map<std::string, int>* local_parts) {
  const std::string local = Lower(first) + "." + Lower(last);
  for (;;) {
    const int seen = (*local_parts)[local]++;
    std::string email = seen > 0 ? local + std::to_string(seen + 1) : local;
    email += "@" + domain;
    if (shared.upns.count(email) == 0) return email;
  }
}

void AddRoles(const std::vector<Plan>& plans, Rng* rng, GoogleTenant* t) {
  RoleRecord super;
  super.id = DigitsId(rng, 17);
  super.name = "Super Admin";
  super.global_admin = true;
  t->roles.push_back(super);
  for (std::string_view name : kOtherRoles) {
    t->roles.push_back(RoleRecord{DigitsId(rng, 17), std::string(name), false});
  }
  for (Slot slot : {Slot::kSuperAdmin, Slot::kOtherAdmin, Slot::kStaleAdmin}) {
    for (size_t i = 0; i < plans.size(); ++i) {
      if (plans[i].slot != slot) continue;
      RoleAssignmentRecord a;
      a.id = DigitsId(rng, 17);
      a.role_id = slot == Slot::kSuperAdmin ? super.id : t->roles[1 + rng->Below(4)].id;
      a.principal_id = t->users[i].id;
      t->role_assignments.push_back(std::move(a));
    }
  }
  if (!plans.empty()) {
    // A group holding the help desk role: counted, not linked.
    RoleAssignmentRecord group;
    group.id = DigitsId(rng, 17);
    group.role_id = t->roles[3].id;
    group.principal_id = "0" + DigitsId(rng, 16);
    group.principal_is_user = false;
    t->role_assignments.push_back(std::move(group));
  }
}

void AddLicenses(const GoogleSyntheticOptions& o, const std::vector<Plan>& plans, Rng* rng,
                 GoogleTenant* t) {
  const size_t sku_count = static_cast<size_t>(std::clamp<int>(o.skus, 0, kSkus.size()));
  for (size_t k = 0; k < sku_count; ++k) {
    for (size_t i = 0; i < plans.size(); ++i) {
      if (!plans[i].licensed) continue;
      if (k > 0 && !rng->Chance(kSkus[k].share)) continue;
      t->licenses.push_back(GoogleLicenseAssignment{std::string(kProduct), std::string(kSkus[k].id),
                                                    std::string(kSkus[k].name), t->users[i].upn});
    }
  }
}

}  // namespace

GoogleTenant GenerateGoogleTenant(const GoogleSyntheticOptions& o) {
  Rng rng(o.seed ^ (Hash64("google/" + o.tenant_name) * 0x9e3779b97f4a7c15ULL));
  const TimeMs now = o.now - ((o.now % kSecondMs) + kSecondMs) % kSecondMs;
  const size_t n = static_cast<size_t>(std::max(0, o.users));
  SharedPeople shared;
  FindSharedPeople(o, &shared);
  const std::string domain = DomainOf(o, shared);

  GoogleTenant t;
  t.shared_people = std::min(n, shared.people.size());
  const std::vector<Plan> plans = PlanUsers(o, n, &rng);
  std::unordered_map<std::string, int> local_parts;
  local_parts.reserve(n);
  t.users.reserve(n);
  t.registrations.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Plan& plan = plans[i];
    UserRecord u;
    u.id = DigitsId(&rng, 21);
    const std::string_view first = kFirstNames[rng.Below(kFirstNames.size())];
    const std::string_view last = kLastNames[rng.Below(kLastNames.size())];
    if (i < shared.people.size()) {
      u.upn = shared.people[i]->upn;
      u.display_name = shared.people[i]->display_name;
    } else {
      u.upn = UniqueEmail(first, last, domain, shared, &local_parts);
      u.display_name.append(first).append(" ").append(last);
    }
    SetTimes(
        plan.slot == Slot::kRegular || plan.slot == Slot::kStaleAdmin ? plan.life : Life::kActive,
        now, &rng, &u);
    u.last_successful_sign_in = u.last_sign_in;  // Workspace's lastLoginTime is both
    RegistrationRecord r;
    r.user_id = u.id;
    r.upn = u.upn;
    r.mfa_registered = plan.enrolled;
    r.mfa_enforced = plan.enforced;
    t.registrations.push_back(std::move(r));
    t.users.push_back(std::move(u));
  }
  AddRoles(plans, &rng, &t);
  AddLicenses(o, plans, &rng, &t);
  return t;
}

Snapshot GoogleTenantSnapshot(const GoogleTenant& tenant) {
  Snapshot s;
  s.users = tenant.users;
  s.registrations = tenant.registrations;
  s.roles = tenant.roles;
  s.role_assignments = tenant.role_assignments;
  ApplyGoogleLicenses(tenant.licenses, &s.users, &s.skus);
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn,
                          EntityKind::kRole, EntityKind::kSku}) {
    s.availability[kind] = Availability{true, ""};
  }
  MarkGoogleAbsentKinds(&s);
  return s;
}

}  // namespace vigil
