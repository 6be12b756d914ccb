// `vigil health` against real redis-servers configured well and badly.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::Vigil;

class HealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::NewTempDir() + "/vigil.db";
    ASSERT_TRUE(OpenSqliteDb(db_).ok());
  }
  std::unique_ptr<testing::RedisServer> Redis(std::vector<std::string> args = {}) {
    auto server = testing::RedisServer::Start(std::move(args));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    return server.ok() ? std::move(server).value() : nullptr;
  }
  // check name -> status ("ok", "warn", "fail") from --json.
  static std::map<std::string, std::string> Statuses(const std::string& json) {
    std::map<std::string, std::string> out;
    for (const auto& c : nlohmann::json::parse(json)) out[c["check"]] = c["status"];
    return out;
  }
  std::string db_;
};

TEST_F(HealthTest, AHealthyDatabaseAndRedisWithoutPersistenceWarnsButPasses) {
  auto redis = Redis();
  ASSERT_TRUE(redis);
  auto run = Vigil({"health", "--db", db_, "--redis", redis->url()});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("ok   database: " + db_ + " opens"), std::string::npos) << run.out;
  const std::string current = std::to_string(AllMigrations().back().version);
  EXPECT_NE(run.out.find("ok   schema: version " + current + ", current"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("ok   maxmemory-policy: noeviction"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("warn persistence: neither AOF nor RDB is on"), std::string::npos)
      << run.out;

  auto json = Vigil({"health", "--db", db_, "--redis", redis->url(), "--json"});
  EXPECT_EQ(json.status, 0);
  auto statuses = Statuses(json.out);
  EXPECT_EQ(statuses["database"], "ok");
  EXPECT_EQ(statuses["writable"], "ok");
  EXPECT_EQ(statuses["redis"], "ok");
  EXPECT_EQ(statuses["redis version"], "ok");
  EXPECT_EQ(statuses["persistence"], "warn");
}

TEST_F(HealthTest, AofOnIsOkAndAnEvictingPolicyFails) {
  auto redis = Redis({"--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy",
                      "allkeys-lru"});
  ASSERT_TRUE(redis);
  auto run = Vigil({"health", "--db", db_, "--redis", redis->url(), "--json"});
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  auto statuses = Statuses(run.out);
  EXPECT_EQ(statuses["persistence"], "ok");
  EXPECT_EQ(statuses["maxmemory-policy"], "fail");
  auto text = Vigil({"health", "--db", db_, "--redis", redis->url()});
  EXPECT_NE(text.out.find("FAIL maxmemory-policy: allkeys-lru: Redis may evict job keys"),
            std::string::npos)
      << text.out;
}

TEST_F(HealthTest, MissingDatabaseAndUnreachableRedisFailWithTheReason) {
  auto redis = Redis();
  ASSERT_TRUE(redis);
  const std::string url = redis->url();
  redis->Stop();
  auto run = Vigil({"health", "--db", testing::NewTempDir() + "/none.db", "--redis", url});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("FAIL database: no database at"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("FAIL redis: unreachable:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("connection refused"), std::string::npos) << run.out;
  // The database alone, healthy: exit 0.
  EXPECT_EQ(Vigil({"health", "--db", db_}).status, 0);
}

}  // namespace
}  // namespace vigil
