#include "providers/graph_dir_provider.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vigil {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil_graph_dir_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& body) const {
    fs::create_directories((fs::path(path_) / name).parent_path());
    std::ofstream(fs::path(path_) / name, std::ios::binary) << body;
  }

 private:
  std::string path_;
};

constexpr char kUsers[] = R"({"value":[
  {"id":"u1","userPrincipalName":"a@contoso.com","accountEnabled":true,"userType":"Member",
   "assignedLicenses":[{"skuId":"s1"}],"signInActivity":null}]})";
constexpr char kSkus[] = R"({"value":[{"skuId":"s1","skuPartNumber":"SPE_E3",
  "prepaidUnits":{"enabled":5},"consumedUnits":1}]})";

TEST(GraphDirProviderTest, MissingDirectoryIsNotFound) {
  TempDir dir;
  auto provider = NewGraphDirProvider(dir.path() + "/nope");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), Code::kNotFound);
  EXPECT_EQ(provider.status().message(), "directory " + dir.path() + "/nope does not exist");

  dir.Write("file.txt", "x");
  provider = NewGraphDirProvider(dir.path() + "/file.txt");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), Code::kNotFound);
  EXPECT_EQ(provider.status().message(), dir.path() + "/file.txt is not a directory");
}

TEST(GraphDirProviderTest, MissingFilesAreNotAvailableNotEmpty) {
  TempDir dir;
  dir.Write("users.json", kUsers);
  dir.Write("subscribedSkus.json", kSkus);
  auto provider = NewGraphDirProvider(dir.path());
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  EXPECT_EQ((*provider)->name(), "graph_json");

  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->availability.size(), std::size(kAllKinds));
  EXPECT_TRUE(snapshot->Has(EntityKind::kUser));
  EXPECT_TRUE(snapshot->Has(EntityKind::kSku));
  ASSERT_EQ(snapshot->users.size(), 1u);
  EXPECT_EQ(snapshot->users[0].upn, "a@contoso.com");
  EXPECT_EQ(snapshot->users[0].sku_ids, std::vector<std::string>{"s1"});
  ASSERT_EQ(snapshot->skus.size(), 1u);
  EXPECT_EQ(snapshot->skus[0].enabled_units, 5);

  const Availability& reg = snapshot->availability.at(EntityKind::kRegistration);
  EXPECT_FALSE(reg.available);
  EXPECT_EQ(reg.reason, "userRegistrationDetails.json is missing");
  EXPECT_EQ(snapshot->availability.at(EntityKind::kRole).reason, "roleAssignments.json is missing");
  EXPECT_EQ(snapshot->availability.at(EntityKind::kPolicy).reason,
            "conditionalAccessPolicies.json is missing");
  EXPECT_EQ(snapshot->availability.at(EntityKind::kSetting).reason,
            "securityDefaults.json is missing");
  EXPECT_EQ(snapshot->availability.at(EntityKind::kGroup).reason, "groups.json is missing");
  EXPECT_FALSE(snapshot->security_defaults.has_value());
}

TEST(GraphDirProviderTest, EmptyListIsAvailableAndEmpty) {
  TempDir dir;
  dir.Write("users.json", R"({"value":[]})");
  dir.Write("securityDefaults.json", R"({"isEnabled":true})");
  auto provider = NewGraphDirProvider(dir.path());
  ASSERT_TRUE(provider.ok());
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(snapshot->Has(EntityKind::kUser));
  EXPECT_TRUE(snapshot->users.empty());
  EXPECT_EQ(snapshot->availability.at(EntityKind::kUser).reason, "");
  ASSERT_TRUE(snapshot->security_defaults.has_value());
  EXPECT_TRUE(snapshot->security_defaults->enabled);
}

TEST(GraphDirProviderTest, ParseErrorFailsTheWholeFetch) {
  TempDir dir;
  dir.Write("users.json", kUsers);
  dir.Write("subscribedSkus.json", R"({"value":[{"skuId":"s1","consumedUnits":"1"}]})");
  auto provider = NewGraphDirProvider(dir.path());
  ASSERT_TRUE(provider.ok());
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(),
            "subscribedSkus.json: value[0].consumedUnits: expected integer");
}

// users.json and the other files are parsed on two threads; with several
// bad files the error is still the first kind's in kAllKinds order, every
// time.
TEST(GraphDirProviderTest, WithSeveralBadFilesTheFirstKindsErrorIsReported) {
  TempDir dir;
  dir.Write("users.json", R"({"value":[{"id":"u1","accountEnabled":"yes"}]})");
  dir.Write("subscribedSkus.json", R"({"value":[{"skuId":"s1","consumedUnits":"1"}]})");
  dir.Write("userRegistrationDetails.json", "{");
  auto provider = NewGraphDirProvider(dir.path());
  ASSERT_TRUE(provider.ok());
  for (int i = 0; i < 20; ++i) {
    Result<Snapshot> snapshot = (*provider)->Fetch();
    ASSERT_FALSE(snapshot.ok());
    EXPECT_EQ(snapshot.status().message(), "users.json: value[0].accountEnabled: expected boolean");
  }
  dir.Write("users.json", kUsers);
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(),
            "subscribedSkus.json: value[0].consumedUnits: expected integer");
}

constexpr char kGroups[] = R"({"value":[
  {"id":"g1","displayName":"Break glass","securityEnabled":true},
  {"id":"g2","displayName":"Newsletter","securityEnabled":false},
  {"id":"g3","displayName":"Nobody","securityEnabled":true}]})";

Result<Snapshot> FetchDir(const TempDir& dir) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Provider> provider, NewGraphDirProvider(dir.path()));
  return provider->Fetch();
}

TEST(GraphDirProviderTest, SecurityGroupsCarryTheUsersOfTheirMembersFile) {
  TempDir dir;
  dir.Write("groups.json", kGroups);
  dir.Write("groupMembers/g1.json", R"({"value":[
    {"@odata.type":"#microsoft.graph.user","id":"u2"},
    {"@odata.type":"#microsoft.graph.group","id":"g9"},
    {"@odata.type":"#microsoft.graph.user","id":"u1"}]})");
  dir.Write("groupMembers/g2.json", R"({"value":[{"id":"not read: not a security group"}]})");
  dir.Write("groupMembers/g3.json", R"({"value":[]})");
  Result<Snapshot> snapshot = FetchDir(dir);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_TRUE(snapshot->Has(EntityKind::kGroup));
  ASSERT_EQ(snapshot->groups.size(), 3u);
  EXPECT_EQ(snapshot->groups[0].member_ids, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_TRUE(snapshot->groups[1].member_ids.empty());
  EXPECT_TRUE(snapshot->groups[2].member_ids.empty());
}

// A security group without its members file: the members are unknown, so
// groups are not available (their stored rows stay as they were), never a
// group with no members.
TEST(GraphDirProviderTest, AMissingMembersFileMakesGroupsNotAvailable) {
  TempDir dir;
  dir.Write("users.json", kUsers);
  dir.Write("groups.json", kGroups);
  dir.Write("groupMembers/g1.json", R"({"value":[]})");
  Result<Snapshot> snapshot = FetchDir(dir);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  const Availability& groups = snapshot->availability.at(EntityKind::kGroup);
  EXPECT_FALSE(groups.available);
  EXPECT_EQ(groups.reason, "groupMembers/g3.json is missing");
  EXPECT_TRUE(snapshot->groups.empty());
  EXPECT_TRUE(snapshot->Has(EntityKind::kUser));
}

TEST(GraphDirProviderTest, ABadMembersFileFailsTheFetchNamingItAndThePath) {
  TempDir dir;
  dir.Write("groups.json", kGroups);
  dir.Write("groupMembers/g1.json", R"({"value":[{"id":"u1"},{"id":["u2"]}]})");
  dir.Write("groupMembers/g3.json", R"({"value":[]})");
  Result<Snapshot> snapshot = FetchDir(dir);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(), "groupMembers/g1.json: value[1].id: expected string");

  dir.Write("groups.json", R"({"value":[{"id":"../users","securityEnabled":true}]})");
  snapshot = FetchDir(dir);
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(snapshot.status().message(),
            "groups.json: group id \"../users\" cannot name a file of groupMembers/");
}

TEST(GraphDirProviderTest, RefusesFilesAboveTheSizeLimitBeforeReadingThem) {
  TempDir dir;
  dir.Write("users.json", kUsers);
  GraphDirOptions options;
  options.max_file_bytes = 64;
  auto provider = NewGraphDirProvider(dir.path(), options);
  ASSERT_TRUE(provider.ok());
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(), "users.json: file of " +
                                             std::to_string(sizeof(kUsers) - 1) +
                                             " bytes is above the size limit of 64 bytes");
}

TEST(GraphDirProviderTest, DirectoryRemovedAfterCreationFailsFetch) {
  std::string path;
  Result<std::unique_ptr<Provider>> provider = Status::Internal("unset");
  {
    TempDir dir;
    path = dir.path();
    provider = NewGraphDirProvider(path);
    ASSERT_TRUE(provider.ok());
  }
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kNotFound);
  EXPECT_EQ(snapshot.status().message(), "directory " + path + " does not exist");
}

}  // namespace
}  // namespace vigil
