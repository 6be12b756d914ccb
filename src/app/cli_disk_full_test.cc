// `vigil sync` when the database cannot grow, as when its disk is full: the
// user reads the cause first, with the database file, once, and no SQL; the
// data stays as it was. SQLite reports a database that reached
// PRAGMA max_page_count exactly as a full disk ("database or disk is full"),
// so the test sets that limit on every connection the command opens (an
// SQLite auto extension: the command runs in this process).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_test_support.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

constexpr const char* kNow = "2026-01-01T00:00:00Z";

// The page limit every new connection gets (0: none).
std::atomic<int64_t> g_max_pages{0};

int LimitPages(sqlite3* db, const char**, const sqlite3_api_routines*) {
  const int64_t pages = g_max_pages.load();
  if (pages <= 0) return SQLITE_OK;
  const std::string pragma = "PRAGMA max_page_count=" + std::to_string(pages);
  return sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr);
}

// While alive, every SQLite connection opened in this process is limited
// to `pages` pages.
class PageLimit {
 public:
  explicit PageLimit(int64_t pages) {
    g_max_pages = pages;
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(&LimitPages));
  }
  ~PageLimit() {
    sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(&LimitPages));
    g_max_pages = 0;
  }
};

int64_t QueryInt(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return value;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CliDiskFullTest, SyncSaysTheCauseFirstNamesTheFileOnceAndChangesNothing) {
  const std::string dir = testing::NewTempDir();
  const std::string db = dir + "/vigil.db";
  const std::string graph = dir + "/graph";
  SyntheticOptions options;
  options.tenant_name = "contoso";
  options.users = 40;
  options.now = *ParseIso8601(kNow);
  ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
  const std::vector<std::string> sync = {"sync",       "--db", db,      "--tenant", "contoso",
                                         "--from-dir", graph,  "--now", kNow};
  CliRun first = Vigil(sync);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string alerts_before = Vigil({"alerts", "--db", db, "--state", "all", "--json"}).out;
  const int64_t entities_before = QueryInt(db, "SELECT COUNT(*) FROM entities");
  ASSERT_GT(entities_before, 40);

  // Many more users (others: --force past the deletion guard), more pages
  // than the file may have.
  options.users = 3000;
  ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
  std::vector<std::string> forced = sync;
  forced.push_back("--force");
  CliRun full;
  {
    PageLimit limit(QueryInt(db, "PRAGMA page_count"));
    full = Vigil(forced);
  }
  EXPECT_EQ(full.status, 1);
  const std::string first_line = full.err.substr(0, full.err.find('\n'));
  EXPECT_EQ(first_line, "vigil: sync of contoso failed: database " + db +
                            ": database or disk is full (INSERT INTO entities)");
  const std::string seen = full.out + full.err;
  EXPECT_EQ(Occurrences(seen, "database or disk is full"), 1u) << seen;
  for (const char* sql : {"VALUES", "?,", "(?", "INSERT INTO entities ("}) {
    EXPECT_EQ(seen.find(sql), std::string::npos) << sql << " in: " << seen;
  }
  EXPECT_LT(seen.size(), 400u) << seen;

  // Nothing of the failed sync is stored.
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM entities"), entities_before);
  EXPECT_EQ(Vigil({"alerts", "--db", db, "--state", "all", "--json"}).out, alerts_before);
}

}  // namespace
}  // namespace vigil
