#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/sqlite_db.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

TEST(WalCheckpointerTest, WithoutAutoCheckpointTheLogGrowsUntilTheCheckpointerEmptiesIt) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  auto writer = OpenSqliteDb(path).value();
  ASSERT_TRUE(DisableAutoCheckpoint(writer.get()).ok());
  ASSERT_TRUE(writer->ExecScript("CREATE TABLE t (v TEXT)").ok());
  const std::string blob(4000, 'x');
  for (int i = 0; i < 1500; ++i) {  // well past SQLite's 1,000-page automatic threshold
    ASSERT_TRUE(writer->Execute("INSERT INTO t (v) VALUES (?)", {blob}).ok());
  }
  const auto wal_size = [&] { return std::filesystem::file_size(path + "-wal"); };
  const auto before = wal_size();
  EXPECT_GT(before, 1000u * 4096u);

  WalCheckpointer checkpointer(OpenSqliteDb(path).value(), 10);
  ASSERT_TRUE(checkpointer.CheckpointOnce().ok());
  // The log is copied into the database; the next write starts it over.
  ASSERT_TRUE(writer->Execute("INSERT INTO t (v) VALUES ('after')").ok());
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE(writer->Execute("INSERT INTO t (v) VALUES (?)", {blob}).ok());
  }
  EXPECT_LT(wal_size(), before * 3 / 2);  // reused from the start, not appended (2x)
  EXPECT_EQ(*writer->QueryInt("SELECT COUNT(*) FROM t"), 3001);
}

// 1,500 rows of 4,000 bytes written through a connection without automatic
// checkpoints: about 6 MB that only the log holds until a checkpoint copies
// them into the database file.
void FillTheLog(const std::string& path, std::unique_ptr<Db>* writer) {
  *writer = OpenSqliteDb(path).value();
  ASSERT_TRUE(DisableAutoCheckpoint(writer->get()).ok());
  ASSERT_TRUE((*writer)->ExecScript("CREATE TABLE t (v TEXT)").ok());
  const std::string blob(4000, 'x');
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE((*writer)->Execute("INSERT INTO t (v) VALUES (?)", {blob}).ok());
  }
  ASSERT_LT(std::filesystem::file_size(path), 1000u * 1000u);  // not copied yet
}

constexpr uintmax_t kCopied = 1500u * 4000u;  // the database file holds the rows

TEST(WalCheckpointerTest, TheBackgroundThreadCopiesTheLogIntoTheDatabase) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  std::unique_ptr<Db> writer;
  ASSERT_NO_FATAL_FAILURE(FillTheLog(path, &writer));
  WalCheckpointer checkpointer(OpenSqliteDb(path).value(), 5);
  checkpointer.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(path) < kCopied &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(std::filesystem::file_size(path), kCopied);  // before Stop: the thread did it
  checkpointer.Stop();
  checkpointer.Stop();
  EXPECT_TRUE(checkpointer.last_error().ok()) << checkpointer.last_error().message();
}

TEST(WalCheckpointerTest, StopMakesALastCheckpoint) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  std::unique_ptr<Db> writer;
  ASSERT_NO_FATAL_FAILURE(FillTheLog(path, &writer));
  // The thread waits an interval before its first checkpoint: an hour here,
  // so only Stop copies the log within the test.
  WalCheckpointer checkpointer(OpenSqliteDb(path).value(), 3600 * 1000);
  checkpointer.Start();
  checkpointer.Stop();
  EXPECT_GE(std::filesystem::file_size(path), kCopied);
  EXPECT_EQ(*writer->QueryInt("SELECT COUNT(*) FROM t"), 1500);
}

}  // namespace
}  // namespace vigil
