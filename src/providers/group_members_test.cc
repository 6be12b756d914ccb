#include "providers/group_members.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(GroupMembersTest, OnlySecurityEnabledGroupsHaveTheirMembersRead) {
  GroupRecord group;
  group.id = "g1";
  EXPECT_FALSE(ReadsMembersOf(group));
  group.security_enabled = true;
  EXPECT_TRUE(ReadsMembersOf(group));
}

TEST(GroupMembersTest, FileAndRequestOfAGroup) {
  EXPECT_EQ(GroupMembersFile("0f2a6c3e-1b7d-4e59-9c1a-2d3b4c5d6e7f"),
            "groupMembers/0f2a6c3e-1b7d-4e59-9c1a-2d3b4c5d6e7f.json");
  EXPECT_EQ(GroupMembersRequest("0f2a6c3e-1b7d-4e59-9c1a-2d3b4c5d6e7f"),
            "/groups/0f2a6c3e-1b7d-4e59-9c1a-2d3b4c5d6e7f/members?$select=id&$top=999");
  EXPECT_EQ(GroupMembersRequest("a b/c?d#é"),
            "/groups/a%20b%2Fc%3Fd%23%C3%A9/members?$select=id&$top=999");
}

TEST(GroupMembersTest, OnlyPlainIdsNameAFile) {
  for (const char* id : {"g1", "0f2a6c3e-1b7d-4e59-9c1a-2d3b4c5d6e7f", "a.b_c-D9"}) {
    EXPECT_TRUE(CheckGroupIdNamesAFile(id).ok()) << id;
  }
  for (const char* id : {"", ".", "..", ".hidden", "../users", "a/b", "a\\b", "a b", "a~b"}) {
    const Status s = CheckGroupIdNamesAFile(id);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << id;
  }
  EXPECT_EQ(CheckGroupIdNamesAFile("../users").message(),
            "group id \"../users\" cannot name a file of groupMembers/");
}

}  // namespace
}  // namespace vigil
