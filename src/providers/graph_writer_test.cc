#include "providers/graph_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "providers/graph_dir_provider.h"
#include "providers/snapshot_diff.h"
#include "providers/synthetic.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil_graph_writer_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Read(const std::string& name) const {
    std::ifstream in(fs::path(path_) / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string path_;
};

Result<Snapshot> FetchDir(const std::string& dir) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Provider> provider, NewGraphDirProvider(dir));
  return provider->Fetch();
}

TEST(GraphWriterTest, GeneratedTenantRoundTripsThroughTheGraphJsonProvider) {
  for (uint64_t seed : {1, 2, 3}) {
    SyntheticOptions options;
    options.seed = seed;
    options.users = 400;
    options.ca_mode = seed == 2 ? SyntheticOptions::kEnabled : SyntheticOptions::kReportOnly;
    options.legacy_auth_blocked = seed == 3;
    const Snapshot original = GenerateTenant(options);
    TempDir dir;
    const std::string out = dir.path() + "/tenant/graph";  // parents are created
    ASSERT_TRUE(WriteGraphDirectory(original, out).ok());
    Result<Snapshot> fetched = FetchDir(out);
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    EXPECT_EQ(SnapshotDiff(original, *fetched), "") << "seed " << seed;
  }
}

TEST(GraphWriterTest, AwkwardValuesRoundTrip) {
  Snapshot s;
  for (EntityKind kind : kAllKinds) s.availability[kind] = Availability{true, ""};
  UserRecord u;
  u.id = "u\"1";
  u.upn = "zoë.o'brien@contoso.com";
  u.display_name = "Zoë \"Z\" O'Brien\\日本\n";
  u.created = 1700000000123;  // milliseconds survive
  u.last_sign_in = 1700000100000;
  u.last_successful_sign_in = 1700000050000;
  u.sku_ids = {"a", "b"};
  s.users.push_back(u);
  UserRecord never;
  never.id = "u2";
  never.enabled = false;
  never.guest = true;
  s.users.push_back(never);
  s.registrations.push_back({"u2", "", false, {}, {}});
  s.policies.push_back({"p1", "No controls", "disabled", false, {}, {}});
  s.security_defaults = SecurityDefaultsRecord{true};
  s.groups.push_back({"g1", "", true, {"u\"1", "u2"}});
  s.groups.push_back({"g2", "Empty", true, {}});
  TempDir dir;
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  Result<Snapshot> fetched = FetchDir(dir.path());
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(SnapshotDiff(s, *fetched), "");
}

TEST(GraphWriterTest, WritesGraphsOwnShapes) {
  const Snapshot s = GenerateTenant(SyntheticOptions());
  TempDir dir;
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  const std::string users = dir.Read("users.json");
  EXPECT_EQ(
      users.rfind("{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users", 0), 0u);
  EXPECT_NE(users.find("\"userType\":\"Guest\""), std::string::npos);
  EXPECT_NE(users.find("\"userType\":\"Member\""), std::string::npos);
  EXPECT_NE(users.find("\"assignedLicenses\":[{\"disabledPlans\":[],\"skuId\":"),
            std::string::npos);
  EXPECT_NE(users.find("\"signInActivity\":null"), std::string::npos);
  EXPECT_NE(users.find("\"lastNonInteractiveSignInDateTime\":\""), std::string::npos);
  const std::string roles = dir.Read("roleAssignments.json");
  EXPECT_NE(roles.find("\"principal\":{\"@odata.type\":\"#microsoft.graph.user\""),
            std::string::npos);
  EXPECT_NE(roles.find("\"@odata.type\":\"#microsoft.graph.servicePrincipal\""), std::string::npos);
  EXPECT_NE(dir.Read("subscribedSkus.json").find("\"prepaidUnits\":{\"enabled\":"),
            std::string::npos);
  EXPECT_NE(dir.Read("securityDefaults.json").find("\"isEnabled\":false"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "users.json.tmp"));
}

TEST(GraphWriterTest, WritesTheMembersOfSecurityGroupsAsGraphAnswersThem) {
  Snapshot s;
  s.availability[EntityKind::kGroup] = Availability{true, ""};
  s.groups.push_back({"g1", "Break glass", true, {"u1", "u2"}});
  s.groups.push_back({"g2", "Newsletter", false, {}});
  s.groups.push_back({"g3", "Nobody", true, {}});
  TempDir dir;
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  EXPECT_EQ(
      dir.Read("groupMembers/g1.json"),
      "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id)\","
      "\"value\":[\n{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u1\"},\n"
      "{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u2\"}\n]}\n");
  EXPECT_EQ(
      dir.Read("groupMembers/g3.json"),
      "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id)\","
      "\"value\":[\n]}\n");
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "groupMembers/g2.json"));  // members not read

  // A group that is gone loses its file; groups not available lose them all.
  s.groups.erase(s.groups.begin());
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "groupMembers/g1.json"));
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "groupMembers/g3.json"));
  s.availability[EntityKind::kGroup] = Availability{false, "not asked"};
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "groupMembers"));

  s.availability[EntityKind::kGroup] = Availability{true, ""};
  s.groups = {{"../escape", "Bad", true, {}}};
  const Status bad = WriteGraphDirectory(s, dir.path());
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.message(), "group id \"../escape\" cannot name a file of groupMembers/");
}

TEST(GraphWriterTest, KindsNotAvailableGetNoFile) {
  Snapshot s = GenerateTenant(SyntheticOptions());
  TempDir dir;
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());
  ASSERT_TRUE(fs::exists(fs::path(dir.path()) / "userRegistrationDetails.json"));

  s.availability[EntityKind::kRegistration] = Availability{false, "no permission"};
  s.availability[EntityKind::kGroup] = Availability{false, "not asked"};
  ASSERT_TRUE(WriteGraphDirectory(s, dir.path()).ok());  // over the previous files
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "userRegistrationDetails.json"));
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "groups.json"));

  Result<Snapshot> fetched = FetchDir(dir.path());
  ASSERT_TRUE(fetched.ok());
  EXPECT_FALSE(fetched->Has(EntityKind::kRegistration));
  EXPECT_EQ(fetched->availability.at(EntityKind::kRegistration).reason,
            "userRegistrationDetails.json is missing");
  EXPECT_TRUE(fetched->registrations.empty());
  EXPECT_TRUE(fetched->Has(EntityKind::kUser));
  EXPECT_EQ(fetched->users.size(), s.users.size());
}

TEST(GraphWriterTest, DirectoryThatCannotBeCreatedIsAnIoError) {
  TempDir dir;
  const std::string file = dir.path() + "/plain-file";
  std::ofstream(file) << "x";
  Status s = WriteGraphDirectory(Snapshot(), file + "/sub");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.message().rfind(file + "/sub: cannot create directory: ", 0), 0u) << s.message();
  s = WriteGraphDirectory(Snapshot(), file);
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.message().rfind(file + ": ", 0), 0u) << s.message();
}

}  // namespace
}  // namespace vigil
