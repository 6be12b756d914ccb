#include "app/api_wiring.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include "queue/local_queue.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

TEST(ParseHttpAddressTest, HostAndPortOrOff) {
  auto parsed = ParseHttpAddress("127.0.0.1:8080");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->host, "127.0.0.1");
  EXPECT_EQ((*parsed)->port, 8080);
  EXPECT_EQ((*parsed)->ToString(), "127.0.0.1:8080");

  parsed = ParseHttpAddress("[::1]:0");
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->host, "::1");
  EXPECT_EQ((*parsed)->port, 0);
  EXPECT_EQ((*parsed)->ToString(), "[::1]:0");

  parsed = ParseHttpAddress("off");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->has_value());
}

TEST(ParseHttpAddressTest, RefusesWhatIsNotHostColonPort) {
  for (const char* bad : {"", "8080", "localhost", ":80", "host:", "host:-1", "host:65536",
                          "host:123456", "host:8o", "::1:80", "[::1:80", "OFF"}) {
    auto parsed = ParseHttpAddress(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(),
              "\"" + std::string(bad) +
                  "\" is not host:port (e.g. 127.0.0.1:8080; port 0 for any free port) or off");
  }
}

// An ApiServer on a database file: serves on the port it reports, and a
// secret key the environment names but that is not there stops it from
// starting.
class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::NewTempDir() + "/api.db";
    auto db = OpenSqliteDb(db_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto queue = OpenLocalQueue(std::move(*db), clock_.get());
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(*queue);
  }

  ApiServerOptions Options() const {
    ApiServerOptions options;
    options.db = db_;
    options.address = {"127.0.0.1", 0};
    options.threads = 2;
    return options;
  }

  std::unique_ptr<Clock> clock_ = NewSystemClock();
  std::string db_;
  std::unique_ptr<Queue> queue_;
};

TEST_F(ApiServerTest, ServesOnTheBoundPortUntilStopped) {
  testing::ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  testing::ScopedEnv no_key_file(kSecretKeyFileEnv, std::nullopt);
  auto server = ApiServer::Start(Options(), queue_.get(), clock_.get());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const HttpAddress bound = (*server)->address();
  EXPECT_EQ(bound.host, "127.0.0.1");
  ASSERT_GT(bound.port, 0);
  httplib::Client client("127.0.0.1", bound.port);
  auto r = client.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  // Without a secret key webhooks are switched off, and say why.
  r = client.Post("/hooks/1", "{}", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 503) << r->body;
  (*server)->Stop();
  EXPECT_FALSE(testing::LoopbackPortAccepts(bound.port));
}

TEST_F(ApiServerTest, ServesWithTheConnectionCapsItIsGiven) {
  testing::ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  testing::ScopedEnv no_key_file(kSecretKeyFileEnv, std::nullopt);
  ApiServerOptions options = Options();
  options.max_connections_per_client = 1;
  auto server = ApiServer::Start(options, queue_.get(), clock_.get());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const int port = (*server)->address().port;
  httplib::Client first("127.0.0.1", port);
  first.set_keep_alive(true);
  auto r = first.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  httplib::Client second("127.0.0.1", port);
  r = second.Get("/healthz");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("server: 1 connection is open from 127.0.0.1"), std::string::npos) << r->body;
}

TEST_F(ApiServerTest, AKeyFileTheEnvironmentNamesButIsMissingStopsTheStart) {
  testing::ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  const std::string missing = testing::NewTempDir() + "/no.key";
  testing::ScopedEnv key_file(kSecretKeyFileEnv, missing);
  auto server = ApiServer::Start(Options(), queue_.get(), clock_.get());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find(missing), std::string::npos)
      << server.status().ToString();
}

TEST_F(ApiServerTest, ATakenPortIsUnavailableNamingTheAddress) {
  testing::ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  testing::ScopedEnv no_key_file(kSecretKeyFileEnv, std::nullopt);
  // Another program listening on the port (without SO_REUSEPORT).
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ApiServerOptions options = Options();
  options.address.port = ntohs(addr.sin_port);
  auto server = ApiServer::Start(options, queue_.get(), clock_.get());
  close(fd);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), Code::kUnavailable);
  EXPECT_EQ(server.status().message().rfind(
                "http: cannot listen on 127.0.0.1:" + std::to_string(options.address.port), 0),
            0u)
      << server.status().ToString();
}

}  // namespace
}  // namespace vigil
