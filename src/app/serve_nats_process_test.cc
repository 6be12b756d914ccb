// `vigil serve --nats URL` as a process, with a nats-server the test starts
// only after serve is up: serve runs the pipeline meanwhile, the outbox
// keeps the events, and once NATS is there every one is in the stream once.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/nats_server.h"

namespace vigil {
namespace {

using testing::Count;
using testing::ReadWholeFile;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::WaitFor;

TEST(ServeNatsProcessTest, EventsWaitInTheOutboxUntilNatsIsThereThenArePublishedOnce) {
  ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
  const std::string dir = testing::NewTempDir();
  const std::string db = dir + "/vigil.db";
  SyntheticOptions options;
  options.users = 30;
  ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir + "/graph").ok());
  testing::CliRun sync =
      testing::Vigil({"sync", "--db", db, "--tenant", "contoso", "--from-dir", dir + "/graph"});
  ASSERT_EQ(sync.status, 0) << sync.err;

  auto nats = testing::NatsServer::Start();
  ASSERT_TRUE(nats.ok()) << nats.status().ToString();
  (*nats)->Stop();  // serve starts while NATS is away
  const std::string log = dir + "/serve.log";
  VigilProcess serve({"serve", "--db", db, "--http", "off", "--nats", (*nats)->url(),
                      "--coalesce", "100ms", "--poll", "50ms"},
                     log);
  auto query = [&](const std::string& sql) {
    return Count(OpenSqliteDb(db).value().get(), sql);
  };
  ASSERT_EQ(testing::Vigil({"trigger", "--db", db, "--tenant", "contoso"}).status, 0);
  // The pipeline runs without NATS: the analysis completes, its events wait.
  ASSERT_TRUE(WaitFor(
      [&] {
        return query("SELECT COUNT(*) FROM event_outbox WHERE type = 'analysis.completed'") >= 2;
      },
      60))
      << ReadWholeFile(log);
  EXPECT_GT(query("SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL"), 0);

  ASSERT_TRUE((*nats)->Restart().ok());
  ASSERT_TRUE(WaitFor(
      [&] { return query("SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL") == 0; },
      60))
      << ReadWholeFile(log);
  // Everything ever written, the `vigil sync` events included, is in the
  // stream once.
  EXPECT_EQ(testing::StreamMessages((*nats)->url(), "VIGIL"),
            query("SELECT COUNT(*) FROM event_outbox"));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

}  // namespace
}  // namespace vigil
