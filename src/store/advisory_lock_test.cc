// Advisory locks (Db::TryLock, AdvisoryLock) and snapshot transactions
// (Db::BeginSnapshot), on SQLite and, in the "pg:" run, on PostgreSQL: the
// guarantees that keep one analysis per tenant at a time and give the
// loader one consistent view.
#include "store/advisory_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::Count;

class AdvisoryLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_ = testing::OpenTestDatabaseFactory();
    a_ = open_();
    b_ = open_();
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
  }

  std::function<std::unique_ptr<Db>()> open_;
  std::unique_ptr<Db> a_, b_;
};

TEST_F(AdvisoryLockTest, ALockHeldByOneConnectionIsRefusedToAnother) {
  const int64_t key = AdvisoryKey(LockSpace::kTenantAnalysis, 7).value();
  const int64_t other = AdvisoryKey(LockSpace::kTenantAnalysis, 8).value();
  ASSERT_EQ(a_->TryLock(key).value(), true);
  EXPECT_EQ(b_->TryLock(key).value(), false);
  EXPECT_EQ(b_->TryLock(other).value(), true);  // another key is free
  ASSERT_TRUE(a_->Unlock(key).ok());
  EXPECT_EQ(b_->TryLock(key).value(), true);
  EXPECT_EQ(a_->TryLock(key).value(), false);
  ASSERT_TRUE(b_->Unlock(key).ok());
  ASSERT_TRUE(b_->Unlock(other).ok());
}

TEST_F(AdvisoryLockTest, AClosedConnectionHoldsNothing) {
  const int64_t key = AdvisoryKey(LockSpace::kTenantAnalysis, 3).value();
  ASSERT_EQ(a_->TryLock(key).value(), true);
  ASSERT_EQ(b_->TryLock(key).value(), false);
  a_.reset();  // as a crashed process: the lock goes with the connection
  bool got = false;
  // PostgreSQL ends the backend of a closed connection asynchronously.
  for (int i = 0; i < 200 && !got; ++i) {
    got = b_->TryLock(key).value();
    if (!got) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(got);
}

TEST_F(AdvisoryLockTest, AcquireWaitsForTheHolderToRelease) {
  std::atomic<bool> released{false};
  Result<AdvisoryLock> held =
      AdvisoryLock::Acquire(a_.get(), LockSpace::kTenantAnalysis, 5, 1000, "tenant 5");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(held->waited_ms(), 0);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    released = true;
    AdvisoryLock gone = std::move(held).value();  // destroyed here: unlocked
  });
  Result<AdvisoryLock> second =
      AdvisoryLock::Acquire(b_.get(), LockSpace::kTenantAnalysis, 5, 10000, "tenant 5");
  releaser.join();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(released.load());
  EXPECT_GE(second->waited_ms(), 50);
}

TEST_F(AdvisoryLockTest, AcquireGivesUpAfterItsWaitAsUnavailable) {
  Result<AdvisoryLock> held =
      AdvisoryLock::Acquire(a_.get(), LockSpace::kTenantAnalysis, 9, 1000, "tenant 9");
  ASSERT_TRUE(held.ok());
  Result<AdvisoryLock> second = AdvisoryLock::Acquire(b_.get(), LockSpace::kTenantAnalysis, 9, 30,
                                                      "the analysis lock of tenant 9");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "the analysis lock of tenant 9: still held by another connection after 30 ms");
}

TEST(AdvisoryKeyTest, SpacesKeepIdsApartAndIdsMustFit) {
  // The space in the bits above the 48 of the id: no id of one space can
  // meet a key of another, or a bare id.
  EXPECT_EQ(AdvisoryKey(LockSpace::kTenantAnalysis, 1).value(), (int64_t{1} << 48) | 1);
  EXPECT_EQ(AdvisoryKey(LockSpace::kTenantAnalysis, (int64_t{1} << 48) - 1).value(),
            (int64_t{2} << 48) - 1);
  EXPECT_EQ(AdvisoryKey(LockSpace::kTenantAnalysis, -1).status().ToString(),
            "invalid argument: advisory lock id -1 out of range");
  EXPECT_EQ(AdvisoryKey(LockSpace::kTenantAnalysis, int64_t{1} << 48).status().ToString(),
            "invalid argument: advisory lock id 281474976710656 out of range");
}

class SnapshotTransactionTest : public AdvisoryLockTest {};

TEST_F(SnapshotTransactionTest, ReadsSeeOneSnapshotWhateverOthersCommit) {
  ASSERT_TRUE(EnsureTenant(b_.get(), "contoso", 1).ok());
  {
    Transaction snapshot(a_.get(), Transaction::Kind::kSnapshot);
    ASSERT_TRUE(snapshot.status().ok()) << snapshot.status().ToString();
    EXPECT_EQ(Count(a_.get(), "SELECT COUNT(*) FROM tenants"), 1);
    ASSERT_TRUE(EnsureTenant(b_.get(), "fabrikam", 2).ok());  // commits on its own
    EXPECT_EQ(Count(a_.get(), "SELECT COUNT(*) FROM tenants"), 1);
    ASSERT_TRUE(snapshot.Commit().ok());
  }
  EXPECT_EQ(Count(a_.get(), "SELECT COUNT(*) FROM tenants"), 2);
}

}  // namespace
}  // namespace vigil
