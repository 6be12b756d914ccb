#include "pipeline/pruner.h"

#include <gtest/gtest.h>

#include <tuple>

#include "events/outbox.h"
#include "queue/job_outbox.h"
#include "store/sqlite_db.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::Count;

constexpr int64_t kDay = 24 * 3600 * 1000LL;

TEST(PrunerTest, APassRemovesWhatIsOlderThanTheRetentionAndKeepsTheRest) {
  const std::string path = testing::NewTempDir() + "/vigil.db";
  auto db = OpenSqliteDb(path).value();
  testing::FakeClock clock(10 * kDay);
  JobOptions options;
  for (const auto& [id, finished] : {std::pair{"old", 1 * kDay}, std::pair{"new", 9 * kDay}}) {
    options.job_id = id;
    ASSERT_TRUE(AppendOutboxJob(db.get(), "vigil", "sync", "{}", options, finished).ok());
    ASSERT_TRUE(MarkOutboxFinished(db.get(), "vigil", id, "completed", finished).ok());
  }
  Event old_event;
  old_event.type = "sync.completed";
  old_event.tenant_id = 1;
  old_event.at = 1 * kDay;
  old_event.payload = "{}";
  ASSERT_TRUE(AppendEvents(db.get(), {old_event}).ok());
  ASSERT_TRUE(MarkPublished(db.get(), {1}, 1 * kDay).ok());
  ASSERT_TRUE(MarkRouted(db.get(), {1}, 1 * kDay).ok());
  // Notifications: an old sent one goes, an old pending one and a new sent
  // one stay; the old delivery log row goes.
  for (const auto& [key, state, at] : {std::tuple{"a", "sent", 1 * kDay},
                                       std::tuple{"b", "pending", 1 * kDay},
                                       std::tuple{"c", "sent", 9 * kDay}}) {
    ASSERT_TRUE(db->Execute("INSERT INTO notifications (channel_id, tenant_id, alert_id, change,"
                            " idempotency_key, state, at, trace_id, due_at, next_attempt_at)"
                            " VALUES (1, 1, 1, 'opened', ?, ?, ?, 't', 0, 0)",
                            {std::string(key), std::string(state), at})
                    .ok());
  }
  ASSERT_TRUE(db->Execute("INSERT INTO deliveries (channel_id, group_key, at, attempt,"
                          " notifications, alert_ids, outcome, status, response, error,"
                          " duration_ms, worker) VALUES (1, 'g', ?, 1, 1, '[1]', 'sent', 200,"
                          " 'ok', '', 1, 'w')",
                          {1 * kDay})
                  .ok());

  PrunerOptions pruner_options;
  pruner_options.retention_ms = 7 * kDay;
  Pruner pruner(OpenSqliteDb(path).value(), &clock, pruner_options);
  Result<PruneSummary> pass = pruner.Pass();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->outbox, 1);
  EXPECT_EQ(pass->events, 1);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM job_outbox WHERE job_id = 'new'"), 1);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM job_outbox"), 1);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM event_outbox"), 0);
  EXPECT_EQ(pass->deliveries, 2);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM notifications"), 2);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM notifications WHERE idempotency_key = 'a'"), 0);
  EXPECT_EQ(Count(db.get(), "SELECT COUNT(*) FROM deliveries"), 0);
  // The background thread passes at once, then every interval; Stop ends it.
  pruner.Start();
  pruner.Stop();
  pruner.Stop();
}

}  // namespace
}  // namespace vigil
