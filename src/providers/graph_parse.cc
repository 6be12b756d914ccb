#include "providers/graph_parse.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "providers/graph_reader.h"

namespace vigil {
namespace {

namespace od = simdjson::ondemand;
using graph_json::Reader;
using graph_json::Where;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void SortStrings(std::vector<std::string>* v) { std::sort(v->begin(), v->end()); }

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

Status ParseUser(const Reader& r, od::object& obj, const Where& w, UserRecord* u) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &u->id);
        if (key == "userPrincipalName") return r.String(v, fw, &u->upn);
        if (key == "displayName") return r.String(v, fw, &u->display_name);
        if (key == "accountEnabled") {
          std::optional<bool> enabled;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &enabled));
          u->enabled = enabled.value_or(true);
          return Status::Ok();
        }
        if (key == "userType") {
          std::string_view type;
          VIGIL_RETURN_IF_ERROR(r.StringView(v, fw, &type));
          u->guest = EqualsIgnoreCase(type, "guest");
          return Status::Ok();
        }
        if (key == "createdDateTime") return r.Time(v, fw, &u->created);
        if (key == "signInActivity") {
          return r.Members(v, fw, [&](std::string_view k, od::value& av, const Where& aw) {
            if (k == "lastSuccessfulSignInDateTime") {
              return r.Time(av, aw, &u->last_successful_sign_in);
            }
            if (k != "lastSignInDateTime" && k != "lastNonInteractiveSignInDateTime") {
              return r.Check(av, aw);
            }
            std::optional<TimeMs> t;
            VIGIL_RETURN_IF_ERROR(r.Time(av, aw, &t));
            if (t && (!u->last_sign_in || *t > *u->last_sign_in)) u->last_sign_in = t;
            return Status::Ok();
          });
        }
        if (key == "assignedLicenses") {
          return r.ObjectElements(v, fw, [&](od::object& lic, const Where& lw) -> Status {
            std::string_view sku_id;
            VIGIL_RETURN_IF_ERROR(
                r.Fields(lic, lw, [&](std::string_view k, od::value& lv, const Where& kw) {
                  if (k == "skuId") return r.StringView(lv, kw, &sku_id);
                  return r.Check(lv, kw);
                }));
            if (sku_id.empty()) return r.Missing(lw, "skuId");
            u->sku_ids.emplace_back(sku_id);
            return Status::Ok();
          });
        }
        return r.Check(v, fw);
      }));
  if (u->id.empty()) return r.Missing(w, "id");
  if (u->sku_ids.size() > 1) SortUnique(&u->sku_ids);
  return Status::Ok();
}

Status ParseSku(const Reader& r, od::object& obj, const Where& w, SkuRecord* s) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "skuId") return r.String(v, fw, &s->id);
        if (key == "skuPartNumber") return r.String(v, fw, &s->part_number);
        if (key == "consumedUnits") return r.Int(v, fw, &s->consumed_units);
        if (key == "prepaidUnits") {
          return r.Members(v, fw, [&](std::string_view k, od::value& uv, const Where& uw) {
            if (k == "enabled") return r.Int(uv, uw, &s->enabled_units);
            return r.Check(uv, uw);
          });
        }
        return r.Check(v, fw);
      }));
  if (s->id.empty()) return r.Missing(w, "skuId");
  return Status::Ok();
}

Status ParseRegistration(const Reader& r, od::object& obj, const Where& w,
                         RegistrationRecord* reg) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &reg->user_id);
        if (key == "userPrincipalName") return r.String(v, fw, &reg->upn);
        if (key == "isMfaRegistered") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          reg->mfa_registered = b.value_or(false);
          return Status::Ok();
        }
        if (key == "methodsRegistered") return r.StringArray(v, fw, &reg->methods);
        return r.Check(v, fw);
      }));
  if (reg->user_id.empty()) return r.Missing(w, "id");
  SortStrings(&reg->methods);
  return Status::Ok();
}

Status ParseAssignment(const Reader& r, od::object& obj, const Where& w, RoleAssignmentRecord* a) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &a->id);
        if (key == "roleDefinitionId") return r.String(v, fw, &a->role_id);
        if (key == "principalId") return r.String(v, fw, &a->principal_id);
        if (key == "principal") {
          return r.Members(v, fw, [&](std::string_view k, od::value& pv, const Where& pw) {
            if (k != "@odata.type") return r.Check(pv, pw);
            std::string_view type;
            VIGIL_RETURN_IF_ERROR(r.StringView(pv, pw, &type));
            a->principal_is_user = type.empty() || EqualsIgnoreCase(type, "#microsoft.graph.user");
            return Status::Ok();
          });
        }
        return r.Check(v, fw);
      }));
  if (a->id.empty()) return r.Missing(w, "id");
  if (a->role_id.empty()) return r.Missing(w, "roleDefinitionId");
  if (a->principal_id.empty()) return r.Missing(w, "principalId");
  return Status::Ok();
}

// conditions of a policy: clientAppTypes and users.includeUsers.
Status ParseConditions(const Reader& r, od::value& v, const Where& w, PolicyRecord* p) {
  return r.Members(v, w, [&](std::string_view k, od::value& cv, const Where& cw) -> Status {
    if (k == "clientAppTypes") return r.StringArray(cv, cw, &p->client_app_types);
    if (k != "users") return r.Check(cv, cw);
    return r.Members(cv, cw, [&](std::string_view uk, od::value& uv, const Where& uw) {
      if (uk != "includeUsers") return r.Check(uv, uw);
      std::vector<std::string> include;
      VIGIL_RETURN_IF_ERROR(r.StringArray(uv, uw, &include));
      p->all_users = std::any_of(include.begin(), include.end(),
                                 [](const std::string& s) { return EqualsIgnoreCase(s, "All"); });
      return Status::Ok();
    });
  });
}

Status ParsePolicy(const Reader& r, od::object& obj, const Where& w, PolicyRecord* p) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &p->id);
        if (key == "displayName") return r.String(v, fw, &p->name);
        if (key == "state") return r.String(v, fw, &p->state);
        if (key == "conditions") return ParseConditions(r, v, fw, p);
        if (key == "grantControls") {
          return r.Members(v, fw, [&](std::string_view k, od::value& gv, const Where& gw) {
            if (k != "builtInControls") return r.Check(gv, gw);
            return r.StringArray(gv, gw, &p->built_in_controls);
          });
        }
        return r.Check(v, fw);
      }));
  if (p->id.empty()) return r.Missing(w, "id");
  SortStrings(&p->client_app_types);
  SortStrings(&p->built_in_controls);
  return Status::Ok();
}

Status ParseGroup(const Reader& r, od::object& obj, const Where& w, GroupRecord* g) {
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.String(v, fw, &g->id);
        if (key == "displayName") return r.String(v, fw, &g->display_name);
        if (key == "securityEnabled") {
          std::optional<bool> b;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &b));
          g->security_enabled = b.value_or(false);
          return Status::Ok();
        }
        return r.Check(v, fw);
      }));
  if (g->id.empty()) return r.Missing(w, "id");
  return Status::Ok();
}

// One member of a group (a directoryObject): its id, and whether it is a
// user ("@odata.type" "#microsoft.graph.user", any case; null or missing
// counts as a user, as for a role assignment's principal).
Status ParseMember(const Reader& r, od::object& obj, const Where& w, std::string_view* id,
                   bool* is_user) {
  *id = {};
  *is_user = true;
  VIGIL_RETURN_IF_ERROR(
      r.Fields(obj, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
        if (key == "id") return r.StringView(v, fw, id);
        if (key != "@odata.type") return r.Check(v, fw);
        std::string_view type;
        VIGIL_RETURN_IF_ERROR(r.StringView(v, fw, &type));
        *is_user = type.empty() || EqualsIgnoreCase(type, "#microsoft.graph.user");
        return Status::Ok();
      }));
  if (id->empty()) return r.Missing(w, "id");
  return Status::Ok();
}

// The common shape of the `{"value":[...]}` parsers.
template <typename Record, typename ParseOne>
Status ParseList(std::string_view file_name, const simdjson::padded_string& body,
                 const GraphParseOptions& options, std::vector<Record>* out, ParseOne parse_one) {
  out->clear();
  const Reader r(file_name);
  return r.ValueArray(
      body, options, [&](size_t n) { out->reserve(n); },
      [&](od::object& obj, const Where& w) -> Status {
        out->emplace_back();
        return parse_one(r, obj, w, &out->back());
      });
}

}  // namespace

Status CheckGraphFileSize(std::string_view file_name, uint64_t size,
                          const GraphParseOptions& options) {
  if (size <= options.max_file_bytes) return Status::Ok();
  return Status::InvalidArgument(std::string(file_name) + ": file of " + std::to_string(size) +
                                 " bytes is above the size limit of " +
                                 std::to_string(options.max_file_bytes) + " bytes");
}

Status ParseUsers(std::string_view file_name, const simdjson::padded_string& body,
                  std::vector<UserRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseUser);
}

Status ParseSkus(std::string_view file_name, const simdjson::padded_string& body,
                 std::vector<SkuRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseSku);
}

Status ParseRegistrations(std::string_view file_name, const simdjson::padded_string& body,
                          std::vector<RegistrationRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseRegistration);
}

Status ParseRoleAssignments(std::string_view file_name, const simdjson::padded_string& body,
                            std::vector<RoleAssignmentRecord>* assignments,
                            std::vector<RoleRecord>* roles, const GraphParseOptions& options) {
  VIGIL_RETURN_IF_ERROR(ParseList(file_name, body, options, assignments, ParseAssignment));
  *roles = DeriveRoles(*assignments);
  return Status::Ok();
}

Status ParsePolicies(std::string_view file_name, const simdjson::padded_string& body,
                     std::vector<PolicyRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParsePolicy);
}

Status ParseGroups(std::string_view file_name, const simdjson::padded_string& body,
                   std::vector<GroupRecord>* out, const GraphParseOptions& options) {
  return ParseList(file_name, body, options, out, ParseGroup);
}

Status ParseGroupMembers(std::string_view file_name, const simdjson::padded_string& body,
                         std::vector<std::string>* user_ids, const GraphParseOptions& options) {
  user_ids->clear();
  const Reader r(file_name);
  VIGIL_RETURN_IF_ERROR(r.ValueArray(
      body, options, [&](size_t n) { user_ids->reserve(n); },
      [&](od::object& obj, const Where& w) -> Status {
        std::string_view id;
        bool is_user = true;
        VIGIL_RETURN_IF_ERROR(ParseMember(r, obj, w, &id, &is_user));
        if (is_user) user_ids->emplace_back(id);
        return Status::Ok();
      }));
  SortUnique(user_ids);
  return Status::Ok();
}

Status ParseSecurityDefaults(std::string_view file_name, const simdjson::padded_string& body,
                             SecurityDefaultsRecord* out, const GraphParseOptions& options) {
  const Reader r(file_name);
  return r.Document(body, options, [&](od::object& root, const Where& w) -> Status {
    bool seen = false;
    VIGIL_RETURN_IF_ERROR(
        r.Fields(root, w, [&](std::string_view key, od::value& v, const Where& fw) -> Status {
          if (key != "isEnabled") return r.Check(v, fw);
          std::optional<bool> enabled;
          VIGIL_RETURN_IF_ERROR(r.Bool(v, fw, &enabled));
          seen = enabled.has_value();
          out->enabled = enabled.value_or(false);
          return Status::Ok();
        }));
    if (!seen) return r.Missing(w, "isEnabled");
    return Status::Ok();
  });
}

Status ParseKindFile(EntityKind kind, std::string_view file_name,
                     const simdjson::padded_string& body, Snapshot* snapshot,
                     const GraphParseOptions& options) {
  switch (kind) {
    case EntityKind::kUser:
      return ParseUsers(file_name, body, &snapshot->users, options);
    case EntityKind::kSku:
      return ParseSkus(file_name, body, &snapshot->skus, options);
    case EntityKind::kRegistration:
      return ParseRegistrations(file_name, body, &snapshot->registrations, options);
    case EntityKind::kRole:
      return ParseRoleAssignments(file_name, body, &snapshot->role_assignments, &snapshot->roles,
                                  options);
    case EntityKind::kPolicy:
      return ParsePolicies(file_name, body, &snapshot->policies, options);
    case EntityKind::kSetting: {
      SecurityDefaultsRecord record;
      VIGIL_RETURN_IF_ERROR(ParseSecurityDefaults(file_name, body, &record, options));
      snapshot->security_defaults = record;
      return Status::Ok();
    }
    case EntityKind::kGroup:
      return ParseGroups(file_name, body, &snapshot->groups, options);
    case EntityKind::kSignIn:
      return Status::Ok();  // sign-ins are part of the users (kUser)
  }
  return Status::Internal("ParseKindFile: unknown entity kind");
}

std::vector<RoleRecord> DeriveRoles(const std::vector<RoleAssignmentRecord>& assignments) {
  std::vector<std::string_view> ids;
  ids.reserve(assignments.size());
  for (const RoleAssignmentRecord& a : assignments) ids.push_back(a.role_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<RoleRecord> roles;
  roles.reserve(ids.size());
  for (std::string_view id : ids) roles.push_back(RoleForDefinitionId(id));
  return roles;
}

}  // namespace vigil
