#include "sync/snapshot_rows.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/hash.h"
#include "providers/entity_codec.h"
#include "providers/synthetic.h"

namespace vigil {
namespace {

Snapshot Generated(int users) {
  SyntheticOptions options;
  options.users = users;
  options.seed = 7;
  return GenerateTenant(options);
}

// Large enough for the two-thread path, and a small one for the other:
// both must give exactly the rows a plain sort-and-encode gives.
class ToRowsTest : public ::testing::TestWithParam<int> {};

TEST_P(ToRowsTest, RowsAreTheSortedEncodingOfEveryRecord) {
  Snapshot snapshot = Generated(GetParam());
  const Snapshot original = snapshot;
  Result<SnapshotRows> rows = ToRows(&snapshot);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(snapshot.users.empty());
  EXPECT_TRUE(snapshot.registrations.empty());

  std::vector<UserRecord> users = original.users;
  std::sort(users.begin(), users.end(),
            [](const UserRecord& a, const UserRecord& b) { return a.id < b.id; });
  const std::vector<EntityRow>& user_rows = rows->entities.at(EntityKind::kUser);
  ASSERT_EQ(user_rows.size(), users.size());
  size_t licensed = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    const EntityRow& row = user_rows[i];
    ASSERT_EQ(row.external_id, users[i].id);
    EXPECT_EQ(row.display_name, users[i].upn);
    EXPECT_EQ(row.attributes, EncodeUser(users[i]));  // sku_ids included
    EXPECT_EQ(row.content_hash, ContentHash(users[i].upn, EncodeUser(users[i])));
    licensed += !users[i].sku_ids.empty();
  }
  EXPECT_GT(licensed, 0u);
  // Licenses live in the user rows only: no license links.
  EXPECT_EQ(rows->links.size(), 1u);
  EXPECT_EQ(rows->links.count(std::string(kRoleLink)), 1u);

  std::vector<RegistrationRecord> registrations = original.registrations;
  std::sort(registrations.begin(), registrations.end(),
            [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
  const std::vector<EntityRow>& registration_rows = rows->entities.at(EntityKind::kRegistration);
  ASSERT_EQ(registration_rows.size(), registrations.size());
  for (size_t k = 0; k < registrations.size(); ++k) {
    EXPECT_EQ(registration_rows[k].external_id, registrations[k].user_id);
    EXPECT_EQ(registration_rows[k].attributes, EncodeRegistration(registrations[k]));
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ToRowsTest, ::testing::Values(50, 9000));

TEST(ToRowsErrorsTest, EmptyIdNamesTheRecordAndDuplicateTheId) {
  Snapshot snapshot = Generated(6000);
  snapshot.users[4321].id.clear();
  Result<SnapshotRows> rows = ToRows(&snapshot);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(), "users.json: value[4321] has an empty id");

  snapshot = Generated(6000);
  snapshot.registrations[17].user_id = snapshot.registrations[5000].user_id;
  rows = ToRows(&snapshot);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(), "userRegistrationDetails.json: duplicate id \"" +
                                         snapshot.registrations[5000].user_id + "\"");
}

// Users are ordered on a helper thread: with users and registrations both
// wrong, the users' error is still the one reported, every time.
TEST(ToRowsErrorsTest, WithSeveralKindsWrongTheFirstKindsErrorIsReported) {
  for (int i = 0; i < 10; ++i) {
    Snapshot snapshot = Generated(3000);
    snapshot.users[10].id = snapshot.users[2000].id;
    snapshot.registrations[3].user_id.clear();
    Result<RowOrder> order = OrderRows(snapshot);
    ASSERT_FALSE(order.ok());
    EXPECT_EQ(order.status().message(),
              "users.json: duplicate id \"" + snapshot.users[2000].id + "\"");
  }
}

}  // namespace
}  // namespace vigil
