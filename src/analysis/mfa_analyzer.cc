// The "mfa" analysis type:
//   mfa.user_not_registered  enabled member without a role and without MFA registered
//                            (version 2: without a strong method, StrongMfaMethod)
//   mfa.admin_not_registered enabled user (member or guest) holding a role without MFA
//   mfa.not_enforced         security defaults off and no enabled CA policy that
//                            requires "mfa" for all users (report-only does not count)
//   mfa.user_not_enforced    enabled user whose own account does not enforce MFA, where
//                            the provider enforces it per user (RegistrationRecord::mfa_enforced)
// A user whose data source does not say which methods were registered
// (Gap::kMfaMethods) counts as registered in version 2 when it is registered.
#include <algorithm>
#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

constexpr std::string_view kStateEnabled = "enabled";
constexpr std::string_view kStateReportOnly = "enabledForReportingButNotEnforced";

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string UserDetails(const DataContext& ctx, uint32_t u) {
  const UserRecord& user = ctx.users[u];
  return JsonObjectWriter()
      .String("upn", user.upn)
      .String("display_name", user.display_name)
      .String("user_type", UserTypeName(user))
      .Strings("roles", RoleNames(ctx, u))
      .Strings("methods_registered", RegisteredMethods(ctx, u))
      .Finish();
}

// Version 2's notion of registered: a method that is a factor of its own.
bool HasStrongMethod(const DataContext& ctx, uint32_t u) {
  for (const std::string& m : RegisteredMethods(ctx, u)) {
    if (StrongMfaMethod(m)) return true;
  }
  return false;
}

class MfaAnalyzer final : public Analyzer {
 public:
  explicit MfaAnalyzer(int version) : version_(version) {}

  std::string_view type() const override { return kAnalysisMfa; }
  int version() const override { return version_; }

  std::vector<EntityKind> needs() const override {
    return {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kRole, EntityKind::kPolicy,
            EntityKind::kSetting};
  }

  Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const override {
    VIGIL_RETURN_IF_ERROR(CheckIndexes(ctx));
    const size_t first = out->size();
    AnalyzeUsers(ctx, out);
    if (AlertTypeEnabled(ctx, kMfaUserNotEnforced)) AnalyzeUserEnforcement(ctx, out);
    if (AlertTypeEnabled(ctx, kMfaNotEnforced)) AnalyzeEnforcement(ctx, out);
    SortFindings(out, first);
    return Status::Ok();
  }

 private:
  static void AnalyzeUserEnforcement(const DataContext& ctx, std::vector<Finding>* out) {
    for (uint32_t u = 0; u < ctx.users.size(); ++u) {
      const UserRecord& user = ctx.users[u];
      const int32_t r = ctx.user_registration[u];
      if (!user.enabled || r < 0) continue;
      const std::optional<bool>& enforced = ctx.registrations[r].mfa_enforced;
      if (!enforced.has_value() || *enforced) continue;
      out->push_back(MakeFinding(kMfaUserNotEnforced, user.id, user.upn, UserDetails(ctx, u)));
    }
  }

  void AnalyzeUsers(const DataContext& ctx, std::vector<Finding>* out) const {
    const bool want_user = AlertTypeEnabled(ctx, kMfaUserNotRegistered);
    const bool want_admin = AlertTypeEnabled(ctx, kMfaAdminNotRegistered);
    if (!want_user && !want_admin) return;
    for (uint32_t u = 0; u < ctx.users.size(); ++u) {
      const UserRecord& user = ctx.users[u];
      if (!user.enabled) continue;
      const bool admin = !ctx.user_roles[u].empty();
      if (admin ? !want_admin : (!want_user || user.guest)) continue;
      const bool strong = version_ >= 2 && !ctx.UserLacks(u, Gap::kMfaMethods);
      if (strong ? HasStrongMethod(ctx, u) : HasMfaRegistered(ctx, u)) continue;
      out->push_back(MakeFinding(admin ? kMfaAdminNotRegistered : kMfaUserNotRegistered, user.id,
                                 user.upn, UserDetails(ctx, u)));
    }
  }

  static void AnalyzeEnforcement(const DataContext& ctx, std::vector<Finding>* out) {
    const bool defaults_on = ctx.security_defaults.has_value() && ctx.security_defaults->enabled;
    if (defaults_on) return;
    std::vector<std::string> report_only;
    for (const PolicyRecord& policy : ctx.policies) {
      if (!policy.all_users || !Contains(policy.built_in_controls, "mfa")) continue;
      if (policy.state == kStateEnabled) return;  // enforced
      if (policy.state == kStateReportOnly) report_only.push_back(policy.name);
    }
    std::sort(report_only.begin(), report_only.end());
    std::string details =
        JsonObjectWriter()
            .String("security_defaults", ctx.security_defaults.has_value() ? "disabled" : "unknown")
            .Strings("report_only_mfa_policies", report_only)
            .Finish();
    out->push_back(
        MakeFinding(kMfaNotEnforced, ctx.tenant_name, ctx.tenant_name, std::move(details)));
  }

  const int version_;
};

}  // namespace

std::unique_ptr<Analyzer> NewMfaAnalyzer() { return std::make_unique<MfaAnalyzer>(1); }
std::unique_ptr<Analyzer> NewMfaAnalyzerV2() { return std::make_unique<MfaAnalyzer>(2); }

}  // namespace vigil
