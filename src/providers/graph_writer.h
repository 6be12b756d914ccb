// Writes a Snapshot out as a Graph directory (docs/ARCHITECTURE.md, "The
// Graph directory format"): the inverse of the graph_json provider, used by
// tests, `vigil demo` and tools that produce fixtures.
#pragma once

#include <string>

#include "common/status.h"
#include "providers/snapshot.h"

namespace vigil {

// Writes one file per available kind into `dir` (created with its parents
// when missing), in Graph's own response shapes and field names, so that
// NewGraphDirProvider(dir)->Fetch() gives back an equal Snapshot:
//   users.json                      id, displayName, userPrincipalName,
//                                   accountEnabled, userType "Member"/"Guest",
//                                   createdDateTime, assignedLicenses
//                                   [{"disabledPlans":[],"skuId":..}],
//                                   signInActivity (null when never)
//   subscribedSkus.json             skuId, skuPartNumber, consumedUnits,
//                                   prepaidUnits {enabled, suspended, warning}
//   userRegistrationDetails.json    id, userPrincipalName, isMfaRegistered,
//                                   methodsRegistered
//   roleAssignments.json            id, roleDefinitionId, principalId,
//                                   principal {"@odata.type", id}
//   conditionalAccessPolicies.json  id, displayName, state, conditions
//                                   {users.includeUsers, clientAppTypes},
//                                   grantControls (null without controls)
//   securityDefaults.json           a single object with isEnabled
//   groups.json                     id, displayName, securityEnabled
// Roles are not written (they derive from the role assignments). A kind that
// is not available gets no file, and an existing file of that kind is
// removed; securityDefaults.json is written only when security_defaults has a
// value. Each file is written to "<file>.tmp" and renamed into place.
// Fails with IoError naming the path when a directory or file cannot be
// created, written or removed.
Status WriteGraphDirectory(const Snapshot& snapshot, const std::string& dir);

}  // namespace vigil
