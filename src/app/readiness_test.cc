// The readiness checks GET /readyz runs, against real redis-server and
// nats-server processes, and against ports where nothing listens.
#include "app/readiness.h"

#include <gtest/gtest.h>

#include "testing/nats_server.h"
#include "testing/redis_server.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

std::vector<std::string> Names(
    const std::vector<std::pair<std::string, std::function<Status()>>>& checks) {
  std::vector<std::string> names;
  for (const auto& [name, check] : checks) names.push_back(name);
  return names;
}

TEST(ReadinessTest, OnlyTheConfiguredBackendsAreChecked) {
  EXPECT_TRUE(ReadinessChecks("", "").empty());
  EXPECT_EQ(Names(ReadinessChecks("redis://127.0.0.1:1", "")), std::vector<std::string>{"redis"});
  EXPECT_EQ(Names(ReadinessChecks("", "nats://127.0.0.1:1")), std::vector<std::string>{"nats"});
  EXPECT_EQ(Names(ReadinessChecks("redis://127.0.0.1:1", "nats://127.0.0.1:1")),
            (std::vector<std::string>{"redis", "nats"}));
}

TEST(ReadinessTest, ReachableServersAreReady) {
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status().ToString();
  auto nats = testing::NatsServer::Start(/*jetstream=*/false);
  ASSERT_TRUE(nats.ok()) << nats.status().ToString();
  for (const auto& [name, check] : ReadinessChecks((*redis)->url(), (*nats)->url())) {
    Status status = check();
    EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
  }
}

TEST(ReadinessTest, UnreachableServersSayWhy) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  const std::string host_port = "127.0.0.1:" + std::to_string(port);

  Status redis = CheckRedisReachable("redis://" + host_port);
  EXPECT_EQ(redis.code(), Code::kUnavailable);
  EXPECT_EQ(redis.message().rfind("unreachable: ", 0), 0u) << redis.message();
  EXPECT_NE(redis.message().find(host_port), std::string::npos) << redis.message();

  Status nats = CheckNatsReachable("nats://" + host_port);
  EXPECT_EQ(nats.code(), Code::kUnavailable);
  EXPECT_EQ(nats.message().rfind("unreachable: ", 0), 0u) << nats.message();
  EXPECT_NE(nats.message().find(host_port), std::string::npos) << nats.message();

  Status malformed = CheckRedisReachable("http://example");
  EXPECT_EQ(malformed.code(), Code::kInvalidArgument) << malformed.ToString();
}

TEST(ReadinessTest, ARedisThatStoppedIsNoLongerReady) {
  auto redis = testing::RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status().ToString();
  const std::string url = (*redis)->url();
  ASSERT_TRUE(CheckRedisReachable(url).ok());
  (*redis)->Stop();
  EXPECT_EQ(CheckRedisReachable(url).code(), Code::kUnavailable);
}

}  // namespace
}  // namespace vigil
