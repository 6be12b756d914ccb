#include "sync/stored_users.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "providers/snapshot_diff.h"
#include "store/tenants.h"
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
  std::unique_ptr<Clock> clock = NewFixedClock(kNow);
  Result<DataSourceRow> other =
      EnsureDataSource(t.db.get(), t.tenant_id, "other", "graph_json", "{}", kNow);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  // Both sources hold users with the same ids; the other source's are
  // fewer and have other UPNs.
  Snapshot mine = testing::SmallSnapshot(5, kNow);
  Snapshot theirs = testing::SmallSnapshot(3, kNow);
  for (UserRecord& u : theirs.users) u.upn = "other-" + u.upn;
  Syncer syncer(t.db.get(), clock.get());
  ASSERT_TRUE(syncer.Apply(t.tenant_id, t.data_source_id, mine, {}, "trace-1").ok());
  ASSERT_TRUE(syncer.Apply(t.tenant_id, other->id, theirs, {}, "trace-2").ok());

  const auto upns = [&](int64_t source) {
    Result<std::vector<UserRecord>> stored = LoadStoredUsers(t.db.get(), source);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    std::vector<std::string> out;
    if (stored.ok()) {
      for (const UserRecord& u : *stored) out.push_back(u.upn);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> expected_mine, expected_theirs;
  for (const UserRecord& u : mine.users) expected_mine.push_back(u.upn);
  for (const UserRecord& u : theirs.users) expected_theirs.push_back(u.upn);
  std::sort(expected_mine.begin(), expected_mine.end());
  std::sort(expected_theirs.begin(), expected_theirs.end());
  EXPECT_EQ(upns(t.data_source_id), expected_mine);
  EXPECT_EQ(upns(other->id), expected_theirs);
  EXPECT_EQ(upns(other->id + 1), std::vector<std::string>());  // no such source: none
}

}  // namespace
}  // namespace vigil
