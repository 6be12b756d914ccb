#include "providers/google_dir_provider.h"

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
    std::string pattern = (fs::temp_directory_path() / "vigil_google_dir_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& body) const {
    std::ofstream(fs::path(path_) / name, std::ios::binary) << body;
  }

 private:
  std::string path_;
};

constexpr char kUsers[] = R"({"kind":"admin#directory#users","users":[
  {"id":"1001","primaryEmail":"ana@acme.example","name":{"fullName":"Ana Lima"},
   "isEnrolledIn2Sv":true,"isEnforcedIn2Sv":false,"suspended":false,
   "lastLoginTime":"2025-12-01T10:00:00.000Z"},
  {"id":"1002","primaryEmail":"bo@acme.example","suspended":true,
   "lastLoginTime":"1970-01-01T00:00:00.000Z"}]})";
constexpr char kRoles[] = R"({"items":[
  {"roleId":"9001","roleName":"_SEED_ADMIN_ROLE","isSuperAdminRole":true},
  {"roleId":"9002","roleName":"_HELP_DESK_ADMIN_ROLE","isSuperAdminRole":false}]})";
constexpr char kAssignments[] = R"({"items":[
  {"roleAssignmentId":"1","roleId":"9001","assignedTo":"1001","assigneeType":"user"},
  {"roleAssignmentId":"2","roleId":"9002","assignedTo":"g7","assigneeType":"group"}]})";
constexpr char kLicenses[] = R"({"items":[
  {"productId":"Google-Apps","skuId":"1010020020","skuName":"Enterprise Plus","userId":"ana@acme.example"},
  {"productId":"Google-Apps","skuId":"1010020020","skuName":"Enterprise Plus","userId":"BO@acme.example"}],
  "nextPageToken":"ignored"})";

void WriteAll(const TempDir& dir) {
  dir.Write("users.json", kUsers);
  dir.Write("roles.json", kRoles);
  dir.Write("roleAssignments.json", kAssignments);
  dir.Write("licenseAssignments.json", kLicenses);
}

Snapshot FetchOk(const TempDir& dir) {
  auto provider = NewGoogleDirProvider(dir.path());
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
  if (!provider.ok()) return {};
  Result<Snapshot> snapshot = (*provider)->Fetch();
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  return snapshot.ok() ? *std::move(snapshot) : Snapshot{};
}

std::string FetchError(const TempDir& dir) {
  auto provider = NewGoogleDirProvider(dir.path());
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
  if (!provider.ok()) return "";
  Result<Snapshot> snapshot = (*provider)->Fetch();
  EXPECT_FALSE(snapshot.ok());
  return snapshot.status().message();
}

TEST(GoogleDirProviderTest, MissingDirectoryIsNotFound) {
  TempDir dir;
  auto provider = NewGoogleDirProvider(dir.path() + "/nope");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), Code::kNotFound);
  EXPECT_EQ(provider.status().message(), "directory " + dir.path() + "/nope does not exist");

  dir.Write("file.txt", "x");
  provider = NewGoogleDirProvider(dir.path() + "/file.txt");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().message(), dir.path() + "/file.txt is not a directory");

  // A directory that disappears after the provider was made.
  fs::create_directory(dir.path() + "/gone");
  provider = NewGoogleDirProvider(dir.path() + "/gone");
  ASSERT_TRUE(provider.ok());
  fs::remove(dir.path() + "/gone");
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kNotFound);
}

TEST(GoogleDirProviderTest, ReadsEveryFileIntoTheSnapshot) {
  TempDir dir;
  WriteAll(dir);
  auto provider = NewGoogleDirProvider(dir.path());
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->name(), "google_json");
  Snapshot s = FetchOk(dir);

  EXPECT_EQ(s.availability.size(), std::size(kAllKinds));
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn,
                          EntityKind::kRole, EntityKind::kSku}) {
    EXPECT_TRUE(s.Has(kind)) << KindName(kind);
  }
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.users[0].display_name, "Ana Lima");
  EXPECT_EQ(s.users[0].sku_ids, std::vector<std::string>{"1010020020"});
  EXPECT_EQ(s.users[1].sku_ids, std::vector<std::string>{"1010020020"});
  EXPECT_FALSE(s.users[1].enabled);
  EXPECT_EQ(s.users[1].last_sign_in, std::nullopt);
  ASSERT_EQ(s.registrations.size(), 2u);
  EXPECT_TRUE(s.registrations[0].mfa_registered);
  EXPECT_EQ(s.registrations[0].mfa_enforced, std::optional<bool>(false));
  ASSERT_EQ(s.roles.size(), 2u);
  EXPECT_EQ(s.roles[0].name, "Super Admin");
  EXPECT_TRUE(s.roles[0].global_admin);
  ASSERT_EQ(s.role_assignments.size(), 2u);
  EXPECT_TRUE(s.role_assignments[0].principal_is_user);
  EXPECT_FALSE(s.role_assignments[1].principal_is_user);
  ASSERT_EQ(s.skus.size(), 1u);
  EXPECT_EQ(s.skus[0].part_number, "Enterprise Plus");
  EXPECT_EQ(s.skus[0].consumed_units, 2);
  EXPECT_EQ(s.skus[0].enabled_units, 0);
}

TEST(GoogleDirProviderTest, WorkspaceLacksPoliciesSettingsAndGroups) {
  TempDir dir;
  WriteAll(dir);
  Snapshot s = FetchOk(dir);
  const Availability& policy = s.availability.at(EntityKind::kPolicy);
  EXPECT_FALSE(policy.available);
  EXPECT_EQ(policy.reason, "Google Workspace has no conditional access policies");
  EXPECT_EQ(s.availability.at(EntityKind::kSetting).reason,
            "Google Workspace has no security defaults");
  EXPECT_EQ(s.availability.at(EntityKind::kGroup).reason, "Google Workspace has no groups synced");
  EXPECT_FALSE(s.Has(EntityKind::kSetting));
  EXPECT_FALSE(s.Has(EntityKind::kGroup));
  EXPECT_TRUE(s.policies.empty());
  EXPECT_FALSE(s.security_defaults.has_value());
  EXPECT_TRUE(s.groups.empty());
}

TEST(GoogleDirProviderTest, MissingFilesAreNotAvailableNotEmpty) {
  TempDir dir;
  dir.Write("roles.json", kRoles);
  dir.Write("licenseAssignments.json", kLicenses);
  Snapshot s = FetchOk(dir);
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn}) {
    const Availability& a = s.availability.at(kind);
    EXPECT_FALSE(a.available) << KindName(kind);
    EXPECT_EQ(a.reason, "users.json is missing") << KindName(kind);
  }
  EXPECT_TRUE(s.users.empty());
  EXPECT_EQ(s.availability.at(EntityKind::kRole).reason, "roleAssignments.json is missing");
  EXPECT_TRUE(s.roles.empty());
  // Licenses without users: the SKUs and their seats are still known.
  EXPECT_TRUE(s.Has(EntityKind::kSku));
  ASSERT_EQ(s.skus.size(), 1u);
  EXPECT_EQ(s.skus[0].consumed_units, 2);

  TempDir only_assignments;
  only_assignments.Write("users.json", kUsers);
  only_assignments.Write("roleAssignments.json", kAssignments);
  s = FetchOk(only_assignments);
  EXPECT_EQ(s.availability.at(EntityKind::kRole).reason, "roles.json is missing");
  EXPECT_TRUE(s.role_assignments.empty());
  // No licenses file: no SKUs, and the users hold none.
  const Availability& sku = s.availability.at(EntityKind::kSku);
  EXPECT_FALSE(sku.available);
  EXPECT_EQ(sku.reason, "licenseAssignments.json is missing");
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_TRUE(s.users[0].sku_ids.empty());
  EXPECT_TRUE(s.Has(EntityKind::kUser));

  TempDir empty;
  s = FetchOk(empty);
  EXPECT_EQ(s.availability.at(EntityKind::kRole).reason,
            "roles.json and roleAssignments.json are missing");
  EXPECT_EQ(s.availability.size(), std::size(kAllKinds));
}

TEST(GoogleDirProviderTest, ABadFileFailsTheFetchNamingFileAndPosition) {
  TempDir dir;
  WriteAll(dir);
  dir.Write("roleAssignments.json", R"({"items":[{"roleAssignmentId":"1","roleId":"9"}]})");
  EXPECT_EQ(FetchError(dir),
            "roleAssignments.json: items[0]: missing required field \"assignedTo\"");
  // With several bad files, users.json's error comes first.
  dir.Write("users.json", R"({"users":[{"id":"1","primaryEmail":"a@x","suspended":"no"}]})");
  EXPECT_EQ(FetchError(dir), "users.json: users[0].suspended: expected boolean");
  dir.Write("users.json", kUsers);
  dir.Write("roleAssignments.json", kAssignments);
  dir.Write("licenseAssignments.json", R"({"items":{}})");
  EXPECT_EQ(FetchError(dir), "licenseAssignments.json: \"items\" must be an array");
  dir.Write("licenseAssignments.json", R"({"items":[)");
  EXPECT_EQ(FetchError(dir).rfind("licenseAssignments.json: malformed JSON", 0), 0u);
}

TEST(GoogleDirProviderTest, FilesAboveTheLimitAndNonFilesFail) {
  TempDir dir;
  WriteAll(dir);
  GoogleDirOptions options;
  options.max_file_bytes = 100;
  auto provider = NewGoogleDirProvider(dir.path(), options);
  ASSERT_TRUE(provider.ok());
  Result<Snapshot> s = (*provider)->Fetch();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "users.json: file of " + std::to_string(sizeof(kUsers) - 1) +
                                      " bytes is above the size limit of 100 bytes");

  TempDir with_dir;
  fs::create_directory(with_dir.path() + "/roles.json");
  s = (*NewGoogleDirProvider(with_dir.path()))->Fetch();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kIoError);
  EXPECT_EQ(s.status().message(), with_dir.path() + "/roles.json: not a regular file");
}

}  // namespace
}  // namespace vigil
