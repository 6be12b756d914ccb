#include "sync/stored_users.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "providers/snapshot_diff.h"
#include "sync/syncer.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1'780'000'000'000;

TEST(StoredUsersTest, GivesBackTheUsersTheLastSyncStored) {
  testing::TestTenant t = testing::NewTestTenant();
  std::unique_ptr<Clock> clock = NewFixedClock(kNow);
  Snapshot first = testing::SmallSnapshot(30, kNow);
  Syncer syncer(t.db.get(), clock.get());
  ASSERT_TRUE(syncer.Apply(t.tenant_id, t.data_source_id, first, {}, "trace-1").ok());
  // A second sync without the last 10 users soft-deletes them.
  Snapshot second = first;
  second.users.resize(20);
  ASSERT_TRUE(syncer.Apply(t.tenant_id, t.data_source_id, second, {}, "trace-2").ok());

  Result<std::vector<UserRecord>> stored = LoadStoredUsers(t.db.get(), t.data_source_id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  auto by_id = [](const UserRecord& a, const UserRecord& b) { return a.id < b.id; };
  std::sort(stored->begin(), stored->end(), by_id);
  std::sort(second.users.begin(), second.users.end(), by_id);
  Snapshot expected, got;
  expected.users = second.users;
  got.users = *stored;
  EXPECT_EQ(SnapshotDiff(expected, got), "");
}

TEST(StoredUsersTest, AnotherDataSourcesUsersAreNotIncluded) {
  testing::TestTenant t = testing::NewTestTenant();
  Result<std::vector<UserRecord>> stored = LoadStoredUsers(t.db.get(), t.data_source_id + 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

}  // namespace
}  // namespace vigil
