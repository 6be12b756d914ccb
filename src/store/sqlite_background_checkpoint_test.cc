#include "store/sqlite_background_checkpoint.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "store/sqlite_db.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

// Names of this process's threads.
std::vector<std::string> ThreadNames() {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "comm");
    std::string name;
    std::getline(in, name);
    names.push_back(name);
  }
  return names;
}

bool HasThread(const std::string& name) {
  for (const std::string& n : ThreadNames()) {
    if (n == name) return true;
  }
  return false;
}

// Waits up to 10 s for `done`.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// One transaction of 4,000 rows of 6,000 bytes (24 MB): past 1,000 log pages
// of 16 KiB.
constexpr int kLargeRows = 4000;
constexpr uintmax_t kLargeBytes = 20'000'000;
void WriteLargeCommit(Db* db) {
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t (v TEXT)").ok());
  Transaction tx(db);
  ASSERT_TRUE(tx.status().ok());
  const std::string blob(6000, 'x');
  for (int i = 0; i < kLargeRows; ++i) {
    ASSERT_TRUE(db->Execute("INSERT INTO t (v) VALUES (?)", {blob}).ok());
  }
  ASSERT_TRUE(tx.Commit().ok());
}

// The commit that passes the mark wakes a thread of its own, which copies the
// log into the database file while the connection stays open; the rows are
// all there after the close.
TEST(SqliteBackgroundCheckpointTest, ALargeCommitIsCheckpointedByAThreadOfItsOwn) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  {
    auto db = OpenSqliteDb(path).value();
    const auto empty_size = std::filesystem::file_size(path);
    EXPECT_FALSE(HasThread("vigil-wal-ckpt"));
    WriteLargeCommit(db.get());
    EXPECT_TRUE(Eventually([] { return HasThread("vigil-wal-ckpt"); }));
    EXPECT_TRUE(
        Eventually([&] { return std::filesystem::file_size(path) > empty_size + kLargeBytes; }))
        << "database file " << std::filesystem::file_size(path) << " bytes";
  }
  EXPECT_FALSE(HasThread("vigil-wal-ckpt"));  // stopped with its connection
  auto again = OpenSqliteDb(path).value();
  EXPECT_EQ(*again->QueryInt("SELECT COUNT(*) FROM t"), kLargeRows);
}

// Small commits leave the log below the mark: no thread, no checkpoint.
TEST(SqliteBackgroundCheckpointTest, SmallCommitsStartNoThread) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  {
    SqliteBackgroundCheckpoint checkpoint(path);
    checkpoint.Attach(raw);
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO t (v) VALUES ('small')", nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    EXPECT_EQ(checkpoint.checkpoints(), 0);
    EXPECT_FALSE(HasThread("vigil-wal-ckpt"));
    sqlite3_wal_hook(raw, nullptr, nullptr);
  }
  sqlite3_close(raw);
}

// PRAGMA wal_autocheckpoint=0 (a service connection with a WalCheckpointer)
// removes the hook: the log keeps the rows until someone checkpoints.
TEST(SqliteBackgroundCheckpointTest, AutoCheckpointOffTurnsItOff) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  auto db = OpenSqliteDb(path).value();
  ASSERT_TRUE(db->ExecScript("PRAGMA wal_autocheckpoint=0").ok());
  const auto empty_size = std::filesystem::file_size(path);
  WriteLargeCommit(db.get());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(HasThread("vigil-wal-ckpt"));
  EXPECT_EQ(std::filesystem::file_size(path), empty_size);
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), kLargeBytes);
}

}  // namespace
}  // namespace vigil
