#include "providers/snapshot_diff.h"

#include <optional>
#include <vector>

#include "common/json_text.h"
#include "common/time.h"

namespace vigil {
namespace {

std::string Show(const std::string& s) { return JsonQuote(s); }
std::string Show(bool b) { return b ? "true" : "false"; }
std::string Show(int64_t i) { return std::to_string(i); }
std::string Show(const std::optional<TimeMs>& t) { return t ? FormatIso8601(*t) : "never"; }
std::string Show(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ",";
    out += JsonQuote(v[i]);
  }
  return out + "]";
}

// Collects the first difference; later comparisons are no-ops.
class Differ {
 public:
  template <typename T>
  void Field(const std::string& path, const T& a, const T& b) {
    if (!diff_.empty() || a == b) return;
    diff_ = path + ": " + Show(a) + " != " + Show(b);
  }

  template <typename R, typename F>
  void List(const std::string& name, const std::vector<R>& a, const std::vector<R>& b, F compare) {
    if (!diff_.empty()) return;
    if (a.size() != b.size()) {
      diff_ = name + ": " + std::to_string(a.size()) + " records != " + std::to_string(b.size()) +
              " records";
      return;
    }
    for (size_t i = 0; i < a.size() && diff_.empty(); ++i) {
      compare(name + "[" + std::to_string(i) + "]", a[i], b[i]);
    }
  }

  void Set(std::string diff) {
    if (diff_.empty()) diff_ = std::move(diff);
  }
  const std::string& diff() const { return diff_; }

 private:
  std::string diff_;
};

std::string ShowAvailability(const Snapshot& s, EntityKind kind) {
  auto it = s.availability.find(kind);
  if (it == s.availability.end()) return "absent";
  if (it->second.available) return "available";
  return "not available (" + Show(it->second.reason) + ")";
}

}  // namespace

std::string SnapshotDiff(const Snapshot& a, const Snapshot& b) {
  Differ d;
  for (EntityKind kind : kAllKinds) {
    const std::string sa = ShowAvailability(a, kind), sb = ShowAvailability(b, kind);
    if (sa != sb) d.Set("availability[" + std::string(KindName(kind)) + "]: " + sa + " != " + sb);
  }
  d.List("users", a.users, b.users,
         [&](const std::string& p, const UserRecord& x, const UserRecord& y) {
           d.Field(p + ".id", x.id, y.id);
           d.Field(p + ".upn", x.upn, y.upn);
           d.Field(p + ".display_name", x.display_name, y.display_name);
           d.Field(p + ".enabled", x.enabled, y.enabled);
           d.Field(p + ".guest", x.guest, y.guest);
           d.Field(p + ".created", x.created, y.created);
           d.Field(p + ".last_sign_in", x.last_sign_in, y.last_sign_in);
           d.Field(p + ".last_successful_sign_in", x.last_successful_sign_in,
                   y.last_successful_sign_in);
           d.Field(p + ".sku_ids", x.sku_ids, y.sku_ids);
         });
  d.List("skus", a.skus, b.skus, [&](const std::string& p, const SkuRecord& x, const SkuRecord& y) {
    d.Field(p + ".id", x.id, y.id);
    d.Field(p + ".part_number", x.part_number, y.part_number);
    d.Field(p + ".enabled_units", x.enabled_units, y.enabled_units);
    d.Field(p + ".consumed_units", x.consumed_units, y.consumed_units);
  });
  d.List("registrations", a.registrations, b.registrations,
         [&](const std::string& p, const RegistrationRecord& x, const RegistrationRecord& y) {
           d.Field(p + ".user_id", x.user_id, y.user_id);
           d.Field(p + ".upn", x.upn, y.upn);
           d.Field(p + ".mfa_registered", x.mfa_registered, y.mfa_registered);
           d.Field(p + ".methods", x.methods, y.methods);
         });
  d.List("roles", a.roles, b.roles,
         [&](const std::string& p, const RoleRecord& x, const RoleRecord& y) {
           d.Field(p + ".id", x.id, y.id);
           d.Field(p + ".name", x.name, y.name);
           d.Field(p + ".global_admin", x.global_admin, y.global_admin);
         });
  d.List("role_assignments", a.role_assignments, b.role_assignments,
         [&](const std::string& p, const RoleAssignmentRecord& x, const RoleAssignmentRecord& y) {
           d.Field(p + ".id", x.id, y.id);
           d.Field(p + ".role_id", x.role_id, y.role_id);
           d.Field(p + ".principal_id", x.principal_id, y.principal_id);
           d.Field(p + ".principal_is_user", x.principal_is_user, y.principal_is_user);
         });
  d.List("policies", a.policies, b.policies,
         [&](const std::string& p, const PolicyRecord& x, const PolicyRecord& y) {
           d.Field(p + ".id", x.id, y.id);
           d.Field(p + ".name", x.name, y.name);
           d.Field(p + ".state", x.state, y.state);
           d.Field(p + ".all_users", x.all_users, y.all_users);
           d.Field(p + ".client_app_types", x.client_app_types, y.client_app_types);
           d.Field(p + ".built_in_controls", x.built_in_controls, y.built_in_controls);
         });
  if (a.security_defaults.has_value() != b.security_defaults.has_value()) {
    d.Set(std::string("security_defaults: ") + (a.security_defaults ? "present" : "absent") +
          " != " + (b.security_defaults ? "present" : "absent"));
  } else if (a.security_defaults) {
    d.Field("security_defaults.enabled", a.security_defaults->enabled,
            b.security_defaults->enabled);
  }
  d.List("groups", a.groups, b.groups,
         [&](const std::string& p, const GroupRecord& x, const GroupRecord& y) {
           d.Field(p + ".id", x.id, y.id);
           d.Field(p + ".display_name", x.display_name, y.display_name);
           d.Field(p + ".security_enabled", x.security_enabled, y.security_enabled);
           d.Field(p + ".member_ids", x.member_ids, y.member_ids);
         });
  return d.diff();
}

}  // namespace vigil
