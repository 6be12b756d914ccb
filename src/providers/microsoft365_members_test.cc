// The microsoft365 provider and group members: a request series per
// security group, paged, throttled like any request, and a refusal that
// makes groups not available rather than empty. End to end against the fake
// Graph (microsoft365_provider_fixture.h), serving a small tenant.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "providers/microsoft365_provider.h"
#include "providers/microsoft365_provider_fixture.h"

namespace vigil {
namespace {

using namespace m365_testing;  // NOLINT: the fixture and its constants
using testing::FakeGraphFault;

constexpr char kG1Members[] = "/v1.0/groups/g1/members";
constexpr char kG1Request[] = "GET /v1.0/groups/g1/members?$select=id&$top=999";

class Microsoft365MembersTest : public Microsoft365ProviderTest {
 protected:
  // Ten users; g1 (security, three members), g2 (security, one), g3 (not
  // security: its members are not read), g4 (security, none).
  void SetUp() override {
    Microsoft365ProviderTest::SetUp();
    SyntheticOptions options;
    options.users = 10;
    options.groups = 0;
    tenant_ = GenerateTenant(options);
    const std::vector<UserRecord>& u = tenant_.users;
    tenant_.groups = {
        {"g1", "Break glass", true, Sorted({u[7].id, u[2].id, u[4].id})},
        {"g2", "IT Admins", true, {u[1].id}},
        {"g3", "Newsletter", false, {}},
        {"g4", "Nobody", true, {}},
    };
    ASSERT_TRUE(WriteGraphDirectory(tenant_, dir_).ok());
    ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir_).ok());
  }

  static std::vector<std::string> Sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<std::string> LogLines(const std::string& prefix) const {
    std::vector<std::string> lines;
    for (const std::string& line : graph_->Log()) {
      if (line.rfind(prefix, 0) == 0) lines.push_back(line);
    }
    return lines;
  }
};

TEST_F(Microsoft365MembersTest, SecurityGroupsMembersArePagedInLikeTheDirectoryHasThem) {
  graph_->SetMaxPageSize(2);  // g1's three members come in two pages
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_TRUE(live->Has(EntityKind::kGroup));
  EXPECT_EQ(Diff(*live, FromDirectory()), "");
  EXPECT_EQ(Diff(*live, tenant_), "");
  ASSERT_EQ(live->groups.size(), 4u);
  EXPECT_EQ(live->groups[0].member_ids.size(), 3u);

  EXPECT_EQ(LogLines("GET /v1.0/groups/g1/"),
            (std::vector<std::string>{kG1Request, std::string(kG1Request) + "&$skiptoken=p2"}));
  EXPECT_EQ(graph_->Requests("/v1.0/groups/g2/members"), 1);
  EXPECT_EQ(graph_->Requests("/v1.0/groups/g3/members"), 0);  // not a security group
  EXPECT_EQ(graph_->Requests("/v1.0/groups/g4/members"), 1);
}

TEST_F(Microsoft365MembersTest, ForbiddenMembersMakeGroupsNotAvailableWithTheReason) {
  graph_->Deny(kTenant, "/v1.0/groups/g2/members", "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  const Availability& groups = live->availability.at(EntityKind::kGroup);
  EXPECT_FALSE(groups.available);
  EXPECT_EQ(groups.reason,
            "groupMembers/g2: permission missing: 403 Authorization_RequestDenied: Insufficient "
            "privileges to complete the operation.");
  EXPECT_TRUE(live->groups.empty());  // never groups without their members

  // The rest of the sync is whole.
  Snapshot expected = tenant_;
  expected.groups.clear();
  expected.availability[EntityKind::kGroup] = groups;
  EXPECT_EQ(Diff(*live, expected), "");
}

TEST_F(Microsoft365MembersTest, MembersNotFoundMakeGroupsNotAvailable) {
  std::filesystem::remove(std::filesystem::path(dir_) / "groupMembers" / "g4.json");
  ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir_).ok());
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  const Availability& groups = live->availability.at(EntityKind::kGroup);
  EXPECT_FALSE(groups.available);
  EXPECT_EQ(groups.reason.rfind("groupMembers/g4: not found: 404 Request_ResourceNotFound: ", 0),
            0u)
      << groups.reason;
  EXPECT_TRUE(live->groups.empty());
  EXPECT_TRUE(live->Has(EntityKind::kUser));
}

TEST_F(Microsoft365MembersTest, ThrottledMembersAreWaitedOut) {
  FakeGraphFault throttled;
  throttled.status = 429;
  throttled.retry_after_s = 2;
  graph_->InjectFault(kG1Members, throttled);
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(Diff(*live, tenant_), "");
  EXPECT_EQ(graph_->Requests(kG1Members), 2);
  EXPECT_EQ(Sleeps(), std::vector<int64_t>{2000});
}

TEST_F(Microsoft365MembersTest, DamagedMembersFailTheFetchNamingTheRequest) {
  FakeGraphFault wrong_type;
  wrong_type.status = 200;
  wrong_type.body = R"({"value":[{"@odata.type":"#microsoft.graph.user","id":7}]})";
  graph_->InjectFault(kG1Members, wrong_type);
  Result<Snapshot> live = Fetch();
  EXPECT_EQ(live.status().ToString(),
            "invalid argument: GET /v1.0/groups/g1/members page 1: value[0].id: expected string");

  FakeGraphFault broken;
  broken.status = 500;
  graph_->InjectFault(kG1Members, broken, 6);
  Microsoft365Options options = Options();
  live = Fetch(options);
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kUnavailable);
  EXPECT_EQ(
      live.status().message().rfind("GET /v1.0/groups/g1/members: HTTP 500 after 6 attempts", 0),
      0u)
      << live.status().message();
}

TEST_F(Microsoft365MembersTest, MembersRequestsStayUnderTheSourceCap) {
  FakeGraphFault slow;
  slow.delay_ms = 200;
  for (const char* path :
       {"/v1.0/groups/g1/members", "/v1.0/groups/g2/members", "/v1.0/groups/g4/members"}) {
    graph_->InjectFault(path, slow);
  }
  Microsoft365Options options = Options();
  options.graph.max_concurrent_requests = 2;
  Result<Snapshot> live = Fetch(options);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(Diff(*live, tenant_), "");
  EXPECT_LE(graph_->MaxConcurrent(), 2);
}

}  // namespace
}  // namespace vigil
