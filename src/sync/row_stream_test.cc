#include "sync/row_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "providers/synthetic.h"
#include "sync/syncer.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1'780'000'000'000;

Snapshot Generated(int users, uint64_t seed = 7) {
  SyntheticOptions options;
  options.users = users;
  options.seed = seed;
  options.now = kNow;
  return GenerateTenant(options);
}

std::string RowText(EntityKind kind, const EntityRow& r) {
  return std::string(KindName(kind)) + "|" + std::string(r.external_id) + "|" +
         std::string(r.display_name) + "|" + std::string(r.attributes) + "|" +
         std::string(r.content_hash);
}

// Every row of ToRows, in order.
std::vector<std::string> Reference(Snapshot snapshot) {
  Result<SnapshotRows> rows = ToRows(&snapshot);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> out;
  for (const auto& [kind, entity_rows] : rows->entities) {
    for (const EntityRow& r : entity_rows) out.push_back(RowText(kind, r));
  }
  return out;
}

struct StreamCase {
  size_t chunk_rows;
  bool helper_thread;
};

class RowStreamTest : public ::testing::TestWithParam<StreamCase> {};

TEST_P(RowStreamTest, ChunksAreToRowsInOrderAndRecordsAreReleased) {
  Snapshot snapshot = Generated(700);
  const std::vector<std::string> expected = Reference(snapshot);
  Result<RowOrder> order = OrderRows(snapshot);
  ASSERT_TRUE(order.ok());
  std::vector<std::string> got;
  size_t chunks = 0;
  {
    RowStream stream(&snapshot, &*order, GetParam().chunk_rows, GetParam().helper_thread);
    EXPECT_EQ(stream.threaded(), GetParam().helper_thread);
    while (const RowStream::Chunk* c = stream.Next()) {
      ++chunks;
      EXPECT_LE(c->rows.size(), GetParam().chunk_rows);
      for (const EntityRow& r : c->rows) got.push_back(RowText(c->kind, r));
    }
    EXPECT_EQ(stream.Next(), nullptr);
    // The views stay valid while the stream lives.
    EXPECT_EQ(got, expected);
  }
  EXPECT_GT(chunks, 1u);
  EXPECT_TRUE(snapshot.users.empty());
  EXPECT_TRUE(snapshot.registrations.empty());
  EXPECT_FALSE(snapshot.role_assignments.empty());  // not the stream's
}

INSTANTIATE_TEST_SUITE_P(Chunks, RowStreamTest,
                         ::testing::Values(StreamCase{1, true}, StreamCase{7, true},
                                           StreamCase{64, false}, StreamCase{500, true}),
                         [](const ::testing::TestParamInfo<StreamCase>& info) {
                           return "Rows" + std::to_string(info.param.chunk_rows) +
                                  (info.param.helper_thread ? "Threaded" : "Inline");
                         });

TEST(RowStreamStopTest, DestroyingTheStreamEarlyStopsTheHelper) {
  Snapshot snapshot = Generated(3000);
  Result<RowOrder> order = OrderRows(snapshot);
  ASSERT_TRUE(order.ok());
  RowStream stream(&snapshot, &*order, 16, true);
  ASSERT_NE(stream.Next(), nullptr);
  // ~RowStream joins the helper with most chunks not yet encoded.
}

// The whole sync, chunked on a helper thread and in one chunk on this
// thread: byte-identical stored rows (ids included) after a first sync and a
// resync with inserts, updates, revivals and deletions.
class ChunkedSyncTest : public ::testing::Test {
 protected:
  static std::string Dump(Db* db) {
    std::string out;
    auto q = db->Prepare(
        "SELECT id, tenant_id, data_source_id, kind, external_id, display_name, attributes,"
        " content_hash, first_seen, last_changed, COALESCE(deleted_at, -1) FROM entities"
        " ORDER BY id");
    EXPECT_TRUE(q.ok());
    while (*(*q)->Step()) {
      for (int c = 0; c < 11; ++c) out += (*q)->String(c) + "|";
      out += "\n";
    }
    auto links = db->Prepare("SELECT id, kind, from_id, to_id FROM links ORDER BY id");
    EXPECT_TRUE(links.ok());
    while (*(*links)->Step()) {
      for (int c = 0; c < 4; ++c) out += (*links)->String(c) + "|";
      out += "\n";
    }
    return out;
  }

  static std::vector<Snapshot> History() {
    Snapshot first = Generated(2500, 3);
    Snapshot second = first;
    second.users.erase(second.users.begin() + 100, second.users.begin() + 400);
    second.registrations.erase(second.registrations.begin(), second.registrations.begin() + 50);
    for (size_t i = 0; i < second.users.size(); i += 9) second.users[i].enabled = false;
    for (size_t i = 3; i < second.users.size(); i += 11) second.users[i].sku_ids.clear();
    UserRecord extra = second.users.front();
    extra.id = "zz-new-user";
    second.users.push_back(extra);
    Snapshot third = first;  // the deleted users come back
    return {first, second, third};
  }

  // Applies History() with `options`; the summaries' counts and the dump.
  static std::pair<std::string, std::string> Run(const SyncOptions& options) {
    testing::TestTenant t = testing::NewTestTenant();
    auto clock = NewFixedClock(kNow);
    Syncer syncer(t.db.get(), clock.get());
    std::string counts;
    for (Snapshot& s : History()) {
      auto r = syncer.Apply(t.tenant_id, t.data_source_id, std::move(s), options, "trace");
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      for (const auto& [kind, c] : r->kinds) {
        counts += std::string(KindName(kind)) + " " + std::to_string(c.created) + " " +
                  std::to_string(c.updated) + " " + std::to_string(c.deleted) + " " +
                  std::to_string(c.unchanged) + "\n";
      }
      counts += "links " + std::to_string(r->links_added) + " " +
                std::to_string(r->links_removed) + "\n";
    }
    return {counts, Dump(t.db.get())};
  }
};

TEST_F(ChunkedSyncTest, ChunkedOnAHelperThreadStoresTheSameBytesAsOneChunk) {
  SyncOptions chunked;
  chunked.encode_chunk_rows = 97;
  chunked.encode_on_helper_thread = true;
  SyncOptions single;
  single.encode_chunk_rows = size_t{1} << 30;
  single.encode_on_helper_thread = false;
  const auto a = Run(chunked);
  const auto b = Run(single);
  EXPECT_EQ(a.first, b.first);
  EXPECT_NE(a.first.find("user 1 "), std::string::npos) << a.first;  // the resync inserted one
  EXPECT_EQ(a.second, b.second);
  EXPECT_GT(a.second.size(), 100'000u);
}

TEST_F(ChunkedSyncTest, GuardRefusalWithChunkingWritesNothing) {
  testing::TestTenant t = testing::NewTestTenant();
  auto clock = NewFixedClock(kNow);
  Syncer syncer(t.db.get(), clock.get());
  SyncOptions options;
  options.encode_chunk_rows = 64;
  ASSERT_TRUE(syncer.Apply(t.tenant_id, t.data_source_id, Generated(2000), options, "t").ok());
  const std::string before = Dump(t.db.get());
  Snapshot most_gone = Generated(2000);
  most_gone.users.resize(700);  // 65% of the users would go
  for (size_t i = 0; i < most_gone.users.size(); ++i) most_gone.users[i].enabled = false;
  auto r = syncer.Apply(t.tenant_id, t.data_source_id, std::move(most_gone), options, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message().rfind("refused: this sync would delete 1300 of 2000 user", 0),
            0u)
      << r.status().message();
  EXPECT_EQ(Dump(t.db.get()), before);
}

TEST_F(ChunkedSyncTest, AFailingWriteStopsTheEncoderAndRollsBack) {
  testing::TestTenant t = testing::NewTestTenant();
  auto clock = NewFixedClock(kNow);
  Syncer syncer(t.db.get(), clock.get());
  // A row the database refuses after most users: the sync fails,
  // nothing is written, and the helper thread is stopped and joined.
  ASSERT_TRUE(testing::InstallFailingTrigger(t.db.get(), "refuse", "INSERT", "entities",
                                             "NEW.external_id = 'zz-refused'", "refused by test")
                  .ok());
  Snapshot s = Generated(2000);
  s.users[1500].id = "zz-refused";
  SyncOptions options;
  options.encode_chunk_rows = 32;
  auto r = syncer.Apply(t.tenant_id, t.data_source_id, std::move(s), options, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("refused by test"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(testing::Count(t.db.get(), "SELECT COUNT(*) FROM entities"), 0);
}

}  // namespace
}  // namespace vigil
