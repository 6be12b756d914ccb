// Writes a Google Workspace tenant out as a google_json directory
// (providers/google_dir_provider.h): the inverse of that provider, used by
// `vigil generate --provider google_workspace`, tests and benchmarks.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "providers/google_parse.h"
#include "providers/records.h"

namespace vigil {

// A Workspace tenant in vigil's records, plus the license assignments the
// License Manager would list.
struct GoogleTenant {
  std::vector<UserRecord> users;                  // sku_ids are not written
  std::vector<RegistrationRecord> registrations;  // one per user, by user_id
  std::vector<RoleRecord> roles;
  std::vector<RoleAssignmentRecord> role_assignments;
  std::vector<GoogleLicenseAssignment> licenses;
  // How many users are people of another (Microsoft 365) tenant
  // (google_synthetic.h); not written.
  size_t shared_people = 0;
};

// Writes users.json, roles.json, roleAssignments.json and
// licenseAssignments.json into `dir` (created with its parents when
// missing), each as one page of the Admin SDK's answer shapes, so that
// NewGoogleDirProvider(dir)->Fetch() gives back these records (users'
// sku_ids from the licenses):
//   users.json   id, primaryEmail, name {givenName, familyName, fullName}
//                (display_name split at its first space), isAdmin (holds a
//                super admin role), suspended = !enabled, archived false,
//                isEnrolledIn2Sv, isEnforcedIn2Sv (from the user's
//                registration; false without one), creationTime,
//                lastLoginTime ("1970-01-01T00:00:00.000Z" when never),
//                orgUnitPath "/"; times with milliseconds, as Google gives
//   roles.json   roleId, roleName (a global_admin role named "Super Admin"
//                is written as "_SEED_ADMIN_ROLE"), isSystemRole,
//                isSuperAdminRole
//   roleAssignments.json  roleAssignmentId, roleId, assignedTo,
//                assigneeType "user"/"group", scopeType "CUSTOMER"
//   licenseAssignments.json  productId, skuId, skuName, userId
// Each file is written atomically. Fails with IoError naming the path when
// a directory or file cannot be created or written.
Status WriteGoogleDirectory(const GoogleTenant& tenant, const std::string& dir);

}  // namespace vigil
