#include "providers/google_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "providers/google_licenses.h"
#include "providers/graph_reader.h"

namespace vigil {
namespace {

namespace od = simdjson::ondemand;
using graph_json::Reader;
using graph_json::Where;

// The display name of Google's super administrators' built-in role.
constexpr std::string_view kSuperAdminDisplayName = "Super Admin";

// A bool where null or missing is false.
Status FalseOr(const Reader& r, od::value& v, const Where& w, bool* out) {
  std::optional<bool> b;
  VIGIL_RETURN_IF_ERROR(r.Bool(v, w, &b));
  *out = b.value_or(false);
  return Status::Ok();
}

// An id Google gives as a string of digits or as a JSON integer; null -> "".
Status IdString(const Reader& r, od::value& v, const Where& w, std::string* out) {
  std::string_view s;
  if (auto e = v.get_string().get(s); !e) {
    out->assign(s.data(), s.size());
    return Status::Ok();
  } else if (e != simdjson::INCORRECT_TYPE) {
    return r.Malformed(e, &w);
  }
  od::json_type type;
  if (auto e = v.type().get(type); e) return r.Malformed(e, &w);
  if (type == od::json_type::number) {
    int64_t i = 0;
    if (!v.get_int64().get(i)) {
      *out = std::to_string(i);
      return Status::Ok();
    }
    uint64_t u = 0;
    if (!v.get_uint64().get(u)) {
      *out = std::to_string(u);
      return Status::Ok();
    }
  }
  out->clear();
  return r.NullOr(simdjson::INCORRECT_TYPE, v, w, "string or integer");
}

// "lastLoginTime": the epoch is Google's "never signed in".
Status LoginTime(const Reader& r, od::value& v, const Where& w, std::optional<TimeMs>* out) {
  VIGIL_RETURN_IF_ERROR(r.Time(v, w, out));
  if (*out && **out == 0) out->reset();
  return Status::Ok();
}

struct Name {
  std::string_view full, given, family;
};

Status ParseName(const Reader& r, od::value& v, const Where& w, Name* name) {
  return r.Members(v, w, [&](std::string_view k, od::value& nv, const Where& nw) {
    if (k == "fullName") return r.StringView(nv, nw, &name->full);
    if (k == "givenName") return r.StringView(nv, nw, &name->given);
    if (k == "familyName") return r.StringView(nv, nw, &name->family);
    return r.Check(nv, nw);
  });
}

std::string DisplayName(const Name& name, const std::string& email) {
  if (!name.full.empty()) return std::string(name.full);
  std::string joined(name.given);
  if (!joined.empty() && !name.family.empty()) joined.push_back(' ');
  joined.append(name.family);
  return joined.empty() ? email : joined;
}

Status ParseUser(const Reader& r, od::object& obj, const Where& w, UserRecord* u,
                 RegistrationRecord* reg) {
  Name name;
  bool suspended = false, archived = false, enrolled = false, enforced = false;
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &u->id);
        if (key == "primaryEmail") return r.String(v, fw, &u->upn);
        if (key == "name") return ParseName(r, v, fw, &name);
        if (key == "suspended") return FalseOr(r, v, fw, &suspended);
        if (key == "archived") return FalseOr(r, v, fw, &archived);
        if (key == "isEnrolledIn2Sv") return FalseOr(r, v, fw, &enrolled);
        if (key == "isEnforcedIn2Sv") return FalseOr(r, v, fw, &enforced);
        if (key == "creationTime") return r.Time(v, fw, &u->created);
        if (key == "lastLoginTime") return LoginTime(r, v, fw, &u->last_sign_in);
        return r.Check(v, fw);
      }));
  if (u->id.empty()) return r.Missing(w, "id");
  if (u->upn.empty()) return r.Missing(w, "primaryEmail");
  u->display_name = DisplayName(name, u->upn);
  u->enabled = !suspended && !archived;
  u->guest = false;
  u->last_successful_sign_in = u->last_sign_in;
  reg->user_id = u->id;
  reg->upn = u->upn;
  reg->mfa_registered = enrolled;
  reg->mfa_enforced = enforced;
  return Status::Ok();
}

Status ParseRole(const Reader& r, od::object& obj, const Where& w, RoleRecord* role) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "roleId") return IdString(r, v, fw, &role->id);
        if (key == "roleName") return r.String(v, fw, &role->name);
        if (key == "isSuperAdminRole") return FalseOr(r, v, fw, &role->global_admin);
        return r.Check(v, fw);
      }));
  if (role->id.empty()) return r.Missing(w, "roleId");
  if (role->name == kGoogleSuperAdminRoleName) role->name = std::string(kSuperAdminDisplayName);
  if (role->name.empty()) role->name = role->id;
  return Status::Ok();
}

Status ParseAssignment(const Reader& r, od::object& obj, const Where& w, RoleAssignmentRecord* a) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "roleAssignmentId") return IdString(r, v, fw, &a->id);
        if (key == "roleId") return IdString(r, v, fw, &a->role_id);
        if (key == "assignedTo") return r.String(v, fw, &a->principal_id);
        if (key == "assigneeType") {
          std::string_view type;
          VIGIL_RETURN_IF_ERROR(r.StringView(v, fw, &type));
          a->principal_is_user = type.empty() || type == "user";
          return Status::Ok();
        }
        return r.Check(v, fw);
      }));
  if (a->id.empty()) return r.Missing(w, "roleAssignmentId");
  if (a->role_id.empty()) return r.Missing(w, "roleId");
  if (a->principal_id.empty()) return r.Missing(w, "assignedTo");
  return Status::Ok();
}

Status ParseLicense(const Reader& r, od::object& obj, const Where& w, GoogleLicenseAssignment* l) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "productId") return r.String(v, fw, &l->product_id);
        if (key == "skuId") return r.String(v, fw, &l->sku_id);
        if (key == "skuName") return r.String(v, fw, &l->sku_name);
        if (key == "userId") return r.String(v, fw, &l->user_email);
        return r.Check(v, fw);
      }));
  if (l->sku_id.empty()) return r.Missing(w, "skuId");
  if (l->user_email.empty()) return r.Missing(w, "userId");
  return Status::Ok();
}

// "nextPageToken": a string; null -> "" (no next page).
Status PageToken(const Reader& r, od::value& v, const Where& w, std::string* out) {
  std::string_view s;
  if (auto e = v.get_string().get(s); e) {
    bool null = false;
    if (e == simdjson::INCORRECT_TYPE && !v.is_null().get(null) && null) {
      out->clear();
      return Status::Ok();
    }
    if (e != simdjson::INCORRECT_TYPE) return r.Malformed(e, &w);
    VIGIL_RETURN_IF_ERROR(r.Check(v, w));
    return r.Fail(nullptr, "\"nextPageToken\" must be a string");
  }
  out->assign(s.data(), s.size());
  return Status::Ok();
}

// The common shape of a page: `{"<list_key>": [...], "nextPageToken": ".."}`.
// Calls reserve(element count), then f(object, where) per element of the
// list; a missing or null list is empty. Other members are checked and
// ignored; of a repeated list or token member, the first counts.
template <typename R, typename F>
Status ParsePage(std::string_view page_name, const simdjson::padded_string& body,
                 const GraphParseOptions& options, std::string_view list_key,
                 std::string* next_page_token, R&& reserve, F&& f) {
  next_page_token->clear();
  const Reader r(page_name);
  return r.Document(body, options, [&](od::object& root, const Where& rw) -> Status {
    bool list_seen = false, token_seen = false;
    return r.Fields(root, rw, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
      if (key == "nextPageToken" && !token_seen) {
        token_seen = true;
        return PageToken(r, v, fw, next_page_token);
      }
      if (key != list_key || list_seen) return r.Check(v, fw);
      list_seen = true;
      od::array array;
      if (auto e = v.get_array().get(array); e) {
        bool null = false;
        if (e == simdjson::INCORRECT_TYPE && !v.is_null().get(null) && null) return Status::Ok();
        if (e != simdjson::INCORRECT_TYPE) return r.Malformed(e, &fw);
        VIGIL_RETURN_IF_ERROR(r.Check(v, fw));
        return r.Fail(nullptr, "\"" + std::string(list_key) + "\" must be an array");
      }
      size_t count = 0;
      if (auto e = array.count_elements().get(count); e) return r.Malformed(e, &fw);
      reserve(count);
      return r.ArrayElements(array, fw,
                             [&](od::value& ev, const Where& ew) { return r.AsObject(ev, ew, f); });
    });
  });
}

// A page of "items", each parsed by parse_one into a record appended to *out.
template <typename Record, typename ParseOne>
Status ParseItems(std::string_view page_name, const simdjson::padded_string& body,
                  const GraphParseOptions& options, std::vector<Record>* out,
                  std::string* next_page_token, ParseOne parse_one) {
  const Reader r(page_name);
  return ParsePage(
      page_name, body, options, "items", next_page_token,
      [&](size_t n) { out->reserve(out->size() + n); },
      [&](od::object& obj, const Where& w) -> Status {
        out->emplace_back();
        return parse_one(r, obj, w, &out->back());
      });
}

}  // namespace

Status ParseGoogleUsers(std::string_view page_name, const simdjson::padded_string& body,
                        std::vector<UserRecord>* users,
                        std::vector<RegistrationRecord>* registrations,
                        std::string* next_page_token, const GraphParseOptions& options) {
  const Reader r(page_name);
  return ParsePage(
      page_name, body, options, "users", next_page_token,
      [&](size_t n) {
        users->reserve(users->size() + n);
        registrations->reserve(registrations->size() + n);
      },
      [&](od::object& obj, const Where& w) -> Status {
        users->emplace_back();
        registrations->emplace_back();
        return ParseUser(r, obj, w, &users->back(), &registrations->back());
      });
}

Status ParseGoogleRoles(std::string_view page_name, const simdjson::padded_string& body,
                        std::vector<RoleRecord>* roles, std::string* next_page_token,
                        const GraphParseOptions& options) {
  return ParseItems(page_name, body, options, roles, next_page_token, ParseRole);
}

Status ParseGoogleRoleAssignments(std::string_view page_name, const simdjson::padded_string& body,
                                  std::vector<RoleAssignmentRecord>* assignments,
                                  std::string* next_page_token, const GraphParseOptions& options) {
  return ParseItems(page_name, body, options, assignments, next_page_token, ParseAssignment);
}

Status ParseGoogleLicenseAssignments(std::string_view page_name,
                                     const simdjson::padded_string& body,
                                     std::vector<GoogleLicenseAssignment>* assignments,
                                     std::string* next_page_token,
                                     const GraphParseOptions& options) {
  return ParseItems(page_name, body, options, assignments, next_page_token, ParseLicense);
}

void ApplyGoogleLicenses(const std::vector<GoogleLicenseAssignment>& assignments,
                         std::vector<UserRecord>* users, std::vector<SkuRecord>* skus) {
  const GoogleLicenseIndex index(assignments);
  index.ApplyTo(users);
  *skus = index.skus();
}

}  // namespace vigil
