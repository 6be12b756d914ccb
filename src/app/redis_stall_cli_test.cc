// `vigil trigger --redis`, `vigil jobs --redis` and `vigil health --redis`
// against a redis-server frozen with SIGSTOP: it accepts connections (the
// kernel does) and answers nothing. Each command gives up on Redis within
// seconds, says so, and does its work on the database. The bound asserted
// (5 s) is behaviour, far from the old 30 s command timeout, not a benchmark.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Count;
using testing::Vigil;

constexpr auto kBound = std::chrono::seconds(5);

class RedisStallCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    redis_ = std::move(server).value();
    const std::string dir = testing::NewTempDir();
    db_ = dir + "/vigil.db";
    SyntheticOptions options;
    options.users = 20;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir + "/graph").ok());
    CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", dir + "/graph"});
    ASSERT_EQ(sync.status, 0) << sync.err;
  }
  void TearDown() override { redis_->Signal(SIGCONT); }

  // Runs `vigil <args>`; how long it took in *elapsed.
  static CliRun Timed(const std::vector<std::string>& args, std::chrono::milliseconds* elapsed) {
    const auto start = std::chrono::steady_clock::now();
    CliRun run = Vigil(args);
    *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return run;
  }

  int64_t Rows(const std::string& sql) { return Count(OpenSqliteDb(db_).value().get(), sql); }

  std::unique_ptr<testing::RedisServer> redis_;
  std::string db_;
};

TEST_F(RedisStallCliTest, TriggerFallsBackWithinSecondsAndKeepsTheJob) {
  const std::string url = redis_->url();
  redis_->Signal(SIGSTOP);
  std::chrono::milliseconds elapsed{};
  CliRun trigger =
      Timed({"trigger", "--db", db_, "--tenant", "contoso", "--redis", url, "--json"}, &elapsed);
  EXPECT_LT(elapsed, kBound);
  ASSERT_EQ(trigger.status, 0) << trigger.err;
  EXPECT_NE(trigger.err.find("vigil: warning: Redis at " + url +
                             " did not answer (open queue \"vigil\": redis " + url.substr(8) +
                             ": no answer within 1000 ms); the job is kept in the database"),
            std::string::npos)
      << trigger.err;
  const std::string job_id = nlohmann::json::parse(trigger.out)[0]["job_id"];
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = '" + job_id +
                 "' AND relayed_to = 'local' AND finished_at IS NULL"),
            1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM jobs WHERE job_id = '" + job_id + "' AND state = 'waiting'"),
            1);
}

TEST_F(RedisStallCliTest, JobsListsTheDatabasesJobsWithinSecondsAndWarns) {
  const std::string url = redis_->url();
  CliRun trigger = Vigil({"trigger", "--db", db_, "--tenant", "contoso"});  // local queue
  ASSERT_EQ(trigger.status, 0) << trigger.err;
  redis_->Signal(SIGSTOP);
  std::chrono::milliseconds elapsed{};
  CliRun jobs = Timed({"jobs", "--db", db_, "--redis", url, "--json"}, &elapsed);
  EXPECT_LT(elapsed, kBound);
  ASSERT_EQ(jobs.status, 0) << jobs.err;
  nlohmann::json listed = nlohmann::json::parse(jobs.out);
  ASSERT_EQ(listed.size(), 1u) << jobs.out;
  EXPECT_EQ(listed[0]["state"], "waiting");
  EXPECT_EQ(jobs.err, "vigil: warning: Redis at " + url +
                          " did not answer (open queue \"vigil\": redis " + url.substr(8) +
                          ": no answer within 1000 ms); only the jobs in the local queue are "
                          "listed\n");
}

TEST_F(RedisStallCliTest, HealthFailsWithinSecondsNamingTheCause) {
  const std::string url = redis_->url();
  redis_->Signal(SIGSTOP);
  std::chrono::milliseconds elapsed{};
  CliRun health = Timed({"health", "--db", db_, "--redis", url}, &elapsed);
  EXPECT_LT(elapsed, kBound);
  EXPECT_EQ(health.status, 1) << health.out << health.err;
  EXPECT_NE(health.out.find("FAIL redis: unresponsive: redis " + url.substr(8) +
                            ": no answer within 1000 ms (vigil serve --redis runs on the local "
                            "queue meanwhile)\n"),
            std::string::npos)
      << health.out;
  EXPECT_EQ(health.out.find("warn"), std::string::npos) << health.out;
  auto json = Vigil({"health", "--db", db_, "--redis", url, "--json"});
  EXPECT_EQ(json.status, 1);
  for (const auto& check : nlohmann::json::parse(json.out)) {
    if (check["check"] == "redis") {
      EXPECT_EQ(check["status"], "fail");
    }
  }
}

}  // namespace
}  // namespace vigil
