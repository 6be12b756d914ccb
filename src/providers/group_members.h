// Which groups' members vigil reads, and where they are, in the Graph
// directory format and over live Graph (docs/ARCHITECTURE.md, "The Graph
// directory format" and "Group members").
//
// vigil reads the members of the security-enabled groups only: those are
// the groups a tenant can use to exclude users (from conditional access, and
// from vigil's alerts); a Microsoft 365 group without securityEnabled cannot
// be. Members are direct members that are users (GroupRecord::member_ids,
// sorted and unique); nested groups are not followed.
//
// Live, a group's members are one paged request series,
//   GET /groups/{id}/members?$select=id&$top=999
// (every member type, each with its "@odata.type"; the users are kept). A
// Graph directory holds each answer as Graph gives it, pages joined, in
// groupMembers/{id}.json.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "providers/records.h"

namespace vigil {

// The directory (below a Graph directory) of the members files.
inline constexpr std::string_view kGroupMembersDir = "groupMembers";

// True when vigil reads the group's members: it is security-enabled.
constexpr bool ReadsMembersOf(const GroupRecord& group) { return group.security_enabled; }

// OK when `group_id` can name a file of groupMembers/: it is not empty, has
// only ASCII letters, digits, '-', '_' and '.', and does not start with '.'
// (Graph's ids are GUIDs). Otherwise InvalidArgument
//   group id "../users" cannot name a file of groupMembers/
Status CheckGroupIdNamesAFile(std::string_view group_id);

// "groupMembers/<group_id>.json": the file of the group's members, relative
// to the Graph directory (call CheckGroupIdNamesAFile first).
std::string GroupMembersFile(std::string_view group_id);

// "/groups/<group_id>/members?$select=id&$top=999", the id percent-encoded
// where it is not an unreserved URI character: the live request (below the
// Graph URL) for the group's members.
std::string GroupMembersRequest(std::string_view group_id);

}  // namespace vigil
