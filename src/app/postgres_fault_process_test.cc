// Faults in distributed mode on PostgreSQL (servers started by the test):
// PostgreSQL stopped with an immediate shutdown while analyses run, and a
// worker killed with SIGKILL mid-job. Afterwards every triggered sync has
// been analyzed, every alert agrees with its history, and the alerts equal
// those of a run without faults (one process on SQLite).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/postgres_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Occurrences;
using testing::ReadWholeFile;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::Vigil;
using testing::WaitFor;

class PostgresFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
    auto pg = testing::PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    pg_ = std::move(pg).value();
    Result<std::string> url = pg_->NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    db_ = *url;
    dir_ = testing::NewTempDir();
    const TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto conn = OpenPostgresDb(db_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (int i = 0; i < 4; ++i) {
      const std::string name = "tenant" + std::to_string(i);
      SyntheticOptions options;
      options.tenant_name = name;
      options.users = 1500;
      options.seed = 7 + i;
      options.now = now;
      ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir_ + "/" + name).ok());
      auto tenant = EnsureTenant(conn->get(), name, now);
      ASSERT_TRUE(tenant.ok()) << tenant.status().ToString();
      ASSERT_TRUE(EnsureDataSource(conn->get(), tenant->id, "graph", "graph_json",
                                   nlohmann::json{{"dir", dir_ + "/" + name}}.dump(), now)
                      .ok());
      tenants_.push_back(name);
    }
  }

  std::vector<std::string> Args(const std::string& role, const std::string& name,
                                const std::string& lease = "3s") const {
    std::vector<std::string> args = {role,      "--name", name,   "--db",   db_,
                                     "--coalesce", "100ms", "--lease", lease, "--poll",
                                     "50ms",    "--log-level", "debug"};
    if (role == "serve") args.insert(args.end(), {"--http", "off"});  // no fixed port
    return args;
  }

  int64_t Count(const std::string& sql) const {
    auto conn = OpenPostgresDb(db_);
    return conn.ok() ? testing::Count(conn->get(), sql) : -1;
  }

  void TriggerAll() {
    for (const std::string& t : tenants_) {
      CliRun trigger = Vigil({"trigger", "--db", db_, "--tenant", t});
      ASSERT_EQ(trigger.status, 0) << trigger.err;
    }
  }

  // Every tenant analyzed after its sync, nothing waiting or running.
  bool AllDone() const {
    return Count("SELECT COUNT(*) FROM jobs WHERE name = 'analyze' AND state = 'completed'") >=
               static_cast<int64_t>(tenants_.size()) &&
           Count("SELECT COUNT(*) FROM jobs WHERE state IN ('waiting', 'active')") == 0;
  }

  void ExpectConsistentAndEqualToOneProcess() {
    // No half-applied reconcile: every alert's row is what its last history
    // row says, and no alert is without history.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM alert_history"
                    " h WHERE h.alert_id = a.id) OR a.state <> (SELECT h.to_state FROM"
                    " alert_history h WHERE h.alert_id = a.id ORDER BY h.id DESC LIMIT 1)"),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'failed'"), 0);
    const std::string single = dir_ + "/single.db";
    for (const std::string& t : tenants_) {
      CliRun sync = Vigil({"sync", "--db", single, "--tenant", t, "--from-dir", dir_ + "/" + t});
      ASSERT_EQ(sync.status, 0) << sync.err;
      EXPECT_EQ(testing::AlertKeys(db_, t), testing::AlertKeys(single, t)) << t;
    }
  }

  std::unique_ptr<testing::PostgresServer> pg_;
  std::string db_, dir_;
  std::vector<std::string> tenants_;
};

TEST_F(PostgresFaultTest, AnImmediateShutdownWhileAnalysesRunLosesNothing) {
  VigilProcess serve(Args("serve", "serve"), dir_ + "/serve.log");
  VigilProcess worker(Args("worker", "worker"), dir_ + "/worker.log");
  TriggerAll();
  // Stop PostgreSQL the moment the first analysis has started.
  ASSERT_TRUE(WaitFor(
      [&] { return Count("SELECT COUNT(*) FROM jobs WHERE name = 'analyze' AND started_at IS NOT"
                         " NULL") > 0; },
      60))
      << ReadWholeFile(dir_ + "/serve.log");
  pg_->StopImmediately();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(pg_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }, 120))
      << ReadWholeFile(dir_ + "/serve.log") << ReadWholeFile(dir_ + "/worker.log");
  ExpectConsistentAndEqualToOneProcess();
  serve.Signal(SIGTERM);
  worker.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(dir_ + "/serve.log");
  EXPECT_EQ(worker.Wait(30), 0) << ReadWholeFile(dir_ + "/worker.log");
}

// Every line a process wrote on stderr is a JSON object (libpq's notices
// included), and how many of them are `event`.
size_t JsonLinesOnly(const std::string& log, const std::string& event, std::string* stray) {
  size_t count = 0;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) {
      *stray += line + "\n";
      continue;
    }
    if (j.value("event", "") == event) ++count;
  }
  return count;
}

TEST_F(PostgresFaultTest, FourRestartsCostTheJobsNoAttempt) {
  // Leases long enough to outlast each outage: what is measured is what a
  // lost connection costs a job, not a lost lease.
  VigilProcess serve(Args("serve", "serve", "30s"), dir_ + "/serve.log");
  VigilProcess worker(Args("worker", "worker", "30s"), dir_ + "/worker.log");
  // Both running before the first fault (a process that cannot reach its
  // database at start exits; that is not what is tested here).
  ASSERT_TRUE(WaitFor([&] {
    return Occurrences(ReadWholeFile(dir_ + "/serve.log"), "\"serve.started\"") == 1 &&
           Occurrences(ReadWholeFile(dir_ + "/worker.log"), "\"worker.started\"") == 1;
  }, 60));
  for (int restart = 0; restart < 4; ++restart) {
    TriggerAll();
    ASSERT_TRUE(WaitFor(
        [&] { return Count("SELECT COUNT(*) FROM jobs WHERE state = 'active'") > 0; }, 60))
        << ReadWholeFile(dir_ + "/serve.log");
    pg_->StopImmediately();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_TRUE(pg_->Restart().ok());
  }
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }, 180))
      << ReadWholeFile(dir_ + "/serve.log") << ReadWholeFile(dir_ + "/worker.log");
  // No job used more than its first attempt; none failed.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE state = 'failed'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE attempts_made > 1"), 0)
      << ReadWholeFile(dir_ + "/serve.log") << ReadWholeFile(dir_ + "/worker.log");
  ExpectConsistentAndEqualToOneProcess();
  serve.Signal(SIGTERM);
  worker.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(dir_ + "/serve.log");
  EXPECT_EQ(worker.Wait(30), 0) << ReadWholeFile(dir_ + "/worker.log");
  std::string stray;
  const size_t transient = JsonLinesOnly(ReadWholeFile(dir_ + "/serve.log"),
                                         "job.transient_error", &stray) +
                           JsonLinesOnly(ReadWholeFile(dir_ + "/worker.log"),
                                         "job.transient_error", &stray);
  EXPECT_GT(transient, 0u);  // the outages did meet running jobs
  EXPECT_EQ(stray, "");
}

TEST_F(PostgresFaultTest, AWorkerKilledMidJobHasItsJobRunAgainWithTheSameResult) {
  // The worker alone takes the first jobs; it is killed while one runs.
  VigilProcess worker(Args("worker", "worker"), dir_ + "/worker.log");
  TriggerAll();
  ASSERT_TRUE(WaitFor(
      [&] { return Count("SELECT COUNT(*) FROM jobs WHERE state = 'active'") > 0; }, 60))
      << ReadWholeFile(dir_ + "/worker.log");
  worker.Signal(SIGKILL);
  EXPECT_EQ(worker.Wait(10), -1);  // killed, no exit status
  VigilProcess serve(Args("serve", "serve"), dir_ + "/serve.log");
  ASSERT_TRUE(WaitFor([&] { return AllDone(); }, 120)) << ReadWholeFile(dir_ + "/serve.log");
  ExpectConsistentAndEqualToOneProcess();
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(dir_ + "/serve.log");
}

}  // namespace
}  // namespace vigil
