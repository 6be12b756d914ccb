#include "testing/fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "common/time.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/test_database.h"

namespace vigil::testing {

TestTenant NewTestTenant(const std::string& name) {
  TestTenant t;
  t.db = OpenTestDatabase();
  if (t.db == nullptr) return t;
  auto tenant = EnsureTenant(t.db.get(), name, 1);
  EXPECT_TRUE(tenant.ok()) << tenant.status().ToString();
  t.tenant_id = tenant->id;
  auto ds = EnsureDataSource(t.db.get(), t.tenant_id, "graph", "graph_json", "{}", 1);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  t.data_source_id = ds->id;
  return t;
}

Snapshot SmallSnapshot(int users, TimeMs now) {
  Snapshot s;
  for (EntityKind kind : kAllKinds) s.availability[kind] = Availability{true, ""};
  SkuRecord sku;
  sku.id = "sku-e3";
  sku.part_number = "SPE_E3";
  sku.enabled_units = users;
  sku.consumed_units = users;
  s.skus.push_back(sku);
  s.roles.push_back(RoleForDefinitionId(kGlobalAdminRoleId));
  for (int i = 0; i < users; ++i) {
    UserRecord u;
    u.id = "u" + std::to_string(i);
    u.upn = "user" + std::to_string(i) + "@contoso.example";
    u.display_name = "User " + std::to_string(i);
    u.created = now - 400 * kMsPerDay;
    u.last_sign_in = now - kMsPerDay;
    u.sku_ids = {"sku-e3"};
    s.users.push_back(u);
    RegistrationRecord r;
    r.user_id = u.id;
    r.upn = u.upn;
    r.mfa_registered = true;
    r.methods = {"microsoftAuthenticatorPush"};
    s.registrations.push_back(r);
    if (i < 2) {
      s.role_assignments.push_back(RoleAssignmentRecord{
          "ra" + std::to_string(i), std::string(kGlobalAdminRoleId), u.id, true});
    }
  }
  s.security_defaults = SecurityDefaultsRecord{true};
  return s;
}

namespace {

// The directories NewTempDir made, removed when the process that made them
// exits. A function-local static: made at the first NewTempDir, so it is
// destroyed after the servers whose data lives in these directories.
class TempDirs {
 public:
  ~TempDirs() {
    const char* keep = std::getenv("VIGIL_KEEP_TEST_DIRS");
    if ((keep != nullptr && *keep != '\0') || ::getpid() != owner_) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::filesystem::path& dir : dirs_) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }
  void Add(std::filesystem::path dir) {
    std::lock_guard<std::mutex> lock(mu_);
    dirs_.push_back(std::move(dir));
  }

 private:
  const pid_t owner_ = ::getpid();
  std::mutex mu_;
  std::vector<std::filesystem::path> dirs_;
};

}  // namespace

std::string NewTempDir() {
  static TempDirs made;
  static std::atomic<int> counter{0};
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      ("vigil-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  made.Add(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  ASSERT_TRUE(out.good()) << "cannot write " << path;
  out << text;
}

int64_t Count(Db* db, const std::string& sql) {
  auto n = db->QueryInt(sql);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() && n->has_value() ? **n : -1;
}

}  // namespace vigil::testing
