#include "events/outbox.h"

#include <gtest/gtest.h>

#include "events/event_payloads.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::Count;

Event MakeTestEvent(std::string type, int64_t tenant_id, std::string payload = "{}") {
  Event e;
  e.type = std::move(type);
  e.tenant_id = tenant_id;
  e.trace_id = "trace-" + e.type;
  e.at = 1000;
  e.payload = std::move(payload);
  return e;
}

std::vector<int64_t> Ids(const std::vector<Event>& events) {
  std::vector<int64_t> out;
  for (const Event& e : events) out.push_back(e.id);
  return out;
}

std::vector<std::string> Types(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.type);
  return out;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { t_ = testing::NewTestTenant(); }

  void Append(const std::vector<Event>& events) {
    Transaction tx(db());
    ASSERT_TRUE(tx.status().ok());
    Status s = AppendEvents(db(), events);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(tx.Commit().ok());
  }

  std::vector<Event> Unpublished(int limit = 1000) {
    Result<std::vector<Event>> events = ReadUnpublished(db(), limit);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }

  std::vector<Event> List(const EventFilter& filter, int64_t after_id = 0, int limit = 1000) {
    Result<std::vector<Event>> events = ListEvents(db(), filter, after_id, limit);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }

  Db* db() { return t_.db.get(); }

  testing::TestTenant t_;
};

TEST_F(OutboxTest, AppendedEventsReadBackOldestFirstWithDatabaseIds) {
  Event first = MakeTestEvent("sync.completed", 7, R"({"tenant_id":7})");
  first.id = 99;  // ignored: the database assigns ids
  first.at = 1234;
  first.trace_id = "trace-a";
  Append({first, MakeTestEvent("alert.opened", 8)});
  Append({MakeTestEvent("alert.resolved", 7)});
  std::vector<Event> events = Unpublished();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Ids(events), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Types(events),
            (std::vector<std::string>{"sync.completed", "alert.opened", "alert.resolved"}));
  EXPECT_EQ(events[0].tenant_id, 7);
  EXPECT_EQ(events[0].trace_id, "trace-a");
  EXPECT_EQ(events[0].at, 1234);
  EXPECT_EQ(events[0].payload, R"({"tenant_id":7})");
  EXPECT_EQ(events[1].tenant_id, 8);
}

TEST_F(OutboxTest, EventsOfARolledBackTransactionNeverAppear) {
  {
    Transaction tx(db());
    ASSERT_TRUE(tx.status().ok());
    ASSERT_TRUE(AppendEvents(db(), {MakeTestEvent("sync.completed", 1)}).ok());
    // No Commit: the destructor rolls back.
  }
  EXPECT_TRUE(Unpublished().empty());
  EXPECT_TRUE(List(EventFilter()).empty());
  Result<int64_t> backlog = CountUnpublished(db());
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(*backlog, 0);
}

TEST_F(OutboxTest, AppendingRunsOneStatementPerChunkOfRows) {
  auto statements_for = [&](int n) {
    std::vector<Event> events(n, MakeTestEvent("alert.opened", 1));
    const uint64_t before = db()->statements_executed();
    EXPECT_TRUE(AppendEvents(db(), events).ok());
    return db()->statements_executed() - before;
  };
  EXPECT_EQ(statements_for(0), 0u);
  EXPECT_EQ(statements_for(1), 1u);
  EXPECT_EQ(statements_for(kOutboxRowsPerStatement), 1u);
  EXPECT_EQ(statements_for(kOutboxRowsPerStatement + 1), 2u);
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM event_outbox"), 2 * kOutboxRowsPerStatement + 2);
}

TEST_F(OutboxTest, MarkedEventsAreNoLongerUnpublished) {
  Append({MakeTestEvent("a.x", 1), MakeTestEvent("a.y", 1), MakeTestEvent("a.z", 1)});
  ASSERT_TRUE(MarkPublished(db(), {1, 3}, 5000).ok());
  EXPECT_EQ(Ids(Unpublished()), (std::vector<int64_t>{2}));
  Result<int64_t> backlog = CountUnpublished(db());
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(*backlog, 1);
  // Marking again keeps the first time; unknown ids and an empty list are fine.
  ASSERT_TRUE(MarkPublished(db(), {1, 42}, 6000).ok());
  ASSERT_TRUE(MarkPublished(db(), {}, 7000).ok());
  EXPECT_EQ(Count(db(), "SELECT COUNT(*) FROM event_outbox WHERE id = 1 AND published_at = 5000"),
            1);
}

TEST_F(OutboxTest, MarkingManyIdsSpansStatements) {
  std::vector<Event> events(kOutboxRowsPerStatement + 10, MakeTestEvent("alert.opened", 1));
  Append(events);
  std::vector<int64_t> ids = Ids(Unpublished(10000));
  ASSERT_EQ(ids.size(), events.size());
  ASSERT_TRUE(MarkPublished(db(), ids, 5000).ok());
  EXPECT_TRUE(Unpublished().empty());
}

TEST_F(OutboxTest, ReadUnpublishedReturnsAtMostLimit) {
  Append({MakeTestEvent("a.x", 1), MakeTestEvent("a.y", 1), MakeTestEvent("a.z", 1)});
  EXPECT_EQ(Ids(Unpublished(2)), (std::vector<int64_t>{1, 2}));
  Result<std::vector<Event>> bad = ReadUnpublished(db(), 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(),
            "invalid argument: event outbox: limit must be positive, got 0");
}

TEST_F(OutboxTest, ListEventsFiltersLikeTheBusAndPagesAfterAnId) {
  Append({MakeTestEvent("alert.opened", 1), MakeTestEvent("sync.completed", 1),
          MakeTestEvent("alert.resolved", 2), MakeTestEvent("alerts.other", 1),
          MakeTestEvent("alert", 1), MakeTestEvent("alert.opened", 2)});
  ASSERT_TRUE(MarkPublished(db(), {1}, 5000).ok());  // published ones are listed too
  EXPECT_EQ(Ids(List(EventFilter())), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Ids(List(EventFilter{1, ""})), (std::vector<int64_t>{1, 2, 4, 5}));
  EXPECT_EQ(Ids(List(EventFilter{0, "alert.opened"})), (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(Ids(List(EventFilter{0, "alert.*"})), (std::vector<int64_t>{1, 3, 6}));
  EXPECT_EQ(Ids(List(EventFilter{2, "alert.*"})), (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(Ids(List(EventFilter(), 3, 2)), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(Ids(List(EventFilter{0, "alert.*"}, 3)), (std::vector<int64_t>{6}));
  // The database filter agrees with EventFilter::Matches.
  for (const EventFilter& f : {EventFilter{0, "alert.*"}, EventFilter{2, ""},
                               EventFilter{0, "sync.completed"}, EventFilter{1, "alert.*"}}) {
    std::vector<int64_t> matched;
    for (const Event& e : List(EventFilter())) {
      if (f.Matches(e)) matched.push_back(e.id);
    }
    EXPECT_EQ(Ids(List(f)), matched) << f.tenant_id << " " << f.type;
  }
}

TEST_F(OutboxTest, PruningRemovesOnlyOldPublishedAndRoutedEvents) {
  std::vector<Event> events;
  for (int i = 0; i < 6; ++i) events.push_back(MakeTestEvent("a.x", 1));  // at 1000
  Event recent = MakeTestEvent("a.y", 1);
  recent.at = 9000;
  events.push_back(recent);
  Append(events);  // ids 1..7
  ASSERT_TRUE(MarkPublished(db(), {1, 2, 3, 4, 6, 7}, 9500).ok());
  ASSERT_TRUE(MarkRouted(db(), {1, 2, 3, 4, 5, 7}, 9500).ok());
  // Batches of 2: the loop runs until a batch comes back short.
  Result<int64_t> pruned = PrunePublishedEvents(db(), 5000, 2);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 4);
  // Kept: 5 (old but never published), 6 (old but not routed to channels
  // yet) and 7 (published and routed but recent).
  EXPECT_EQ(Ids(List({})), (std::vector<int64_t>{5, 6, 7}));
  Result<std::vector<Event>> unrouted = ReadUnrouted(db(), 10);
  ASSERT_TRUE(unrouted.ok());
  EXPECT_EQ(Ids(*unrouted), (std::vector<int64_t>{6}));
  EXPECT_EQ(Ids(Unpublished()), (std::vector<int64_t>{5}));
  EXPECT_EQ(*PrunePublishedEvents(db(), 5000), 0);
  EXPECT_EQ(PrunePublishedEvents(db(), 5000, 0).status().ToString(),
            "invalid argument: prune events: batch must be > 0 (got 0)");
}

}  // namespace
}  // namespace vigil
