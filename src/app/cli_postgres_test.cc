// The CLI on PostgreSQL (a server the test starts): migrate, then the same
// sync and analysis as on SQLite give the same alerts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "app/cli_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

TEST(CliPostgresTest, MigrateThenSyncGivesTheSameAlertsAsSqlite) {
  testing::PostgresServer* server = testing::SharedPostgresServer();
  ASSERT_NE(server, nullptr);
  Result<std::string> url = server->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();

  CliRun migrate = Vigil({"migrate", "--db", *url});
  ASSERT_EQ(migrate.status, 0) << migrate.err;
  EXPECT_NE(migrate.out.find("applied"), std::string::npos) << migrate.out;
  migrate = Vigil({"migrate", "--db", *url});
  EXPECT_NE(migrate.out.find("(current; nothing to apply)"), std::string::npos) << migrate.out;

  const std::string dir = testing::NewTempDir();
  const std::string sqlite = dir + "/vigil.db";
  SyntheticOptions options;
  options.users = 200;
  ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir + "/graph").ok());
  for (const std::string& db : {*url, "sqlite:" + sqlite}) {
    CliRun sync = Vigil({"sync", "--db", db, "--tenant", "contoso", "--from-dir", dir + "/graph",
                         "--now", "2026-11-01T00:00:00Z"});
    ASSERT_EQ(sync.status, 0) << db << ": " << sync.err;
  }
  const std::multiset<testing::AlertKey> on_postgres = testing::AlertKeys(*url, "contoso");
  EXPECT_GT(on_postgres.size(), 10u);
  EXPECT_EQ(on_postgres, testing::AlertKeys(sqlite, "contoso"));

  // A resync of the same data changes nothing on either.
  CliRun again = Vigil({"sync", "--db", *url, "--tenant", "contoso", "--from-dir", dir + "/graph",
                        "--now", "2026-11-01T00:00:00Z", "--json"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(testing::AlertKeys(*url, "contoso"), on_postgres);
}

TEST(CliPostgresTest, AnUnreachableServerIsNamedWithoutItsPassword) {
  CliRun run = Vigil({"migrate", "--db", "postgresql://vigil:hunter2@127.0.0.1:1/x"});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("vigil: cannot open database postgresql://vigil:***@127.0.0.1:1/x"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace vigil
