// Distributed mode as processes: `vigil serve` and two `vigil worker`s
// sharing PostgreSQL, Redis and NATS (all started by the test). Jobs spread
// across the processes, each runs once, every event reaches the stream
// once, and the alerts equal those of a single-process run on SQLite.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/postgres_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/nats_server.h"
#include "testing/postgres_server.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::ReadWholeFile;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::Vigil;
using testing::WaitFor;

// Jobs each log reports finished: (job id -> how many times), from the
// debug lines "job.finished".
std::map<std::string, int> FinishedJobs(const std::string& log) {
  std::map<std::string, int> jobs;
  std::istringstream in(ReadWholeFile(log));
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "job.finished" &&
        j.value("outcome", "") == "completed") {
      ++jobs[j.value("job", "")];
    }
  }
  return jobs;
}

TEST(DistributedProcessTest, ServeAndTwoWorkersShareTheWorkAndAgreeWithOneProcess) {
  ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
  auto pg = testing::PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status().ToString();
  auto nats = testing::NatsServer::Start();
  ASSERT_TRUE(nats.ok()) << nats.status().ToString();
  Result<std::string> url = (*pg)->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const std::string db = *url;

  // Six tenants, registered but not synced yet.
  const std::string dir = testing::NewTempDir();
  const TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::vector<std::string> tenants;
  {
    auto conn = OpenPostgresDb(db);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (int i = 0; i < 6; ++i) {
      const std::string name = "tenant" + std::to_string(i);
      SyntheticOptions options;
      options.tenant_name = name;
      options.users = 60 + 10 * i;
      options.seed = 100 + i;
      options.now = now;
      const std::string graph = dir + "/" + name;
      ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
      auto tenant = EnsureTenant(conn->get(), name, now);
      ASSERT_TRUE(tenant.ok()) << tenant.status().ToString();
      ASSERT_TRUE(EnsureDataSource(conn->get(), tenant->id, "graph", "graph_json",
                                   nlohmann::json{{"dir", graph}}.dump(), now)
                      .ok());
      tenants.push_back(name);
    }
  }

  const std::vector<std::string> shared = {"--db",        db,           "--redis",
                                           (*redis)->url(), "--nats",    (*nats)->url(),
                                           "--log-level", "debug",      "--coalesce",
                                           "200ms",       "--lease",    "5s"};
  auto args = [&](const std::string& role, const std::string& name) {
    std::vector<std::string> a = {role, "--name", name};
    a.insert(a.end(), shared.begin(), shared.end());
    if (role == "serve") a.insert(a.end(), {"--http", "off"});  // no fixed port
    return a;
  };
  const std::vector<std::string> logs = {dir + "/serve.log", dir + "/worker1.log",
                                         dir + "/worker2.log"};
  VigilProcess serve(args("serve", "serve"), logs[0]);
  VigilProcess worker1(args("worker", "worker1"), logs[1]);
  VigilProcess worker2(args("worker", "worker2"), logs[2]);
  for (const std::string& t : tenants) {
    CliRun trigger = Vigil({"trigger", "--db", db, "--redis", (*redis)->url(), "--tenant", t});
    ASSERT_EQ(trigger.status, 0) << trigger.err;
  }
  auto count = [&](const std::string& sql) {
    auto conn = OpenPostgresDb(db);
    return conn.ok() ? testing::Count(conn->get(), sql) : -1;
  };
  // Every sync job and its analysis finished (schedules may add more syncs).
  ASSERT_TRUE(WaitFor(
      [&] {
        return count("SELECT COUNT(*) FROM job_outbox WHERE name = 'analyze' AND outcome ="
                     " 'completed'") >= 6 &&
               count("SELECT COUNT(*) FROM job_outbox WHERE finished_at IS NULL") == 0;
      },
      120))
      << ReadWholeFile(logs[0]) << ReadWholeFile(logs[1]) << ReadWholeFile(logs[2]);

  // Spread, and each job completed once across all processes.
  std::map<std::string, int> all;
  int processes_with_jobs = 0;
  for (const std::string& log : logs) {
    std::map<std::string, int> jobs = FinishedJobs(log);
    if (!jobs.empty()) ++processes_with_jobs;
    for (const auto& [job, n] : jobs) all[job] += n;
  }
  EXPECT_GE(processes_with_jobs, 2);
  for (const auto& [job, n] : all) EXPECT_EQ(n, 1) << job;
  EXPECT_EQ(static_cast<int64_t>(all.size()),
            count("SELECT COUNT(*) FROM job_outbox WHERE outcome = 'completed'"));

  // Every event reaches the stream once.
  ASSERT_TRUE(WaitFor(
      [&] { return count("SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL") == 0; },
      30));
  EXPECT_EQ(testing::StreamMessages((*nats)->url(), "VIGIL"),
            count("SELECT COUNT(*) FROM event_outbox"));

  // The same tenants through one process on SQLite give the same alerts.
  const std::string single = dir + "/single.db";
  for (const std::string& t : tenants) {
    CliRun sync = Vigil({"sync", "--db", single, "--tenant", t, "--from-dir", dir + "/" + t});
    ASSERT_EQ(sync.status, 0) << sync.err;
    EXPECT_EQ(testing::AlertKeys(db, t), testing::AlertKeys(single, t)) << t;
  }
  for (VigilProcess* p : {&serve, &worker1, &worker2}) p->Signal(SIGTERM);
  for (VigilProcess* p : {&serve, &worker1, &worker2}) EXPECT_EQ(p->Wait(30), 0);
}

}  // namespace
}  // namespace vigil
