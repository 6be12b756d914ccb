#include "pipeline/pruner.h"

#include <gtest/gtest.h>

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
  // The background thread passes at once, then every interval; Stop ends it.
  pruner.Start();
  pruner.Stop();
  pruner.Stop();
}

}  // namespace
}  // namespace vigil
