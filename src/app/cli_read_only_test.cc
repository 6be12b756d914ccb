// Commands that only read never create a database: a --db path with no
// database behind it (a typo) fails naming the path, and no file appears.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app/cli_test_support.h"
#include "store/secret_box.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

TEST(CliReadOnlyTest, ReadCommandsSayThereIsNoDatabaseAndCreateNone) {
  const std::string dir = testing::NewTempDir();
  const std::string db = dir + "/typo.db";
  // webhook secret loads the key before it opens the database.
  testing::ScopedEnv key(kSecretKeyEnv, SecretKey::Generate().value().ToKeyFileText());
  // Every command that reads, or writes only into what must exist already.
  const std::vector<std::vector<std::string>> commands = {
      {"alerts", "--db", db},
      {"alerts", "--db", db, "--json"},
      {"history", "--db", db, "1"},
      {"trace", "--db", db, "0123456789abcdef0123456789abcdef"},
      {"jobs", "--db", db},
      {"sources", "--db", db},
      {"tokens", "--db", db},
      {"events", "tail", "--db", db, "--limit", "1"},
      {"prefs", "--db", db, "--tenant", "contoso"},
      {"prefs", "--db", db, "--tenant", "contoso", "--set", "stale_days=30"},
      {"schedule", "--db", db, "--tenant", "contoso"},
      {"trigger", "--db", db, "--tenant", "contoso"},
      {"source", "test", "--db", db, "1"},
      {"token", "revoke", "--db", db, "1"},
      {"webhook", "secret", "--db", db, "--source", "1"},
  };
  for (const std::vector<std::string>& args : commands) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    CliRun run = Vigil(args);
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_EQ(run.err,
              "vigil: no database at " + db + " (`vigil migrate --db " + db + "` creates one)\n");
    EXPECT_EQ(run.out, "");
    EXPECT_FALSE(std::filesystem::exists(db)) << "created " << db;
    std::filesystem::remove(db);  // each command is judged on its own
  }
}

TEST(CliReadOnlyTest, HealthFailsTheDatabaseCheckWithoutCreatingOne) {
  const std::string db = testing::NewTempDir() + "/typo.db";
  CliRun run = Vigil({"health", "--db", db});
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("FAIL database: no database at " + db +
                         " (vigil serve or vigil sync creates it)\n"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(CliReadOnlyTest, CommandsThatWriteStillCreateTheDatabase) {
  const std::string db = testing::NewTempDir() + "/new.db";
  CliRun run = Vigil({"migrate", "--db", db});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(db));
  // ... and the read commands then read it.
  run = Vigil({"alerts", "--db", db});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "no open alerts\n");
}

// A PostgreSQL URL names a server's database, which the server creates:
// the read commands open (and migrate) a new one as before.
TEST(CliReadOnlyTest, PostgresUrlsAreUnaffected) {
  testing::PostgresServer* server = testing::SharedPostgresServer();
  ASSERT_NE(server, nullptr);
  Result<std::string> url = server->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  CliRun run = Vigil({"alerts", "--db", *url});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "no open alerts\n");
  EXPECT_EQ(run.err, "");
}

}  // namespace
}  // namespace vigil
