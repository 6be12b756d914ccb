#include "providers/snapshot_diff.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Snapshot Sample() {
  Snapshot s;
  s.availability[EntityKind::kUser] = Availability{true, ""};
  s.availability[EntityKind::kRegistration] = Availability{false, "x.json is missing"};
  UserRecord a;
  a.id = "u1";
  UserRecord b;
  b.id = "u2";
  b.last_sign_in = 0;
  s.users = {a, b};
  s.skus.push_back({"s1", "SPE_E3", 2, 1});
  return s;
}

TEST(SnapshotDiffTest, EqualSnapshotsHaveNoDiff) {
  EXPECT_EQ(SnapshotDiff(Sample(), Sample()), "");
  EXPECT_EQ(SnapshotDiff(Snapshot(), Snapshot()), "");
}

TEST(SnapshotDiffTest, NamesTheFirstDifference) {
  Snapshot other = Sample();
  other.users[1].enabled = false;
  EXPECT_EQ(SnapshotDiff(Sample(), other), "users[1].enabled: true != false");
  other = Sample();
  other.users[1].last_sign_in.reset();
  EXPECT_EQ(SnapshotDiff(Sample(), other), "users[1].last_sign_in: 1970-01-01T00:00:00Z != never");
  other = Sample();
  other.skus.clear();
  EXPECT_EQ(SnapshotDiff(Sample(), other), "skus: 1 records != 0 records");
  other = Sample();
  other.availability[EntityKind::kRegistration] = Availability{true, ""};
  EXPECT_EQ(SnapshotDiff(Sample(), other),
            "availability[registration]: not available (\"x.json is missing\") != available");
  other = Sample();
  other.security_defaults = SecurityDefaultsRecord{false};
  EXPECT_EQ(SnapshotDiff(Sample(), other), "security_defaults: absent != present");
}

TEST(SnapshotDiffTest, AMembershipChangeIsADifferenceOfTheGroup) {
  Snapshot a = Sample();
  a.groups.push_back({"g1", "Break glass", true, {"u1", "u2"}});
  Snapshot b = a;
  EXPECT_EQ(SnapshotDiff(a, b), "");
  b.groups[0].member_ids.pop_back();
  EXPECT_EQ(SnapshotDiff(a, b), "groups[0].member_ids: [\"u1\",\"u2\"] != [\"u1\"]");
}

}  // namespace
}  // namespace vigil
