#include "providers/google_synthetic.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "providers/google_dir_provider.h"
#include "providers/google_writer.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil_google_synth_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Read(const std::string& name) const {
    std::ifstream in(fs::path(path_) / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

// Users, registrations, roles, assignments and SKUs, field by field.
void ExpectSameSnapshot(const Snapshot& a, const Snapshot& b) {
  ASSERT_EQ(a.users.size(), b.users.size());
  for (size_t i = 0; i < a.users.size(); ++i) {
    const UserRecord &x = a.users[i], &y = b.users[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.upn, y.upn);
    EXPECT_EQ(x.display_name, y.display_name) << x.id;
    EXPECT_EQ(x.enabled, y.enabled) << x.id;
    EXPECT_EQ(x.guest, y.guest) << x.id;
    EXPECT_EQ(x.created, y.created) << x.id;
    EXPECT_EQ(x.last_sign_in, y.last_sign_in) << x.id;
    EXPECT_EQ(x.last_successful_sign_in, y.last_successful_sign_in) << x.id;
    EXPECT_EQ(x.sku_ids, y.sku_ids) << x.id;
  }
  ASSERT_EQ(a.registrations.size(), b.registrations.size());
  for (size_t i = 0; i < a.registrations.size(); ++i) {
    EXPECT_EQ(a.registrations[i].user_id, b.registrations[i].user_id);
    EXPECT_EQ(a.registrations[i].upn, b.registrations[i].upn);
    EXPECT_EQ(a.registrations[i].mfa_registered, b.registrations[i].mfa_registered);
    EXPECT_EQ(a.registrations[i].mfa_enforced, b.registrations[i].mfa_enforced);
  }
  ASSERT_EQ(a.roles.size(), b.roles.size());
  for (size_t i = 0; i < a.roles.size(); ++i) {
    EXPECT_EQ(a.roles[i].id, b.roles[i].id);
    EXPECT_EQ(a.roles[i].name, b.roles[i].name);
    EXPECT_EQ(a.roles[i].global_admin, b.roles[i].global_admin);
  }
  ASSERT_EQ(a.role_assignments.size(), b.role_assignments.size());
  for (size_t i = 0; i < a.role_assignments.size(); ++i) {
    EXPECT_EQ(a.role_assignments[i].id, b.role_assignments[i].id);
    EXPECT_EQ(a.role_assignments[i].role_id, b.role_assignments[i].role_id);
    EXPECT_EQ(a.role_assignments[i].principal_id, b.role_assignments[i].principal_id);
    EXPECT_EQ(a.role_assignments[i].principal_is_user, b.role_assignments[i].principal_is_user);
  }
  ASSERT_EQ(a.skus.size(), b.skus.size());
  for (size_t i = 0; i < a.skus.size(); ++i) {
    EXPECT_EQ(a.skus[i].id, b.skus[i].id);
    EXPECT_EQ(a.skus[i].part_number, b.skus[i].part_number);
    EXPECT_EQ(a.skus[i].consumed_units, b.skus[i].consumed_units);
    EXPECT_EQ(a.skus[i].enabled_units, b.skus[i].enabled_units);
  }
  ASSERT_EQ(a.availability.size(), b.availability.size());
  for (const auto& [kind, availability] : a.availability) {
    EXPECT_EQ(availability.available, b.availability.at(kind).available) << KindName(kind);
    EXPECT_EQ(availability.reason, b.availability.at(kind).reason) << KindName(kind);
  }
}

TEST(GoogleSyntheticTest, WrittenDirectoryReadsBackAsTheSnapshot) {
  GoogleSyntheticOptions options;
  options.users = 300;
  const GoogleTenant tenant = GenerateGoogleTenant(options);
  TempDir dir;
  ASSERT_TRUE(WriteGoogleDirectory(tenant, dir.path()).ok());
  auto provider = NewGoogleDirProvider(dir.path());
  ASSERT_TRUE(provider.ok());
  Result<Snapshot> read = (*provider)->Fetch();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSameSnapshot(GoogleTenantSnapshot(tenant), *read);

  // The files carry Google's own shapes.
  const std::string users = dir.Read("users.json");
  EXPECT_NE(users.find("\"lastLoginTime\":\"1970-01-01T00:00:00.000Z\""), std::string::npos);
  EXPECT_NE(users.find("\"isEnforcedIn2Sv\":false"), std::string::npos);
  EXPECT_NE(users.find("\"isAdmin\":true"), std::string::npos);
  EXPECT_NE(dir.Read("roles.json").find("\"roleName\":\"_SEED_ADMIN_ROLE\""), std::string::npos);
  EXPECT_NE(dir.Read("licenseAssignments.json").find("\"productId\":\"Google-Apps\""),
            std::string::npos);
}

TEST(GoogleSyntheticTest, SameOptionsSameTenantOtherSeedOtherTenant) {
  GoogleSyntheticOptions options;
  options.users = 200;
  TempDir a, b, c;
  ASSERT_TRUE(WriteGoogleDirectory(GenerateGoogleTenant(options), a.path()).ok());
  ASSERT_TRUE(WriteGoogleDirectory(GenerateGoogleTenant(options), b.path()).ok());
  options.seed = 2;
  ASSERT_TRUE(WriteGoogleDirectory(GenerateGoogleTenant(options), c.path()).ok());
  for (const char* file :
       {"users.json", "roles.json", "roleAssignments.json", "licenseAssignments.json"}) {
    EXPECT_EQ(a.Read(file), b.Read(file)) << file;
    EXPECT_NE(a.Read(file), c.Read(file)) << file;
  }
}

TEST(GoogleSyntheticTest, OptionsShapeTheTenant) {
  GoogleSyntheticOptions o;
  o.users = 1000;
  o.super_admins = 5;
  o.other_admins = 2;
  o.stale_admins = 2;
  o.suspended_rate = 0.10;
  o.stale_rate = 0.20;
  o.never_signed_in_rate = 0.05;
  o.no_2sv_rate = 0.30;
  o.admin_no_2sv_rate = 0;
  o.not_enforced_rate = 0.40;
  o.skus = 3;
  const Snapshot s = GoogleTenantSnapshot(GenerateGoogleTenant(o));
  ASSERT_EQ(s.users.size(), 1000u);
  std::set<std::string> emails;
  for (const UserRecord& u : s.users) {
    EXPECT_EQ(u.upn.substr(u.upn.find('@')), "@acme.example");
    EXPECT_EQ(u.id.size(), 21u);
    emails.insert(u.upn);
  }
  EXPECT_EQ(emails.size(), 1000u);

  const RoleRecord& super = s.roles.at(0);
  EXPECT_TRUE(super.global_admin);
  size_t super_holders = 0, other_holders = 0, group_holders = 0;
  for (const RoleAssignmentRecord& a : s.role_assignments) {
    if (!a.principal_is_user)
      ++group_holders;
    else if (a.role_id == super.id)
      ++super_holders;
    else
      ++other_holders;
  }
  EXPECT_EQ(super_holders, 5u);
  EXPECT_EQ(other_holders, 4u);  // 2 other admins and 2 stale admins
  EXPECT_EQ(group_holders, 1u);

  // 991 regular users: 10% suspended (99), then of the 892 enabled 20%
  // stale (178) and 5% never signed in (45); one stale admin is suspended,
  // the other stale.
  const TimeMs stale_before = o.now - 90LL * 86400 * 1000;
  size_t suspended = 0, stale = 0, never = 0, not_enrolled = 0, not_enforced = 0;
  for (size_t i = 0; i < s.users.size(); ++i) {
    const UserRecord& u = s.users[i];
    if (!u.enabled) ++suspended;
    if (u.enabled && u.last_sign_in && *u.last_sign_in < stale_before) ++stale;
    if (u.enabled && !u.last_sign_in && u.created && *u.created < stale_before) ++never;
    if (!s.registrations[i].mfa_registered) ++not_enrolled;
    if (!s.registrations[i].mfa_enforced.value()) ++not_enforced;
  }
  EXPECT_EQ(suspended, 99u + 1u);
  EXPECT_EQ(stale, 178u + 1u);
  EXPECT_EQ(never, 45u);
  EXPECT_EQ(not_enrolled, 297u);  // 30% of 991
  EXPECT_EQ(not_enforced, 400u);

  ASSERT_EQ(s.skus.size(), 3u);
  EXPECT_EQ(s.skus[0].id, "1010020020");
  EXPECT_EQ(s.skus[0].part_number, "Google Workspace Enterprise Plus");
  // 97% of 991 regular users are licensed, and the 9 admins.
  EXPECT_EQ(s.skus[0].consumed_units, 961 + 9);
  EXPECT_EQ(s.skus[0].enabled_units, 0);
}

TEST(GoogleSyntheticTest, SharesPeopleWithAMicrosoft365TenantByEmail) {
  SyntheticOptions m365;
  m365.tenant_name = "contoso";
  m365.seed = 11;
  m365.users = 60;
  const Snapshot ms = GenerateTenant(m365);
  std::vector<const UserRecord*> members;
  std::set<std::string> upns;
  for (const UserRecord& u : ms.users) {
    upns.insert(u.upn);
    if (u.enabled && !u.guest) members.push_back(&u);
  }

  GoogleSyntheticOptions o;
  o.users = 40;
  o.same_people_as = m365;
  o.shared_people = 15;
  const GoogleTenant t = GenerateGoogleTenant(o);
  ASSERT_EQ(t.users.size(), 40u);
  EXPECT_EQ(t.shared_people, 15u);
  for (size_t i = 0; i < t.users.size(); ++i) {
    const UserRecord& u = t.users[i];
    EXPECT_EQ(u.upn.substr(u.upn.find('@')), "@contoso.onmicrosoft.com");
    if (i < 15) {
      EXPECT_EQ(u.upn, members[i]->upn);
      EXPECT_EQ(u.display_name, members[i]->display_name);
    } else {
      EXPECT_EQ(upns.count(u.upn), 0u) << u.upn;
    }
  }
  // More than the tenant's enabled members: all of them.
  o.shared_people = 1000;
  EXPECT_EQ(GenerateGoogleTenant(o).shared_people, std::min<size_t>(40, members.size()));
  // Without sharing, the same seed gives the tenant its own domain.
  o.same_people_as.reset();
  EXPECT_EQ(GenerateGoogleTenant(o).users[0].upn.find("onmicrosoft"), std::string::npos);
}

TEST(GoogleSyntheticTest, WriterFailsNamingThePath) {
  TempDir dir;
  std::ofstream(fs::path(dir.path()) / "file") << "x";
  Status s = WriteGoogleDirectory(GoogleTenant{}, dir.path() + "/file");
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.message().rfind(dir.path() + "/file: ", 0), 0u) << s.message();
}

}  // namespace
}  // namespace vigil
