#include "providers/google_writer.h"

#include <filesystem>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "common/json_text.h"
#include "common/time.h"
#include "providers/google_dir_provider.h"
#include "providers/json_dir.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kNever = "1970-01-01T00:00:00.000Z";

// Google's timestamps always carry milliseconds: "2021-03-04T05:06:07.000Z".
void AppendGoogleTime(std::string* out, TimeMs t) {
  std::string text = FormatIso8601(t);
  if (text.find('.') == std::string::npos && !text.empty()) text.insert(text.size() - 1, ".000");
  AppendJsonString(out, text);
}

void AppendBool(std::string* out, std::string_view key, bool b) {
  out->append(",\"").append(key).append(b ? "\":true" : "\":false");
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  out->append(",\"").append(key).append("\":");
  AppendJsonString(out, value);
}

// `{"kind":"<kind>","<list>":[` + elements + `]}`.
class PageWriter {
 public:
  PageWriter(std::string_view kind, std::string_view list) {
    out_.append("{\"kind\":");
    AppendJsonString(&out_, kind);
    out_.append(",\"").append(list).append("\":[");
  }
  std::string* Next() {
    if (count_++ > 0) out_.push_back(',');
    out_.push_back('\n');
    return &out_;
  }
  std::string Finish() && {
    out_.append("\n]}\n");
    return std::move(out_);
  }

 private:
  std::string out_;
  size_t count_ = 0;
};

void AppendName(std::string* out, const UserRecord& u) {
  const size_t space = u.display_name.find(' ');
  out->append(",\"name\":{\"givenName\":");
  AppendJsonString(out, std::string_view(u.display_name).substr(0, space));
  out->append(",\"familyName\":");
  AppendJsonString(out, space == std::string::npos
                            ? std::string_view()
                            : std::string_view(u.display_name).substr(space + 1));
  out->append(",\"fullName\":");
  AppendJsonString(out, u.display_name);
  out->push_back('}');
}

std::string UsersJson(const GoogleTenant& t) {
  std::unordered_map<std::string_view, const RegistrationRecord*> reg_of;
  reg_of.reserve(t.registrations.size());
  for (const RegistrationRecord& r : t.registrations) reg_of.emplace(r.user_id, &r);
  std::unordered_map<std::string_view, bool> super_role;
  for (const RoleRecord& r : t.roles) super_role.emplace(r.id, r.global_admin);
  std::unordered_map<std::string_view, bool> is_admin;
  for (const RoleAssignmentRecord& a : t.role_assignments) {
    auto it = super_role.find(a.role_id);
    if (a.principal_is_user && it != super_role.end() && it->second)
      is_admin[a.principal_id] = true;
  }
  PageWriter page("admin#directory#users", "users");
  for (const UserRecord& u : t.users) {
    std::string* out = page.Next();
    out->append("{\"kind\":\"admin#directory#user\"");
    AppendField(out, "id", u.id);
    AppendField(out, "primaryEmail", u.upn);
    AppendName(out, u);
    AppendBool(out, "isAdmin", is_admin.count(u.id) > 0);
    AppendBool(out, "isDelegatedAdmin", false);
    auto reg = reg_of.find(u.id);
    const RegistrationRecord* r = reg == reg_of.end() ? nullptr : reg->second;
    AppendBool(out, "isEnrolledIn2Sv", r != nullptr && r->mfa_registered);
    AppendBool(out, "isEnforcedIn2Sv", r != nullptr && r->mfa_enforced.value_or(false));
    AppendBool(out, "suspended", !u.enabled);
    AppendBool(out, "archived", false);
    if (u.created) {
      out->append(",\"creationTime\":");
      AppendGoogleTime(out, *u.created);
    }
    out->append(",\"lastLoginTime\":");
    if (u.last_sign_in) {
      AppendGoogleTime(out, *u.last_sign_in);
    } else {
      AppendJsonString(out, kNever);
    }
    out->append(",\"orgUnitPath\":\"/\"}");
  }
  return std::move(page).Finish();
}

std::string RolesJson(const GoogleTenant& t) {
  PageWriter page("admin#directory#roles", "items");
  for (const RoleRecord& r : t.roles) {
    std::string* out = page.Next();
    out->append("{\"kind\":\"admin#directory#role\"");
    AppendField(out, "roleId", r.id);
    AppendField(out, "roleName",
                r.global_admin && r.name == "Super Admin" ? kGoogleSuperAdminRoleName : r.name);
    AppendBool(out, "isSystemRole", true);
    AppendBool(out, "isSuperAdminRole", r.global_admin);
    out->push_back('}');
  }
  return std::move(page).Finish();
}

std::string AssignmentsJson(const GoogleTenant& t) {
  PageWriter page("admin#directory#roleAssignments", "items");
  for (const RoleAssignmentRecord& a : t.role_assignments) {
    std::string* out = page.Next();
    out->append("{\"kind\":\"admin#directory#roleAssignment\"");
    AppendField(out, "roleAssignmentId", a.id);
    AppendField(out, "roleId", a.role_id);
    AppendField(out, "assignedTo", a.principal_id);
    AppendField(out, "assigneeType", a.principal_is_user ? "user" : "group");
    out->append(",\"scopeType\":\"CUSTOMER\"}");
  }
  return std::move(page).Finish();
}

std::string LicensesJson(const GoogleTenant& t) {
  PageWriter page("licensing#licenseAssignmentList", "items");
  for (const GoogleLicenseAssignment& l : t.licenses) {
    std::string* out = page.Next();
    out->append("{\"kind\":\"licensing#licenseAssignment\"");
    AppendField(out, "productId", l.product_id);
    AppendField(out, "skuId", l.sku_id);
    AppendField(out, "skuName", l.sku_name);
    AppendField(out, "userId", l.user_email);
    out->push_back('}');
  }
  return std::move(page).Finish();
}

}  // namespace

Status WriteGoogleDirectory(const GoogleTenant& tenant, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": cannot create directory: " + ec.message());
  if (!fs::is_directory(dir, ec)) return Status::IoError(dir + ": not a directory");
  auto path = [&](const char* file) { return (fs::path(dir) / file).string(); };
  VIGIL_RETURN_IF_ERROR(WriteFileAtomically(path(kGoogleUsersFile), UsersJson(tenant)));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomically(path(kGoogleRolesFile), RolesJson(tenant)));
  VIGIL_RETURN_IF_ERROR(
      WriteFileAtomically(path(kGoogleRoleAssignmentsFile), AssignmentsJson(tenant)));
  return WriteFileAtomically(path(kGoogleLicenseAssignmentsFile), LicensesJson(tenant));
}

}  // namespace vigil
