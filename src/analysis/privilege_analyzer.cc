// The "privilege" analysis type:
//   privilege.global_admin_count  enabled Global Administrators (Workspace: super
//                                 admins; each person once) outside
//                                 [min_global_admins, max_global_admins]
//   privilege.guest_admin         a guest holds a directory role
//   privilege.stale_admin         a disabled or stale user holds a directory role
#include <set>
#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

class PrivilegeAnalyzer final : public Analyzer {
 public:
  std::string_view type() const override { return kAnalysisPrivilege; }

  // stale_admin needs sign-ins; the type is one batch, so all of it does.
  std::vector<EntityKind> needs() const override {
    return {EntityKind::kUser, EntityKind::kRole, EntityKind::kSignIn};
  }

  Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const override {
    VIGIL_RETURN_IF_ERROR(CheckIndexes(ctx));
    const size_t first = out->size();
    if (AlertTypeEnabled(ctx, kPrivilegeGlobalAdminCount)) AnalyzeGlobalAdmins(ctx, out);
    AnalyzeRoleHolders(ctx, out);
    SortFindings(out, first);
    return Status::Ok();
  }

 private:
  static void AnalyzeGlobalAdmins(const DataContext& ctx, std::vector<Finding>* out) {
    // Persons, not accounts: a super admin of Google Workspace who is also a
    // Global Administrator of Microsoft 365 counts once.
    std::vector<std::string> admins;
    std::set<uint32_t> persons;
    for (uint32_t u = 0; u < ctx.users.size(); ++u) {
      if (ctx.user_roles[u].empty() || !ctx.users[u].enabled) continue;
      for (uint32_t r : ctx.user_roles[u]) {
        if (!ctx.roles[r].global_admin) continue;
        const uint32_t person = ctx.PersonOf(u);
        if (persons.insert(person).second) admins.push_back(ctx.users[person].upn);
        break;
      }
    }
    const int64_t count = static_cast<int64_t>(admins.size());
    const int min = ctx.preferences.min_global_admins;
    const int max = ctx.preferences.max_global_admins;
    if (count >= min && count <= max) return;
    SortAndCap(&admins);
    out->push_back(MakeFinding(kPrivilegeGlobalAdminCount, ctx.tenant_name, ctx.tenant_name,
                               JsonObjectWriter()
                                   .Int("global_admins", count)
                                   .Int("min", min)
                                   .Int("max", max)
                                   .Strings("admins", admins)
                                   .Finish()));
  }

  static void AnalyzeRoleHolders(const DataContext& ctx, std::vector<Finding>* out) {
    const bool want_guest = AlertTypeEnabled(ctx, kPrivilegeGuestAdmin);
    const bool want_stale = AlertTypeEnabled(ctx, kPrivilegeStaleAdmin);
    if (!want_guest && !want_stale) return;
    for (uint32_t u = 0; u < ctx.users.size(); ++u) {
      if (ctx.user_roles[u].empty()) continue;
      const UserRecord& user = ctx.users[u];
      if (user.guest && want_guest) {
        out->push_back(MakeFinding(kPrivilegeGuestAdmin, user.id, user.upn,
                                   JsonObjectWriter()
                                       .String("upn", user.upn)
                                       .String("display_name", user.display_name)
                                       .Bool("enabled", user.enabled)
                                       .Strings("roles", RoleNames(ctx, u))
                                       .Finish()));
      }
      if (!want_stale) continue;
      const bool disabled = !user.enabled;
      if (!disabled && !IsStale(user, ctx.now, ctx.preferences.stale_days)) continue;
      out->push_back(MakeFinding(kPrivilegeStaleAdmin, user.id, user.upn,
                                 JsonObjectWriter()
                                     .String("upn", user.upn)
                                     .String("display_name", user.display_name)
                                     .String("reason", disabled ? "disabled" : "inactive")
                                     .Time("last_sign_in", user.last_sign_in)
                                     .Time("created", user.created)
                                     .Strings("roles", RoleNames(ctx, u))
                                     .Finish()));
    }
  }
};

}  // namespace

std::unique_ptr<Analyzer> NewPrivilegeAnalyzer() { return std::make_unique<PrivilegeAnalyzer>(); }

}  // namespace vigil
