// `vigil events tail` as a user runs it: from the database's outbox, and
// from NATS (a nats-server the test starts).
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "app/cli_test_support.h"
#include "events/nats_bus.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"
#include "testing/nats_server.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

class CliEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = testing::NewTempDir();
    db_ = dir + "/vigil.db";
    SyntheticOptions options;
    options.users = 20;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir + "/graph").ok());
    CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", dir + "/graph"});
    ASSERT_EQ(sync.status, 0) << sync.err;
  }
  std::string db_;
};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST_F(CliEventsTest, TailFromTheStartPrintsTheOutboxInOrderWithFilters) {
  CliRun all = Vigil({"events", "tail", "--db", db_, "--from-start", "--limit", "3", "--json"});
  ASSERT_EQ(all.status, 0) << all.err;
  std::vector<nlohmann::json> lines = JsonLines(all.out);
  ASSERT_EQ(lines.size(), 3u) << all.out;
  EXPECT_EQ(lines[0]["type"], "sync.completed");
  EXPECT_EQ(lines[0]["tenant"], "contoso");
  EXPECT_LT(lines[0]["id"].get<int64_t>(), lines[1]["id"].get<int64_t>());
  EXPECT_FALSE(lines[0]["trace_id"].get<std::string>().empty());
  EXPECT_TRUE(lines[0]["payload"].is_object());

  CliRun alerts = Vigil(
      {"events", "tail", "--db", db_, "--from-start", "--limit", "2", "--type", "alert.*"});
  ASSERT_EQ(alerts.status, 0) << alerts.err;
  EXPECT_NE(alerts.out.find("  alert.opened  tenant=contoso  id="), std::string::npos)
      << alerts.out;
  EXPECT_EQ(alerts.out.find("sync.completed"), std::string::npos) << alerts.out;
}

TEST_F(CliEventsTest, BadNamesAndAnUnreachableNatsSayWhat) {
  CliRun nobody = Vigil({"events", "tail", "--db", db_, "--tenant", "nobody", "--limit", "1"});
  EXPECT_EQ(nobody.status, 1);
  EXPECT_EQ(nobody.err, "vigil: no tenant named \"nobody\"\n");
  auto server = testing::NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();
  (*server)->Stop();
  CliRun down = Vigil({"events", "tail", "--db", db_, "--nats", url, "--limit", "1"});
  EXPECT_EQ(down.status, 1);
  EXPECT_NE(down.err.find("vigil: nats " + url + ": connect"), std::string::npos) << down.err;
}

TEST_F(CliEventsTest, TailFromNatsPrintsWhatIsPublishedLive) {
  auto server = testing::NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  NatsBusOptions options;
  options.url = (*server)->url();
  auto bus = OpenNatsBus(options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  // Publishes until the tail has what it waits for (it subscribes at some
  // point after it starts).
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (int64_t id = 1; !done && id < 2000; ++id) {
      Event e;
      e.id = id;
      e.type = id % 2 == 0 ? "alert.opened" : "sync.completed";
      e.tenant_id = 1;
      e.trace_id = "t" + std::to_string(id);
      e.at = 1000;
      e.payload = "{\"n\":" + std::to_string(id) + "}";
      (void)(*bus)->Publish({e});
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  CliRun tail = Vigil({"events", "tail", "--db", db_, "--nats", options.url, "--type",
                       "alert.opened", "--limit", "2", "--json"});
  done = true;
  publisher.join();
  ASSERT_EQ(tail.status, 0) << tail.err;
  std::vector<nlohmann::json> lines = JsonLines(tail.out);
  ASSERT_EQ(lines.size(), 2u) << tail.out;
  for (const nlohmann::json& line : lines) {
    EXPECT_EQ(line["type"], "alert.opened");
    EXPECT_EQ(line["tenant"], "contoso");  // tenant 1 by name
    EXPECT_EQ(line["id"].get<int64_t>() % 2, 0);
  }
  EXPECT_EQ(lines[1]["id"].get<int64_t>(), lines[0]["id"].get<int64_t>() + 2);
}

}  // namespace
}  // namespace vigil
