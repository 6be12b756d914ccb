#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>

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

TEST(WalCheckpointerTest, BackgroundThreadRunsAndStops) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  WalCheckpointer checkpointer(OpenSqliteDb(path).value(), 5);
  checkpointer.Start();
  checkpointer.Stop();
  checkpointer.Stop();
  EXPECT_TRUE(checkpointer.last_error().ok()) << checkpointer.last_error().message();
}

}  // namespace
}  // namespace vigil
