// Test fixtures shared by the test binaries (tests only): an in-memory
// database with one tenant and data source, a small hand-made snapshot, and
// temporary directories.
#pragma once

#include <memory>
#include <string>

#include "providers/snapshot.h"
#include "store/db.h"

namespace vigil::testing {

struct TestTenant {
  std::unique_ptr<Db> db;
  int64_t tenant_id = 0;
  int64_t data_source_id = 0;
};

// A fresh database (testing/test_database.h: in-memory SQLite, or PostgreSQL
// in the "pg:" runs), migrated, with tenant `name` and a
// graph_json data source "graph".
TestTenant NewTestTenant(const std::string& name = "contoso");

// A snapshot with every kind available: `users` members "user<i>" (object id
// "u<i>", UPN "user<i>@contoso.example"), all enabled, signed in yesterday,
// each holding SKU "sku-e3"; users 0 and 1 are Global Administrators; every
// user is registered for MFA; security defaults on.
Snapshot SmallSnapshot(int users, TimeMs now);

// A new empty directory under the test temp dir, unique per call. The
// process that made it removes it, with everything in it, when it exits
// normally (a forked child that exits removes nothing); set
// VIGIL_KEEP_TEST_DIRS=1 to keep them for a look after a failure.
std::string NewTempDir();

// Writes `text` to `path` (test helper; fails the test on error).
void WriteFile(const std::string& path, const std::string& text);

// COUNT(*) of `sql` (test helper; fails the test on error).
int64_t Count(Db* db, const std::string& sql);

}  // namespace vigil::testing
