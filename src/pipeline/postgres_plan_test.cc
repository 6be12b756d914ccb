// Every statement of a tenant's analysis (context load, reconcile) on a
// populated PostgreSQL database (30 tenants), checked with EXPLAIN:
//   - as the planner chooses, no table that grows with tenants' user counts
//     (entities, alerts, their history and tags) is read by a sequential
//     scan, i.e. through other tenants' rows (links now hold only role
//     assignments, a few per tenant);
//   - with sequential scans disabled, no statement needs one at all: every
//     lookup has an index (small tables may still be scanned while small).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/pipeline.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/postgres_db.h"
#include "testing/directory_provider.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"
#include "testing/recording_db.h"

namespace vigil {
namespace {

// The plan of `statement` as text, one line per plan node.
std::string Plan(Db* db, const testing::RecordedStatement& statement) {
  auto explain = db->Prepare("EXPLAIN " + statement.sql);
  if (!explain.ok()) return "cannot explain: " + explain.status().message();
  (*explain)->BindAll(statement.params);
  std::string plan;
  Result<bool> row = (*explain)->Step();
  while (row.ok() && *row) {
    plan += (*explain)->String(0) + "\n";
    row = (*explain)->Step();
  }
  return row.ok() ? plan : "cannot explain: " + row.status().message();
}

TEST(PostgresPlanTest, AnAnalysisReadsOnlyItsTenantsRowsThroughIndexes) {
  testing::PostgresServer* server = testing::SharedPostgresServer();
  ASSERT_NE(server, nullptr);
  Result<std::string> url = server->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto db = OpenPostgresDb(*url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto clock = NewFixedClock(1'795'000'000'000);
  // 29 tenants, then the one whose analysis is checked.
  const std::string dir = testing::NewTempDir();
  int64_t small_tenant = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string name = "tenant" + std::to_string(i);
    SyntheticOptions options;
    options.tenant_name = name;
    options.users = i == 29 ? 40 : 200;
    options.seed = static_cast<uint64_t>(i + 1);
    options.now = clock->NowMs();
    const std::string graph = dir + "/" + name;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
    DirectorySync sync = SyncFromDirectory(db->get(), *clock, *clock, name, "graph", graph,
                                           SyncOptions(), "test", testing::OpenDirectory);
    ASSERT_TRUE(sync.setup.ok()) << sync.setup.ToString();
    ASSERT_TRUE(sync.outcome.status.ok()) << sync.outcome.status.ToString();
    small_tenant = sync.tenant_id;
  }
  ASSERT_TRUE((*db)->ExecScript("ANALYZE").ok());

  testing::RecordingDb recording(db->get());
  Trace trace("plan-test", clock.get(), nullptr);
  Result<AnalysisOutcome> analysis = RunAnalysis(&recording, *clock, *clock, small_tenant, &trace);
  ASSERT_TRUE(analysis.ok()) << analysis.status().ToString();
  ASSERT_GE(recording.recorded().size(), 6u);

  std::vector<testing::RecordedStatement> reads;
  for (const testing::RecordedStatement& statement : recording.recorded()) {
    for (const char* verb : {"SELECT", "UPDATE", "DELETE"}) {
      if (statement.sql.rfind(verb, 0) == 0) reads.push_back(statement);  // inserts read nothing
    }
  }
  ASSERT_GE(reads.size(), 6u);
  for (const testing::RecordedStatement& statement : reads) {
    const std::string plan = Plan(db->get(), statement);
    EXPECT_EQ(plan.find("cannot explain"), std::string::npos) << statement.sql << "\n" << plan;
    for (const char* table : {"entities", "alerts", "entity_tags", "alert_history"}) {
      EXPECT_EQ(plan.find(std::string("Seq Scan on ") + table + " "), std::string::npos)
          << statement.sql << "\n" << plan;
    }
  }
  ASSERT_TRUE((*db)->ExecScript("SET enable_seqscan = off").ok());
  for (const testing::RecordedStatement& statement : reads) {
    const std::string plan = Plan(db->get(), statement);
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << statement.sql << "\n" << plan;
  }
}

}  // namespace
}  // namespace vigil
