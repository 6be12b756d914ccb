// Parsers from Google Workspace Admin SDK answers into the records of
// records.h: one page of an answer each, appended to what earlier pages gave.
//
// The same bodies are the files of a Google Workspace directory (the
// google_json provider, providers/google_dir_provider.h), where each file
// holds one page-shaped object with every item:
//
//   users.json               Directory API users.list (projection=full):
//                            {"users": [...], "nextPageToken": "..."}
//   roles.json               roles.list: {"items": [...], "nextPageToken": ".."}
//   roleAssignments.json     roleAssignments.list: {"items": [...], ...}
//   licenseAssignments.json  Enterprise License Manager listForProduct, all
//                            products: {"items": [...], ...}
//
// A missing or null list member is an empty page (Google leaves "users" out
// when there are none); other top-level members ("kind", "etag", ...) and
// unknown fields are ignored.
//
// Mapping (the analyzers never see where a record came from):
//  - user: id = "id", upn = "primaryEmail", display_name = name.fullName
//    (or givenName and familyName joined by a space when fullName is
//    missing, or primaryEmail), enabled = !suspended && !archived (missing =
//    false), guest = false (Workspace has no guest accounts), created =
//    "creationTime", last_sign_in = last_successful_sign_in =
//    "lastLoginTime", where "1970-01-01T00:00:00.000Z" (the epoch: never
//    signed in) is nullopt; sku_ids empty (ApplyGoogleLicenses fills them).
//  - each user also gives a registration: user_id = id, upn = primaryEmail,
//    mfa_registered = isEnrolledIn2Sv, mfa_enforced = isEnforcedIn2Sv
//    (missing = false for both), methods empty (Workspace does not say which
//    second factors a user enrolled).
//  - role: id = "roleId" (a string of digits, or a JSON integer), name =
//    "roleName" ("_SEED_ADMIN_ROLE" is named "Super Admin"),
//    global_admin = "isSuperAdminRole".
//  - role assignment: id = "roleAssignmentId", role_id = "roleId",
//    principal_id = "assignedTo", principal_is_user = assigneeType is "user"
//    or missing (a group's assignment is counted, not linked).
//  - license assignment: productId, skuId, skuName, userId (the user's
//    primary email address, which is how the License Manager names users).
//
// Errors: InvalidArgument naming the page and the JSON position, as
// graph_parse.h does, e.g.
//   users.json: users[3].suspended: expected boolean
//   GET /admin/directory/v1/users page 2: users[0]: missing required field "id"
//   users.json: users[2].lastLoginTime: not an ISO 8601 timestamp: "never"
//   roles.json: "items" must be an array
//   users.json: "nextPageToken" must be a string
// Required (null or "" counts as missing): users "id" and "primaryEmail";
// roles "roleId"; role assignments "roleAssignmentId", "roleId",
// "assignedTo"; license assignments "skuId" and "userId".
//
// Thread-safe, with per-thread parsers as graph_parse.h.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/graph_parse.h"
#include "providers/records.h"

namespace vigil {

// The role name Google gives the super administrators' built-in role.
inline constexpr std::string_view kGoogleSuperAdminRoleName = "_SEED_ADMIN_ROLE";

// One page of users.list: appends each user to *users and its registration
// to *registrations; *next_page_token receives "nextPageToken" ("" when
// none: the last page).
Status ParseGoogleUsers(std::string_view page_name, const simdjson::padded_string& body,
                        std::vector<UserRecord>* users,
                        std::vector<RegistrationRecord>* registrations,
                        std::string* next_page_token, const GraphParseOptions& options = {});

// One page of roles.list.
Status ParseGoogleRoles(std::string_view page_name, const simdjson::padded_string& body,
                        std::vector<RoleRecord>* roles, std::string* next_page_token,
                        const GraphParseOptions& options = {});

// One page of roleAssignments.list.
Status ParseGoogleRoleAssignments(std::string_view page_name, const simdjson::padded_string& body,
                                  std::vector<RoleAssignmentRecord>* assignments,
                                  std::string* next_page_token,
                                  const GraphParseOptions& options = {});

// One license of one user, as the License Manager lists it.
struct GoogleLicenseAssignment {
  std::string product_id;  // "Google-Apps"
  std::string sku_id;      // "1010020020"
  std::string sku_name;    // "Google Workspace Enterprise Plus"
  std::string user_email;  // "userId": the user's primary email
};

// One page of licenseAssignments.listForProduct.
Status ParseGoogleLicenseAssignments(std::string_view page_name,
                                     const simdjson::padded_string& body,
                                     std::vector<GoogleLicenseAssignment>* assignments,
                                     std::string* next_page_token,
                                     const GraphParseOptions& options = {});

// Joins the licenses to the users: each user's sku_ids become the skuIds
// assigned to its primaryEmail (compared without regard to ASCII case),
// sorted and unique; *skus receives one SkuRecord per distinct skuId, sorted
// by id: part_number = skuName (the skuId when it has none),
// consumed_units = the number of its assignments, enabled_units = 0 (the
// License Manager gives no seat totals; providers/coverage.h says so).
// Assignments naming no known user still count as consumed.
void ApplyGoogleLicenses(const std::vector<GoogleLicenseAssignment>& assignments,
                         std::vector<UserRecord>* users, std::vector<SkuRecord>* skus);

}  // namespace vigil
