#include "store/sqlite_write_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "store/sqlite_db.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

std::unique_ptr<Db> Open(const std::string& path, int busy_timeout_ms) {
  SqliteOptions options;
  options.busy_timeout_ms = busy_timeout_ms;
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

class SqliteWriteGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempDir() + "/gate.db";
    first_ = Open(path_, 10000);
    ASSERT_NE(first_, nullptr);
    ASSERT_TRUE(first_->ExecScript("CREATE TABLE t (v INTEGER)").ok());
  }

  std::string path_;
  std::unique_ptr<Db> first_;
};

TEST_F(SqliteWriteGateTest, SecondWriterOfTheProcessWaitsForTheCommitThenWrites) {
  ASSERT_TRUE(first_->Begin().ok());
  ASSERT_TRUE(first_->Execute("INSERT INTO t VALUES (1)").ok());
  std::unique_ptr<Db> second = Open(path_, 10000);
  std::atomic<bool> begun{false};
  Status second_status;
  std::thread writer([&] {
    second_status = second->Begin();
    begun = true;
    if (second_status.ok()) second_status = second->Execute("INSERT INTO t VALUES (2)");
    if (second_status.ok()) second_status = second->Commit();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(begun) << "the second write transaction began while the first was open";
  ASSERT_TRUE(first_->Commit().ok());
  writer.join();
  EXPECT_TRUE(second_status.ok()) << second_status.ToString();
  Result<std::optional<int64_t>> rows = first_->QueryInt("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->value_or(-1), 2);
}

TEST_F(SqliteWriteGateTest, WaitIsBoundedByTheBusyTimeoutWithAClearError) {
  ASSERT_TRUE(first_->Begin().ok());
  std::unique_ptr<Db> impatient = Open(path_, 50);
  const Status s = impatient->Begin();
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("gate.db"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("another write transaction of this process"), std::string::npos)
      << s.message();
  EXPECT_FALSE(impatient->InTransaction());
  ASSERT_TRUE(first_->Commit().ok());
  EXPECT_TRUE(impatient->Begin().ok());
  EXPECT_TRUE(impatient->Rollback().ok());
}

TEST_F(SqliteWriteGateTest, RollbackAndClosingReleaseTheGate) {
  std::unique_ptr<Db> other = Open(path_, 50);
  ASSERT_TRUE(first_->Begin().ok());
  ASSERT_TRUE(first_->Rollback().ok());
  ASSERT_TRUE(other->Begin().ok()) << "not released by Rollback";
  ASSERT_TRUE(other->Execute("INSERT INTO t VALUES (3)").ok());
  other.reset();  // closed inside its transaction: rolled back, gate released
  ASSERT_TRUE(first_->Begin().ok()) << "not released by closing the connection";
  Result<std::optional<int64_t>> rows = first_->QueryInt("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->value_or(-1), 0);
  EXPECT_TRUE(first_->Commit().ok());
}

TEST_F(SqliteWriteGateTest, AFailedNestedBeginKeepsTheOpenTransactionsGate) {
  ASSERT_TRUE(first_->Begin().ok());
  EXPECT_FALSE(first_->Begin().ok());  // a transaction within a transaction
  ASSERT_TRUE(first_->InTransaction());
  std::unique_ptr<Db> other = Open(path_, 50);
  EXPECT_EQ(other->Begin().code(), Code::kUnavailable);
  ASSERT_TRUE(first_->Commit().ok());
  EXPECT_TRUE(other->Begin().ok());
  EXPECT_TRUE(other->Commit().ok());
}

TEST(SqliteWriteGate, OneGatePerFileWhileInUse) {
  std::shared_ptr<SqliteWriteGate> a = SqliteWriteGate::Find("/x/a.db");
  EXPECT_EQ(SqliteWriteGate::Find("/x/a.db"), a);
  EXPECT_NE(SqliteWriteGate::Find("/x/b.db"), a);
  ASSERT_TRUE(a->Acquire(0));
  EXPECT_FALSE(a->Acquire(10));
  a->Release();
  EXPECT_TRUE(a->Acquire(10));
  a->Release();
}

}  // namespace
}  // namespace vigil
