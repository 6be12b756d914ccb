#include "providers/graph_writer.h"

#include <filesystem>
#include <optional>
#include <system_error>

#include "common/hash.h"
#include "common/json_text.h"
#include "common/time.h"
#include "providers/group_members.h"
#include "providers/json_dir.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kContextPrefix = "https://graph.microsoft.com/v1.0/$metadata#";

void AppendTime(std::string* out, const std::optional<TimeMs>& t) {
  if (t) {
    AppendJsonString(out, FormatIso8601(*t));
  } else {
    out->append("null");
  }
}

void AppendBool(std::string* out, bool b) { out->append(b ? "true" : "false"); }

void AppendStrings(std::string* out, const std::vector<std::string>& values) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, values[i]);
  }
  out->push_back(']');
}

// `{"@odata.context":"<prefix><context>","value":[` + elements + `]}`.
class ListWriter {
 public:
  explicit ListWriter(std::string_view context) {
    out_.append("{\"@odata.context\":");
    AppendJsonString(&out_, std::string(kContextPrefix) + std::string(context));
    out_.append(",\"value\":[");
  }
  // Starts a new element; returns the buffer to append its object to.
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

// Graph reports interactive and non-interactive sign-ins apart; vigil keeps
// their maximum. Spread it deterministically over the two fields.
void AppendSignInActivity(std::string* out, const UserRecord& u) {
  if (!u.last_sign_in) {
    out->append("null");
    return;
  }
  const uint64_t h = Hash64(u.id);
  const std::optional<TimeMs> other =
      h % 5 == 0 ? std::nullopt
                 : std::optional<TimeMs>(*u.last_sign_in -
                                         static_cast<TimeMs>((h >> 8) % 72) * 3600 * 1000);
  const bool interactive_is_latest = (h >> 4) % 2 == 0;
  out->append("{\"lastSignInDateTime\":");
  AppendTime(out, interactive_is_latest ? u.last_sign_in : other);
  out->append(",\"lastSignInRequestId\":null,\"lastNonInteractiveSignInDateTime\":");
  AppendTime(out, interactive_is_latest ? other : u.last_sign_in);
  out->append(",\"lastNonInteractiveSignInRequestId\":null");
  if (u.last_successful_sign_in) {
    out->append(",\"lastSuccessfulSignInDateTime\":");
    AppendTime(out, u.last_successful_sign_in);
  }
  out->push_back('}');
}

std::string UsersJson(const Snapshot& s) {
  ListWriter w(
      "users(id,displayName,userPrincipalName,accountEnabled,userType,assignedLicenses,"
      "createdDateTime,signInActivity)");
  for (const UserRecord& u : s.users) {
    std::string* out = w.Next();
    out->append("{\"id\":");
    AppendJsonString(out, u.id);
    out->append(",\"displayName\":");
    AppendJsonString(out, u.display_name);
    out->append(",\"userPrincipalName\":");
    AppendJsonString(out, u.upn);
    out->append(",\"accountEnabled\":");
    AppendBool(out, u.enabled);
    out->append(u.guest ? ",\"userType\":\"Guest\"" : ",\"userType\":\"Member\"");
    out->append(",\"createdDateTime\":");
    AppendTime(out, u.created);
    out->append(",\"assignedLicenses\":[");
    for (size_t i = 0; i < u.sku_ids.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{\"disabledPlans\":[],\"skuId\":");
      AppendJsonString(out, u.sku_ids[i]);
      out->push_back('}');
    }
    out->append("],\"signInActivity\":");
    AppendSignInActivity(out, u);
    out->push_back('}');
  }
  return std::move(w).Finish();
}

std::string SkusJson(const Snapshot& s) {
  ListWriter w("subscribedSkus");
  for (const SkuRecord& sku : s.skus) {
    std::string* out = w.Next();
    out->append("{\"capabilityStatus\":\"Enabled\",\"appliesTo\":\"User\",\"consumedUnits\":");
    out->append(std::to_string(sku.consumed_units));
    out->append(",\"prepaidUnits\":{\"enabled\":");
    out->append(std::to_string(sku.enabled_units));
    out->append(",\"suspended\":0,\"warning\":0,\"lockedOut\":0},\"skuId\":");
    AppendJsonString(out, sku.id);
    out->append(",\"skuPartNumber\":");
    AppendJsonString(out, sku.part_number);
    out->append(",\"servicePlans\":[]}");
  }
  return std::move(w).Finish();
}

std::string RegistrationsJson(const Snapshot& s) {
  ListWriter w("reports/authenticationMethods/userRegistrationDetails");
  for (const RegistrationRecord& r : s.registrations) {
    std::string* out = w.Next();
    out->append("{\"id\":");
    AppendJsonString(out, r.user_id);
    out->append(",\"userPrincipalName\":");
    AppendJsonString(out, r.upn);
    out->append(",\"isMfaRegistered\":");
    AppendBool(out, r.mfa_registered);
    out->append(",\"isMfaCapable\":");
    AppendBool(out, r.mfa_registered);
    out->append(",\"methodsRegistered\":");
    AppendStrings(out, r.methods);
    out->push_back('}');
  }
  return std::move(w).Finish();
}

std::string RoleAssignmentsJson(const Snapshot& s) {
  ListWriter w("roleManagement/directory/roleAssignments(principal())");
  for (const RoleAssignmentRecord& a : s.role_assignments) {
    std::string* out = w.Next();
    out->append("{\"id\":");
    AppendJsonString(out, a.id);
    out->append(",\"principalId\":");
    AppendJsonString(out, a.principal_id);
    out->append(",\"directoryScopeId\":\"/\",\"roleDefinitionId\":");
    AppendJsonString(out, a.role_id);
    out->append(a.principal_is_user ? ",\"principal\":{\"@odata.type\":\"#microsoft.graph.user\""
                                    : ",\"principal\":{\"@odata.type\":"
                                      "\"#microsoft.graph.servicePrincipal\"");
    out->append(",\"id\":");
    AppendJsonString(out, a.principal_id);
    out->append("}}");
  }
  return std::move(w).Finish();
}

std::string PoliciesJson(const Snapshot& s) {
  ListWriter w("identity/conditionalAccess/policies");
  for (const PolicyRecord& p : s.policies) {
    std::string* out = w.Next();
    out->append("{\"id\":");
    AppendJsonString(out, p.id);
    out->append(",\"displayName\":");
    AppendJsonString(out, p.name);
    out->append(",\"state\":");
    AppendJsonString(out, p.state);
    out->append(",\"conditions\":{\"clientAppTypes\":");
    AppendStrings(out, p.client_app_types);
    out->append(
        ",\"applications\":{\"includeApplications\":[\"All\"],\"excludeApplications\":[]}"
        ",\"users\":{\"includeUsers\":");
    out->append(p.all_users ? "[\"All\"]" : "[]");
    out->append(",\"excludeUsers\":[],\"includeGroups\":[],\"excludeGroups\":[]}}");
    out->append(",\"grantControls\":");
    if (p.built_in_controls.empty()) {
      out->append("null");
    } else {
      out->append("{\"operator\":\"OR\",\"builtInControls\":");
      AppendStrings(out, p.built_in_controls);
      out->append(",\"customAuthenticationFactors\":[],\"termsOfUse\":[]}");
    }
    out->append(",\"sessionControls\":null}");
  }
  return std::move(w).Finish();
}

std::string SecurityDefaultsJson(const SecurityDefaultsRecord& d) {
  std::string out = "{\"@odata.context\":";
  AppendJsonString(&out, std::string(kContextPrefix) +
                             "policies/identitySecurityDefaultsEnforcementPolicy/$entity");
  out.append(
      ",\"id\":\"00000000-0000-0000-0000-000000000005\",\"displayName\":\"Security Defaults\","
      "\"description\":\"Security defaults is a set of basic identity security mechanisms "
      "recommended by Microsoft.\",\"isEnabled\":");
  AppendBool(&out, d.enabled);
  out.append("}\n");
  return out;
}

std::string GroupsJson(const Snapshot& s) {
  ListWriter w("groups");
  for (const GroupRecord& g : s.groups) {
    std::string* out = w.Next();
    out->append("{\"id\":");
    AppendJsonString(out, g.id);
    out->append(",\"displayName\":");
    AppendJsonString(out, g.display_name);
    out->append(",\"groupTypes\":[],\"mailEnabled\":false,\"securityEnabled\":");
    AppendBool(out, g.security_enabled);
    out->push_back('}');
  }
  return std::move(w).Finish();
}

// The answer to /groups/{id}/members?$select=id for the group: its users.
std::string GroupMembersJson(const GroupRecord& g) {
  ListWriter w("directoryObjects(id)");
  for (const std::string& id : g.member_ids) {
    std::string* out = w.Next();
    out->append("{\"@odata.type\":\"#microsoft.graph.user\",\"id\":");
    AppendJsonString(out, id);
    out->push_back('}');
  }
  return std::move(w).Finish();
}

// The file body of `kind`, or nullopt when the snapshot has nothing to write.
std::optional<std::string> BodyOf(EntityKind kind, const Snapshot& s) {
  if (!s.Has(kind)) return std::nullopt;
  switch (kind) {
    case EntityKind::kUser:
      return UsersJson(s);
    case EntityKind::kSku:
      return SkusJson(s);
    case EntityKind::kRegistration:
      return RegistrationsJson(s);
    case EntityKind::kRole:
      return RoleAssignmentsJson(s);
    case EntityKind::kPolicy:
      return PoliciesJson(s);
    case EntityKind::kSetting:
      if (!s.security_defaults) return std::nullopt;
      return SecurityDefaultsJson(*s.security_defaults);
    case EntityKind::kGroup:
      return GroupsJson(s);
    case EntityKind::kSignIn:
      return std::nullopt;  // inside users.json
  }
  return std::nullopt;
}

// groupMembers/ afresh: a file per security group when groups are
// available (providers/group_members.h), none otherwise.
Status WriteGroupMembers(const Snapshot& s, const std::string& dir) {
  const fs::path members_dir = fs::path(dir) / std::string(kGroupMembersDir);
  std::error_code ec;
  fs::remove_all(members_dir, ec);
  if (ec) return Status::IoError(members_dir.string() + ": cannot remove: " + ec.message());
  if (!s.Has(EntityKind::kGroup)) return Status::Ok();
  fs::create_directories(members_dir, ec);
  if (ec) {
    return Status::IoError(members_dir.string() + ": cannot create directory: " + ec.message());
  }
  for (const GroupRecord& g : s.groups) {
    if (!ReadsMembersOf(g)) continue;
    VIGIL_RETURN_IF_ERROR(WriteFileAtomically((fs::path(dir) / GroupMembersFile(g.id)).string(),
                                              GroupMembersJson(g)));
  }
  return Status::Ok();
}

}  // namespace

Status WriteGraphDirectory(const Snapshot& snapshot, const std::string& dir) {
  if (snapshot.Has(EntityKind::kGroup)) {
    for (const GroupRecord& g : snapshot.groups) {
      if (ReadsMembersOf(g)) VIGIL_RETURN_IF_ERROR(CheckGroupIdNamesAFile(g.id));
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir + ": cannot create directory: " + ec.message());
  if (!fs::is_directory(dir, ec)) return Status::IoError(dir + ": not a directory");
  for (EntityKind kind : kAllKinds) {
    if (!HasEntities(kind)) continue;
    const fs::path path = fs::path(dir) / std::string(KindFile(kind));
    std::optional<std::string> body = BodyOf(kind, snapshot);
    if (body) {
      VIGIL_RETURN_IF_ERROR(WriteFileAtomically(path.string(), *body));
    } else {
      fs::remove(path, ec);
      if (ec) return Status::IoError(path.string() + ": cannot remove: " + ec.message());
    }
  }
  return WriteGroupMembers(snapshot, dir);
}

}  // namespace vigil
