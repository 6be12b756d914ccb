#include "sync/syncer.h"

#include <gtest/gtest.h>

#include "common/json_text.h"
#include "common/time.h"
#include "events/outbox.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::Count;
using testing::NewTestTenant;
using testing::SmallSnapshot;

constexpr TimeMs kNow = 1'780'000'000'000;  // 2026-05-28

class SyncerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_ = NewTestTenant();
    clock_ = NewFixedClock(kNow);
  }
  Result<SyncSummary> Apply(const Snapshot& s, SyncOptions options = {}) {
    Syncer syncer(t_.db.get(), clock_.get());
    return syncer.Apply(t_.tenant_id, t_.data_source_id, s, options, "trace-1");
  }
  int64_t Live(const std::string& kind) {
    return Count(t_.db.get(), "SELECT COUNT(*) FROM entities WHERE kind = '" + kind +
                                  "' AND deleted_at IS NULL");
  }
  std::string Dump() {
    std::string out;
    auto stmt = t_.db->Prepare(
        "SELECT kind, external_id, content_hash, COALESCE(deleted_at, -1) FROM entities"
        " ORDER BY kind, external_id");
    EXPECT_TRUE(stmt.ok());
    while (*(*stmt)->Step()) {
      out += (*stmt)->String(0) + "|" + (*stmt)->String(1) + "|" + (*stmt)->String(2) + "|" +
             std::to_string((*stmt)->Int(3)) + "\n";
    }
    auto links = t_.db->Prepare("SELECT kind, from_id, to_id FROM links ORDER BY 1, 2, 3");
    EXPECT_TRUE(links.ok());
    while (*(*links)->Step()) {
      out += (*links)->String(0) + ":" + (*links)->String(1) + ">" + (*links)->String(2) + "\n";
    }
    return out;
  }

  // Every event in the outbox, oldest first.
  std::vector<Event> Events() {
    Result<std::vector<Event>> events = ListEvents(t_.db.get(), EventFilter(), 0, 1000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }
  std::string SyncFailedPayload(int64_t sync_id, const std::string& error_json) {
    return "{\"tenant_id\":" + std::to_string(t_.tenant_id) +
           ",\"data_source_id\":" + std::to_string(t_.data_source_id) +
           ",\"sync_id\":" + std::to_string(sync_id) + ",\"error\":" + error_json + "}";
  }

  testing::TestTenant t_;
  std::unique_ptr<Clock> clock_;
};

// Entities have no foreign keys (migration 9); the sync itself refuses a
// data source that is not there or belongs to another tenant.
TEST_F(SyncerTest, ADataSourceThatIsNotTheTenantsIsRefusedAndNothingIsWritten) {
  auto other = EnsureTenant(t_.db.get(), "someone-else", kNow);
  ASSERT_TRUE(other.ok());
  Syncer syncer(t_.db.get(), clock_.get());
  auto foreign = syncer.Apply(other->id, t_.data_source_id, SmallSnapshot(3, kNow),
                              {}, "trace-1");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), Code::kNotFound);
  EXPECT_EQ(foreign.status().message(),
            "sync: data source " + std::to_string(t_.data_source_id) + " of tenant " +
                std::to_string(other->id) + " does not exist");
  auto missing = syncer.Apply(t_.tenant_id, 9999, SmallSnapshot(3, kNow), {}, "trace-1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities"), 0);
  // Nor is a failure recorded against the data source.
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM data_sources WHERE last_sync_status IS NOT NULL"),
            0);
}

TEST_F(SyncerTest, FirstSyncCreatesEntitiesAndLinks) {
  auto r = Apply(SmallSnapshot(20, kNow));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kUser].created, 20);
  EXPECT_EQ(r->kinds[EntityKind::kRegistration].created, 20);
  EXPECT_EQ(r->kinds[EntityKind::kSku].created, 1);
  EXPECT_EQ(r->kinds[EntityKind::kRole].created, 1);
  EXPECT_EQ(r->kinds[EntityKind::kSetting].created, 1);
  EXPECT_EQ(r->links_added, 2);  // 2 role assignments; licenses are in the user rows
  EXPECT_EQ(Live("user"), 20);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM links WHERE kind = 'license'"), 0);
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM entities WHERE kind = 'user'"
                  " AND attributes LIKE '%,\"sku_ids\":[\"sku-e3\"]}'"),
            20);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 1);
}

TEST_F(SyncerTest, ResyncOfTheSameSnapshotChangesNothing) {
  Snapshot s = SmallSnapshot(20, kNow);
  ASSERT_TRUE(Apply(s).ok());
  std::string before = Dump();
  auto r = Apply(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kinds[EntityKind::kUser].created, 0);
  EXPECT_EQ(r->kinds[EntityKind::kUser].updated, 0);
  EXPECT_EQ(r->kinds[EntityKind::kUser].unchanged, 20);
  EXPECT_EQ(r->links_added + r->links_removed, 0);
  EXPECT_EQ(Dump(), before);
}

TEST_F(SyncerTest, ChangedAndVanishedEntitiesAreUpdatedAndSoftDeleted) {
  Snapshot s = SmallSnapshot(20, kNow);
  ASSERT_TRUE(Apply(s).ok());
  s.users[3].upn = "renamed@contoso.example";
  s.users.pop_back();  // u19 leaves
  s.registrations.pop_back();
  s.users[5].sku_ids.clear();  // a license change is a change of the user
  auto r = Apply(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kUser].updated, 2);
  EXPECT_EQ(r->kinds[EntityKind::kUser].deleted, 1);
  EXPECT_EQ(r->links_removed, 0);  // licenses are not links
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM entities WHERE external_id = 'u19' AND kind = 'user'"
                  " AND deleted_at IS NOT NULL"),
            1);
  // It comes back: revived, not duplicated.
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  EXPECT_EQ(Live("user"), 20);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities WHERE kind = 'user'"), 20);
}

TEST_F(SyncerTest, DeletionGuardRefusesAnEmptyUserListAndTouchesNothing) {
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  std::string before = Dump();
  Snapshot empty = SmallSnapshot(20, kNow);
  empty.users.clear();
  auto r = Apply(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "refused: this sync would delete 20 of 20 user entities (100%, more than 50%); "
            "nothing was changed. If the data source really lost them, sync again with --force");
  EXPECT_EQ(Dump(), before);
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM syncs WHERE status = 'failed'"
                  " AND error LIKE 'refused: this sync would delete 20 of 20%'"),
            1);
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM data_sources WHERE"
                  " last_sync_status = 'failed'"),
            1);
}

TEST_F(SyncerTest, DeletionGuardCountsPerKindAndAllowsHalf) {
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  Snapshot half = SmallSnapshot(10, kNow);  // 10 of 20 users and registrations go: exactly 50%
  auto allowed = Apply(half);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(allowed->kinds[EntityKind::kUser].deleted, 10);
  EXPECT_EQ(allowed->kinds[EntityKind::kRegistration].deleted, 10);
  EXPECT_EQ(Live("user"), 10);
  EXPECT_EQ(Live("registration"), 10);
  Snapshot fewer = SmallSnapshot(4, kNow);  // 6 of 10 go: 60%
  auto r = Apply(fewer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "refused: this sync would delete 6 of 10 user entities (60%, more than 50%); "
            "nothing was changed. If the data source really lost them, sync again with --force");
  EXPECT_EQ(Live("user"), 10);
  EXPECT_EQ(Live("registration"), 10);
}

TEST_F(SyncerTest, ForceAcceptsTheDeletionOnPurpose) {
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  Snapshot empty = SmallSnapshot(20, kNow);
  empty.users.clear();
  SyncOptions force;
  force.force = true;
  auto r = Apply(empty, force);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kUser].deleted, 20);
  EXPECT_EQ(Live("user"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM links WHERE kind = 'license'"), 0);
}

TEST_F(SyncerTest, SmallKindsAreNotGuarded) {
  ASSERT_TRUE(Apply(SmallSnapshot(5, kNow)).ok());
  Snapshot empty = SmallSnapshot(5, kNow);
  empty.users.clear();
  empty.registrations.clear();
  auto r = Apply(empty);  // 5 of 5 go: fewer than 10 are never guarded
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kUser].deleted, 5);
  EXPECT_EQ(r->kinds[EntityKind::kRegistration].deleted, 5);
  EXPECT_EQ(Live("user"), 0);
  EXPECT_EQ(Live("registration"), 0);
}

TEST_F(SyncerTest, AMissingKindLeavesItsEntitiesAndLinksAsTheyWere) {
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  Snapshot partial = SmallSnapshot(20, kNow);
  partial.availability[EntityKind::kRegistration] =
      Availability{false, "userRegistrationDetails.json is missing"};
  partial.registrations.clear();
  partial.availability[EntityKind::kRole] = Availability{false, "roleAssignments.json is missing"};
  partial.role_assignments.clear();
  partial.roles.clear();
  auto r = Apply(partial);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Live("registration"), 20);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM links WHERE kind = 'role'"), 2);
  EXPECT_EQ(r->unavailable[EntityKind::kRegistration], "userRegistrationDetails.json is missing");
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM data_availability WHERE kind ="
                  " 'registration' AND available = 0 AND reason ="
                  " 'userRegistrationDetails.json is missing'"),
            1);
}

TEST_F(SyncerTest, RoleAssignmentsToNonUsersAreCountedNotLinked) {
  Snapshot s = SmallSnapshot(3, kNow);
  s.role_assignments.push_back(
      RoleAssignmentRecord{"ra-group", std::string(kGlobalAdminRoleId), "group-1", false});
  auto r = Apply(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->skipped_assignments, 1);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM links WHERE kind = 'role'"), 2);
}

TEST_F(SyncerTest, DuplicateIdsAreRejectedWithTheFileAndId) {
  Snapshot s = SmallSnapshot(3, kNow);
  s.users.push_back(s.users[1]);
  auto r = Apply(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "users.json: duplicate id \"u1\"");
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'failed'"), 1);
}

TEST_F(SyncerTest, ADatabaseErrorMidwayWritesNothingAndIsRecorded) {
  ASSERT_TRUE(testing::InstallFailingTrigger(t_.db.get(), "fail_links", "INSERT", "links", "",
                                             "disk on fire")
                  .ok());
  auto r = Apply(SmallSnapshot(20, kNow));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disk on fire"), std::string::npos) << r.status().message();
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM data_availability"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'failed'"
                               " AND error LIKE '%disk on fire%'"),
            1);
}

TEST_F(SyncerTest, ASuccessfulSyncAnnouncesItselfOnceInTheOutbox) {
  auto r = Apply(SmallSnapshot(20, kNow));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int64_t created = 0;
  for (const auto& [kind, counts] : r->kinds) created += counts.created;
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "sync.completed");
  EXPECT_EQ(events[0].tenant_id, t_.tenant_id);
  EXPECT_EQ(events[0].trace_id, "trace-1");
  EXPECT_EQ(events[0].at, kNow);
  EXPECT_EQ(events[0].payload, "{\"tenant_id\":" + std::to_string(t_.tenant_id) +
                                   ",\"data_source_id\":" + std::to_string(t_.data_source_id) +
                                   ",\"sync_id\":" + std::to_string(r->sync_id) + ",\"created\":" +
                                   std::to_string(created) + ",\"updated\":0,\"deleted\":0}");
  EXPECT_EQ(created, 43);  // 20 users, 20 registrations, a SKU, a role, the settings

  // A resync announces its own sync, with what it changed.
  Snapshot s = SmallSnapshot(20, kNow);
  s.users[3].upn = "renamed@contoso.example";
  s.users.pop_back();
  auto again = Apply(s);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].payload.find(",\"sync_id\":" + std::to_string(again->sync_id) +
                                   ",\"created\":0,\"updated\":1,\"deleted\":1}"),
            std::string::npos)
      << events[1].payload;
}

TEST_F(SyncerTest, ARefusedSyncAnnouncesSyncFailedAndNoCompletion) {
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  const size_t before = Events().size();
  Snapshot empty = SmallSnapshot(20, kNow);
  empty.users.clear();
  auto r = Apply(empty);
  ASSERT_FALSE(r.ok());
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), before + 1);
  const Event& failed = events.back();
  EXPECT_EQ(failed.type, "sync.failed");
  EXPECT_EQ(failed.trace_id, "trace-1");
  EXPECT_EQ(failed.at, kNow);
  const int64_t sync_id = Count(t_.db.get(), "SELECT MAX(id) FROM syncs WHERE status = 'failed'");
  EXPECT_EQ(failed.payload, SyncFailedPayload(sync_id, JsonQuote(r.status().message())));
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'sync.completed'"),
            1);  // the first sync's only
}

TEST_F(SyncerTest, EveryRecordedFailureIsAnnounced) {
  // Invalid snapshot.
  Snapshot dup = SmallSnapshot(3, kNow);
  dup.users.push_back(dup.users[1]);
  ASSERT_FALSE(Apply(dup).ok());
  // A failure before the snapshot existed (the provider could not fetch).
  Syncer syncer(t_.db.get(), clock_.get());
  ASSERT_TRUE(
      syncer.RecordFailure(t_.tenant_id, t_.data_source_id, "trace-2", kNow - 5, "graph: 503")
          .ok());
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "sync.failed");
  EXPECT_EQ(events[0].payload, SyncFailedPayload(1, R"("users.json: duplicate id \"u1\"")"));
  EXPECT_EQ(events[1].type, "sync.failed");
  EXPECT_EQ(events[1].trace_id, "trace-2");
  EXPECT_EQ(events[1].payload, SyncFailedPayload(2, R"("graph: 503")"));
}

TEST_F(SyncerTest, AFailedWriteAnnouncesOnlyTheFailure) {
  ASSERT_TRUE(testing::InstallFailingTrigger(t_.db.get(), "fail_links", "INSERT", "links", "",
                                             "disk on fire")
                  .ok());
  ASSERT_FALSE(Apply(SmallSnapshot(20, kNow)).ok());
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "sync.failed");
  EXPECT_NE(events[0].payload.find("disk on fire"), std::string::npos) << events[0].payload;
}

TEST_F(SyncerTest, AFailingOutboxFailsTheSyncAndWritesNothingOfIt) {
  // The event is part of the sync's transaction: if it cannot be written,
  // neither is the sync.
  ASSERT_TRUE(testing::InstallFailingTrigger(t_.db.get(), "no_completion", "INSERT",
                                             "event_outbox", "NEW.type = 'sync.completed'",
                                             "outbox full")
                  .ok());
  auto r = Apply(SmallSnapshot(20, kNow));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outbox full"), std::string::npos) << r.status().message();
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 0);
  std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "sync.failed");
}

TEST_F(SyncerTest, AResyncWritesOnlyWhatChanged) {
  Snapshot s = SmallSnapshot(200, kNow);
  ASSERT_TRUE(Apply(s).ok());
  s.users[7].enabled = false;
  auto r = Apply(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kinds[EntityKind::kUser].updated, 1);
  // load + 1 update + per-kind last_seen touches + availability + sync rows +
  // its event; not 200 writes.
  EXPECT_LT(r->statements, 30u);
}

// Group members are part of the group's row: a membership change updates
// the group, and the same membership again writes nothing.
TEST_F(SyncerTest, AMembershipChangeIsAChangeOfTheGroup) {
  Snapshot s = SmallSnapshot(5, kNow);
  s.groups.push_back({"g-break-glass", "Break glass", true, {"u3", "u1"}});
  s.groups.push_back({"g-news", "Newsletter", false, {}});
  ASSERT_TRUE(Apply(s).ok());
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM entities WHERE kind = 'group' AND attributes ="
                  " '{\"display_name\":\"Break glass\",\"security_enabled\":true,"
                  "\"member_ids\":[\"u1\",\"u3\"]}'"),
            1);
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM entities WHERE kind = 'group' AND attributes ="
                  " '{\"display_name\":\"Newsletter\",\"security_enabled\":false}'"),
            1);
  const std::string before = Dump();

  s.groups[0].member_ids = {"u1", "u3"};  // the same members, in another order
  auto r = Apply(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kGroup].updated, 0);
  EXPECT_EQ(r->kinds[EntityKind::kGroup].unchanged, 2);
  EXPECT_EQ(Dump(), before);

  s.groups[0].member_ids = {"u1", "u3", "u4"};
  r = Apply(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kinds[EntityKind::kGroup].updated, 1);
  EXPECT_EQ(r->kinds[EntityKind::kGroup].unchanged, 1);
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM entities WHERE kind = 'group' AND attributes LIKE"
                  " '%\"member_ids\":[\"u1\",\"u3\",\"u4\"]}'"),
            1);
}

TEST_F(SyncerTest, InTransactionWorkCommitsWithTheSync) {
  SyncOptions options;
  int64_t seen_sync = 0;
  options.in_transaction = [&](Db* db, int64_t sync_id) {
    seen_sync = sync_id;
    return db->Execute("INSERT INTO tenants (name, created_at) VALUES ('written-with-sync', 1)");
  };
  auto r = Apply(SmallSnapshot(20, kNow), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(seen_sync, r->sync_id);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM tenants WHERE name = 'written-with-sync'"),
            1);
}

TEST_F(SyncerTest, FailingInTransactionWorkRollsTheSyncBack) {
  SyncOptions options;
  options.in_transaction = [](Db*, int64_t) { return Status::Unavailable("outbox locked"); };
  auto r = Apply(SmallSnapshot(20, kNow), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("outbox locked"), std::string::npos) << r.status().message();
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM entities"), 0);
  EXPECT_EQ(Count(t_.db.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 0);
}

TEST_F(SyncerTest, TheProvidersCursorAdvancesOnlyWithASyncThatCommitted) {
  auto cursor = [&] {
    Result<DataSourceRow> row = GetDataSource(t_.db.get(), t_.data_source_id);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? row->sync_cursor : std::string("?");
  };
  Snapshot first = SmallSnapshot(20, kNow);
  first.cursor = "delta-1";
  ASSERT_TRUE(Apply(first).ok());
  EXPECT_EQ(cursor(), "delta-1");

  // A refused sync (the deletion guard) keeps the cursor of the last good one.
  Snapshot refused = SmallSnapshot(20, kNow);
  refused.users.clear();
  refused.cursor = "delta-2";
  ASSERT_FALSE(Apply(refused).ok());
  EXPECT_EQ(cursor(), "delta-1");

  // So does a sync whose transaction rolled back.
  SyncOptions failing;
  failing.in_transaction = [](Db*, int64_t) { return Status::Unavailable("outbox locked"); };
  Snapshot rolled_back = SmallSnapshot(20, kNow);
  rolled_back.cursor = "delta-3";
  ASSERT_FALSE(Apply(rolled_back, failing).ok());
  EXPECT_EQ(cursor(), "delta-1");

  // A provider without a cursor leaves the stored one alone.
  ASSERT_TRUE(Apply(SmallSnapshot(20, kNow)).ok());
  EXPECT_EQ(cursor(), "delta-1");
}

TEST_F(SyncerTest, SignInAvailabilityIsStoredLikeAnyKind) {
  Snapshot s = SmallSnapshot(20, kNow);
  s.availability[EntityKind::kSignIn] =
      Availability{false, "signInActivity: permission missing (Entra ID P1 required)"};
  auto r = Apply(s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unavailable[EntityKind::kSignIn],
            "signInActivity: permission missing (Entra ID P1 required)");
  EXPECT_EQ(Count(t_.db.get(),
                  "SELECT COUNT(*) FROM data_availability WHERE kind = 'signin' AND available = 0"),
            1);
  EXPECT_EQ(Live("signin"), 0);  // no entities of its own
  EXPECT_EQ(Live("user"), 20);
}

}  // namespace
}  // namespace vigil
