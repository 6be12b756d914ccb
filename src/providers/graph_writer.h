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
//   groupMembers/{id}.json          per security group (group_members.h): its
//                                   member_ids as {"@odata.type":
//                                   "#microsoft.graph.user", id}
// Roles are not written (they derive from the role assignments). A kind that
// is not available gets no file, and an existing file of that kind is
// removed; groupMembers/ is written afresh (the files of groups that are gone
// are removed with it, all of them when groups are not available);
// securityDefaults.json is written only when security_defaults has a
// value. Each file is written to "<file>.tmp" and renamed into place.
// Fails with IoError naming the path when a directory or file cannot be
// created, written or removed, and with CheckGroupIdNamesAFile's
// InvalidArgument, before anything is written, for a security group whose
// id cannot name a file.
Status WriteGraphDirectory(const Snapshot& snapshot, const std::string& dir);

}  // namespace vigil
