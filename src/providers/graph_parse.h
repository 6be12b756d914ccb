// Parsers from Microsoft Graph response bodies into the records of records.h.
//
// Each function reads one file of a Graph directory (docs/ARCHITECTURE.md,
// "The Graph directory format"), exactly as Graph returns it: a
// `{"value":[...]}` object (top-level "@odata.context", "@odata.nextLink" and
// any other member are ignored), or, for securityDefaults.json, a single
// object.
//
// Graph quirks are resolved here: a date that is null, "" or
// "0001-01-01T00:00:00Z" means "never"/absent; null for an optional field is
// the same as the field missing; userType is case-insensitive (null or
// missing = member); unknown fields are ignored.
//
// On failure a function returns InvalidArgument whose message names the file
// and the JSON position, e.g.
//   users.json: value[3].accountEnabled: expected boolean
//   users.json: value[0]: missing required field "id"
//   users.json: value[2].createdDateTime: not an ISO 8601 timestamp: "yesterday"
//   users.json: "value" must be an array
//   users.json: malformed JSON: <simdjson's message>
//   users.json: file of 3221225472 bytes is above the size limit of 2147483648 bytes
// and `*out` is left in an unspecified (but valid) state. On success `*out`
// is replaced by the records of the file, in file order.
//
// Required fields (null or "" counts as missing): users "id"; SKUs "skuId";
// registrations "id"; role assignments "id", "roleDefinitionId",
// "principalId"; policies "id"; groups "id"; group members "id"; security
// defaults "isEnabled".
//
// Thread-safe. Each thread keeps its simdjson parser, and the buffers of its
// last parse when their capacity is at most 4 MiB, for the next call: a
// parse into warm buffers is several times faster than into fresh memory.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/records.h"
#include "providers/snapshot.h"

namespace vigil {

// 2 GiB: larger Graph files are refused rather than parsed.
inline constexpr uint64_t kDefaultMaxGraphFileBytes = uint64_t{2} << 30;

struct GraphParseOptions {
  // Bodies larger than this fail with a message naming the file and size.
  uint64_t max_file_bytes = kDefaultMaxGraphFileBytes;
};

// OK when a body of `size` bytes may be parsed; otherwise InvalidArgument
// "<file_name>: file of <size> bytes is above the size limit of <max> bytes".
Status CheckGraphFileSize(std::string_view file_name, uint64_t size,
                          const GraphParseOptions& options = {});

// users.json. accountEnabled null or missing = enabled; last_sign_in is the
// later of signInActivity.lastSignInDateTime and
// lastNonInteractiveSignInDateTime (nullopt when signInActivity is null or
// missing, or both are "never"); sku_ids are assignedLicenses[].skuId, sorted
// and unique.
Status ParseUsers(std::string_view file_name, const simdjson::padded_string& body,
                  std::vector<UserRecord>* out, const GraphParseOptions& options = {});

// subscribedSkus.json. prepaidUnits.enabled and consumedUnits are integers
// (null or missing = 0).
Status ParseSkus(std::string_view file_name, const simdjson::padded_string& body,
                 std::vector<SkuRecord>* out, const GraphParseOptions& options = {});

// userRegistrationDetails.json. methodsRegistered is sorted.
Status ParseRegistrations(std::string_view file_name, const simdjson::padded_string& body,
                          std::vector<RegistrationRecord>* out,
                          const GraphParseOptions& options = {});

// roleAssignments.json (with $expand=principal). principal_is_user is true
// when principal."@odata.type" is "#microsoft.graph.user", or when principal
// (or its "@odata.type") is null or missing. `roles` receives DeriveRoles of
// the assignments.
Status ParseRoleAssignments(std::string_view file_name, const simdjson::padded_string& body,
                            std::vector<RoleAssignmentRecord>* assignments,
                            std::vector<RoleRecord>* roles, const GraphParseOptions& options = {});

// conditionalAccessPolicies.json. all_users when
// conditions.users.includeUsers contains "All"; client_app_types and
// built_in_controls sorted (grantControls may be null).
Status ParsePolicies(std::string_view file_name, const simdjson::padded_string& body,
                     std::vector<PolicyRecord>* out, const GraphParseOptions& options = {});

// securityDefaults.json: a single object with a boolean "isEnabled".
Status ParseSecurityDefaults(std::string_view file_name, const simdjson::padded_string& body,
                             SecurityDefaultsRecord* out, const GraphParseOptions& options = {});

// groups.json. securityEnabled null or missing = false. member_ids are left
// empty: a group's members are a file of their own (ParseGroupMembers).
Status ParseGroups(std::string_view file_name, const simdjson::padded_string& body,
                   std::vector<GroupRecord>* out, const GraphParseOptions& options = {});

// A group's members, groupMembers/{id}.json (providers/group_members.h): the
// answer to /groups/{id}/members?$select=id, a `{"value":[...]}` of
// directory objects, each with a required "id". `*user_ids` receives the ids
// of the users among them, sorted and unique: "@odata.type"
// "#microsoft.graph.user" (any case), or null or missing; other types
// (groups, devices, contacts, service principals) are skipped.
Status ParseGroupMembers(std::string_view file_name, const simdjson::padded_string& body,
                         std::vector<std::string>* user_ids, const GraphParseOptions& options = {});

// Parses the file that carries `kind` (KindFile(kind)) into the matching
// member(s) of `snapshot` (kRole fills both roles and role_assignments;
// kSetting fills security_defaults). Does not touch snapshot->availability.
Status ParseKindFile(EntityKind kind, std::string_view file_name,
                     const simdjson::padded_string& body, Snapshot* snapshot,
                     const GraphParseOptions& options = {});

// The distinct roles (RoleForDefinitionId) of the assignments' role_ids,
// sorted by id.
std::vector<RoleRecord> DeriveRoles(const std::vector<RoleAssignmentRecord>& assignments);

}  // namespace vigil
