// The typed objects a provider returns: one struct per Graph object vigil
// reads, normalised (Graph quirks already resolved: "never" is nullopt,
// userType is folded to guest/member, unknown fields are dropped).
//
// These records are the common language of providers (which produce them),
// sync (which stores them as entities and links), and the DataContext (which
// loads them back for analysis).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace vigil {

// The kinds of data vigil syncs. Each kind but kSignIn is a kind of entity
// stored, from exactly one Graph file of a directory (see KindFile), so "this
// file was missing" and "this kind is not available" are the same statement.
//
// kSignIn stores no entities of its own: it says whether the users' sign-in
// activity (UserRecord::last_sign_in, from users.json's signInActivity) is
// known. Graph gives it only to tenants with Entra ID P1; without it, a user
// with no last_sign_in has an unknown sign-in, not "never signed in".
enum class EntityKind { kUser, kSku, kRegistration, kRole, kPolicy, kSetting, kGroup, kSignIn };

inline constexpr EntityKind kAllKinds[] = {
    EntityKind::kUser,   EntityKind::kSku,     EntityKind::kRegistration, EntityKind::kRole,
    EntityKind::kPolicy, EntityKind::kSetting, EntityKind::kGroup,        EntityKind::kSignIn};

// True for the kinds that are stored as entities (all but kSignIn).
constexpr bool HasEntities(EntityKind kind) { return kind != EntityKind::kSignIn; }

// "user", "sku", "registration", "role", "policy", "setting", "group", "signin".
std::string_view KindName(EntityKind kind);
std::optional<EntityKind> ParseKind(std::string_view name);
// The Graph directory file that carries `kind` ("users.json", ...).
std::string_view KindFile(EntityKind kind);

// /users (with signInActivity and assignedLicenses).
struct UserRecord {
  std::string id;   // Graph object id
  std::string upn;  // userPrincipalName
  std::string display_name;
  bool enabled = true;                 // accountEnabled
  bool guest = false;                  // userType "Guest" (any case)
  std::optional<TimeMs> created;       // createdDateTime; nullopt when absent
  std::optional<TimeMs> last_sign_in;  // latest of interactive and non-interactive; nullopt = never
  // signInActivity.lastSuccessfulSignInDateTime (the interactive and
  // non-interactive times above count failed attempts too); nullopt = none
  // known. Read by rule versions that ask for it (stale v2).
  std::optional<TimeMs> last_successful_sign_in;
  std::vector<std::string> sku_ids;    // assignedLicenses[].skuId, sorted, unique
};

// /subscribedSkus.
struct SkuRecord {
  std::string id;              // skuId (a GUID; the alert subject)
  std::string part_number;     // skuPartNumber, e.g. "SPE_E3"
  int64_t enabled_units = 0;   // prepaidUnits.enabled
  int64_t consumed_units = 0;  // consumedUnits
};

// /reports/authenticationMethods/userRegistrationDetails.
struct RegistrationRecord {
  std::string user_id;  // id of the row = the user's object id
  std::string upn;
  bool mfa_registered = false;       // isMfaRegistered
  std::vector<std::string> methods;  // methodsRegistered, sorted
  // Whether MFA is enforced on this user's own account, where a provider
  // enforces it per user (Google Workspace: isEnforcedIn2Sv); nullopt where
  // enforcement is a tenant-wide setting instead (Microsoft 365: security
  // defaults, conditional access).
  std::optional<bool> mfa_enforced;
};

// A directory role, identified by its roleDefinitionId (for built-in roles
// the role template id). Derived from the role assignments.
struct RoleRecord {
  std::string id;
  std::string name;  // well-known display name, or the id when unknown
  bool global_admin = false;
};

// /roleManagement/directory/roleAssignments?$expand=principal. Only
// assignments whose principal is a user become links; others are counted.
struct RoleAssignmentRecord {
  std::string id;
  std::string role_id;       // roleDefinitionId
  std::string principal_id;  // principalId
  bool principal_is_user = true;
};

// /identity/conditionalAccess/policies.
struct PolicyRecord {
  std::string id;
  std::string name;        // displayName
  std::string state;       // "enabled", "disabled", "enabledForReportingButNotEnforced"
  bool all_users = false;  // conditions.users.includeUsers contains "All"
  std::vector<std::string> client_app_types;   // conditions.clientAppTypes, sorted
  std::vector<std::string> built_in_controls;  // grantControls.builtInControls, sorted
};

// /policies/identitySecurityDefaultsEnforcementPolicy.
struct SecurityDefaultsRecord {
  bool enabled = false;  // isEnabled
};

// /groups.
struct GroupRecord {
  std::string id;
  std::string display_name;
  bool security_enabled = false;
  std::vector<std::string> member_ids;  // object ids of the users in the group, when the provider gave them
};

// The Global Administrator role template id.
inline constexpr std::string_view kGlobalAdminRoleId = "62e90394-69f5-4237-9190-012177145e10";

// The RoleRecord for a roleDefinitionId: a known name for well-known built-in
// role template ids, otherwise the id itself as the name.
RoleRecord RoleForDefinitionId(std::string_view role_definition_id);

}  // namespace vigil
