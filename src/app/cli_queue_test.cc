// `vigil queue add|stats|work` as a user runs them, against a redis-server
// the test starts (`queue work` also runs against Node BullMQ in
// tests/interop/run.sh).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

TEST(CliQueueTest, AddThenStatsCountsTheJobs) {
  auto server = testing::RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();

  CliRun add = Vigil({"queue", "add", "--redis", url, "--queue", "q", "--name", "sync", "--data",
                      R"({"tenant":1})", "--job-id", "sync:1", "--json"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(nlohmann::json::parse(add.out), nlohmann::json({{"id", "sync:1"}, {"added", true}}));
  add = Vigil({"queue", "add", "--redis", url, "--queue", "q", "--name", "sync", "--job-id", "sync:1"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "sync:1 (exists already; nothing added)\n");
  add = Vigil({"queue", "add", "--redis", url, "--queue", "q", "--name", "later", "--delay", "60000",
               "--attempts", "3", "--backoff", "exponential:100"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "3\n");  // the add counter, as in BullMQ: every add counts, duplicates too

  CliRun stats = Vigil({"queue", "stats", "--redis", url, "--queue", "q", "--json"});
  ASSERT_EQ(stats.status, 0) << stats.err;
  nlohmann::json counts = nlohmann::json::parse(stats.out);
  EXPECT_EQ(counts["waiting"], 1);
  EXPECT_EQ(counts["delayed"], 1);
  EXPECT_EQ(counts["paused"], false);
  stats = Vigil({"queue", "stats", "--redis", url, "--queue", "q"});
  EXPECT_EQ(stats.out,
            "queue q\n  waiting    1\n  delayed    1\n  active     0\n  completed  0\n"
            "  failed     0\n");
}

TEST(CliQueueTest, UsageErrorsAndAnUnreachableServer) {
  CliRun bad = Vigil({"queue", "add", "--queue", "q", "--name", "n", "--backoff", "linear:5"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err,
            "vigil: --backoff: \"linear:5\" is not fixed:MS or exponential:MS (MS a number of "
            "milliseconds)\n");
  bad = Vigil({"queue", "work", "--queue", "q", "--handler", "dance"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "vigil: --handler: \"dance\" is not echo, fail or sleep:MS\n");
  bad = Vigil({"queue", "work", "--queue", "q", "--handler", "echo", "--prefetch", "-1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--prefetch"), std::string::npos) << bad.err;

  // A port nobody listens on: a server's, once it stopped.
  auto server = testing::RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string port = std::to_string((*server)->port());
  (*server)->Stop();
  CliRun down = Vigil({"queue", "stats", "--redis", "redis://127.0.0.1:" + port, "--queue", "q"});
  EXPECT_EQ(down.status, 1);
  EXPECT_EQ(down.err,
            "vigil: open queue \"q\": redis 127.0.0.1:" + port + ": connection refused\n");
}

// `vigil queue work` takes and reports jobs in batches by default (the jobs
// were taken by its feeder, "<name>/feed" in BullMQ's processedBy field);
// --prefetch 0 takes them one by one on each worker thread.
TEST(CliQueueTest, WorkTakesJobsInBatchesByDefaultAndOneByOneWithPrefetchZero) {
  auto server = testing::RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();
  const std::string dir = testing::NewTempDir();
  for (const std::string prefetch : {"", "0"}) {
    const std::string queue = "q" + prefetch;
    for (int i = 0; i < 5; ++i) {
      CliRun add = Vigil({"queue", "add", "--redis", url, "--queue", queue, "--name", "echo",
                          "--job-id", "j" + std::to_string(i)});
      ASSERT_EQ(add.status, 0) << add.err;
    }
    std::vector<std::string> args = {"queue", "work", "--redis", url, "--queue", queue,
                                     "--handler", "echo", "--concurrency", "2", "--name", "w"};
    if (!prefetch.empty()) args.insert(args.end(), {"--prefetch", prefetch});
    const std::string log = dir + "/work" + prefetch + ".log";
    testing::VigilProcess work(args, log);
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          CliRun stats = Vigil({"queue", "stats", "--redis", url, "--queue", queue, "--json"});
          return stats.status == 0 && nlohmann::json::parse(stats.out)["completed"] == 5;
        },
        30))
        << testing::ReadWholeFile(log);
    work.Signal(SIGTERM);
    EXPECT_EQ(work.Wait(30), 0);
    for (int i = 0; i < 5; ++i) {
      std::string taken_by;
      ASSERT_TRUE(
          (*server)->Command({"HGET", "bull:" + queue + ":j" + std::to_string(i), "pb"}, &taken_by)
              .ok());
      if (prefetch.empty()) {
        EXPECT_EQ(taken_by, "w/feed");
      } else {
        EXPECT_TRUE(taken_by == "w/0" || taken_by == "w/1") << taken_by;
      }
    }
    EXPECT_NE(testing::ReadWholeFile(log).find(prefetch.empty() ? "\"prefetch\":100"
                                                                : "\"prefetch\":0"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace vigil
