// `vigil trigger --redis` and `vigil jobs --redis` as a user runs them beside
// `vigil serve --redis`: a triggered sync goes to the database's job outbox
// and then to Redis; with Redis down it is kept in the database. And which
// path `vigil worker --redis` takes its jobs by, with and without --prefetch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
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

class CliRedisPipelineTest : public ::testing::Test {
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

  int64_t Rows(const std::string& sql) { return Count(OpenSqliteDb(db_).value().get(), sql); }

  std::unique_ptr<testing::RedisServer> redis_;
  std::string db_;
};

TEST_F(CliRedisPipelineTest, TriggerWritesTheOutboxThenRedisAndJobsListsIt) {
  CliRun trigger =
      Vigil({"trigger", "--db", db_, "--tenant", "contoso", "--redis", redis_->url(), "--json"});
  ASSERT_EQ(trigger.status, 0) << trigger.err;
  EXPECT_EQ(trigger.err, "");
  const std::string job_id = nlohmann::json::parse(trigger.out)[0]["job_id"];
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = '" + job_id +
                 "' AND relayed_to = 'redis'"),
            1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM jobs"), 0);  // not in the local queue

  CliRun stats = Vigil({"queue", "stats", "--redis", redis_->url(), "--queue", "vigil", "--json"});
  ASSERT_EQ(stats.status, 0) << stats.err;
  EXPECT_EQ(nlohmann::json::parse(stats.out)["waiting"], 1);

  CliRun jobs = Vigil({"jobs", "--db", db_, "--redis", redis_->url(), "--json"});
  ASSERT_EQ(jobs.status, 0) << jobs.err;
  nlohmann::json listed = nlohmann::json::parse(jobs.out);
  ASSERT_EQ(listed.size(), 1u) << jobs.out;
  EXPECT_EQ(listed[0]["id"], job_id);
  EXPECT_EQ(listed[0]["state"], "waiting");
  EXPECT_EQ(listed[0]["tenant"], "contoso");
  // Without --redis, jobs sees only the local queue.
  EXPECT_EQ(Vigil({"jobs", "--db", db_}).out, "no jobs\n");
}

TEST_F(CliRedisPipelineTest, WithRedisDownTheTriggeredSyncIsKeptInTheDatabase) {
  const std::string url = redis_->url();
  redis_->Stop();
  CliRun trigger = Vigil({"trigger", "--db", db_, "--tenant", "contoso", "--redis", url});
  ASSERT_EQ(trigger.status, 0) << trigger.err;
  EXPECT_NE(trigger.err.find("vigil: warning: Redis at " + url + " did not answer"),
            std::string::npos)
      << trigger.err;
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox WHERE relayed_to = 'local'"), 1);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM jobs WHERE name = 'sync' AND state = 'waiting'"), 1);
}

TEST_F(CliRedisPipelineTest, AMalformedRedisUrlIsAUsageErrorThatTouchesNothing) {
  CliRun trigger = Vigil({"trigger", "--db", db_, "--tenant", "contoso", "--redis", "http://x"});
  EXPECT_EQ(trigger.status, 2);
  EXPECT_NE(trigger.err.find("vigil: --redis: "), std::string::npos) << trigger.err;
  EXPECT_EQ(Vigil({"jobs", "--db", db_, "--redis", "http://x"}).status, 2);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM job_outbox"), 0);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM jobs"), 0);
}

// `vigil worker --redis` takes and reports its jobs in batches by default:
// the job was taken by the worker's feeder ("<name>/feed", BullMQ's
// processedBy field); with --prefetch 0 by a worker thread of its own.
TEST_F(CliRedisPipelineTest, WorkerTakesJobsInBatchesByDefaultAndOneByOneWithPrefetchZero) {
  const std::string dir = testing::NewTempDir();
  for (const std::string prefetch : {"", "0"}) {
    CliRun trigger =
        Vigil({"trigger", "--db", db_, "--tenant", "contoso", "--redis", redis_->url(), "--json"});
    ASSERT_EQ(trigger.status, 0) << trigger.err;
    const std::string job_id = nlohmann::json::parse(trigger.out)[0]["job_id"];
    std::vector<std::string> args = {"worker", "--db", db_, "--redis", redis_->url(), "--name",
                                     "w" + prefetch};
    if (!prefetch.empty()) args.insert(args.end(), {"--prefetch", prefetch});
    const std::string log = dir + "/worker" + prefetch + ".log";
    testing::VigilProcess worker(args, log);
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          return Rows("SELECT COUNT(*) FROM job_outbox WHERE job_id = '" + job_id +
                      "' AND outcome = 'completed'") == 1;
        },
        60))
        << testing::ReadWholeFile(log);
    worker.Signal(SIGTERM);
    EXPECT_EQ(worker.Wait(30), 0);
    std::string taken_by;
    ASSERT_TRUE(redis_->Command({"HGET", "bull:vigil:" + job_id, "pb"}, &taken_by).ok());
    if (prefetch.empty()) {
      EXPECT_EQ(taken_by, "w/feed");
    } else {
      EXPECT_TRUE(taken_by == "w0/0" || taken_by == "w0/1") << taken_by;  // --concurrency 2
    }
    // The default holds one job per worker thread (--concurrency 2).
    EXPECT_NE(testing::ReadWholeFile(log).find(prefetch.empty() ? "\"prefetch\":2"
                                                                : "\"prefetch\":0"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace vigil
