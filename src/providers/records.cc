#include "providers/records.h"

#include <array>
#include <utility>

namespace vigil {
namespace {

struct KindInfo {
  EntityKind kind;
  std::string_view name;
  std::string_view file;
};

constexpr std::array<KindInfo, 8> kKinds = {{
    {EntityKind::kUser, "user", "users.json"},
    {EntityKind::kSku, "sku", "subscribedSkus.json"},
    {EntityKind::kRegistration, "registration", "userRegistrationDetails.json"},
    {EntityKind::kRole, "role", "roleAssignments.json"},
    {EntityKind::kPolicy, "policy", "conditionalAccessPolicies.json"},
    {EntityKind::kSetting, "setting", "securityDefaults.json"},
    {EntityKind::kGroup, "group", "groups.json"},
    {EntityKind::kSignIn, "signin", "users.json"},
}};

// Built-in directory role template ids and their names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kWellKnownRoles = {{
    {"62e90394-69f5-4237-9190-012177145e10", "Global Administrator"},
    {"e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"},
    {"194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"},
    {"f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"},
    {"29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"},
    {"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"},
    {"b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator"},
    {"729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator"},
    {"f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"},
    {"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"},
}};

}  // namespace

std::string_view KindName(EntityKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<EntityKind> ParseKind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::string_view KindFile(EntityKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.file;
  }
  return "unknown";
}

RoleRecord RoleForDefinitionId(std::string_view role_definition_id) {
  RoleRecord role;
  role.id = std::string(role_definition_id);
  role.name = role.id;
  for (const auto& [id, name] : kWellKnownRoles) {
    if (id == role_definition_id) role.name = std::string(name);
  }
  role.global_admin = role_definition_id == kGlobalAdminRoleId;
  return role;
}

}  // namespace vigil
