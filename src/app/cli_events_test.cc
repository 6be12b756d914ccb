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

// Publishes event `id` (tenant 1 = contoso when id is even, else 2; type
// alert.opened when id is a multiple of 4, else sync.completed).
Status PublishNumbered(EventBus* bus, int64_t id) {
  Event e;
  e.id = id;
  e.type = id % 4 == 0 ? "alert.opened" : "sync.completed";
  e.tenant_id = id % 2 == 0 ? 1 : 2;
  e.trace_id = "t" + std::to_string(id);
  e.at = 1000 + id;
  e.payload = "{\"n\":" + std::to_string(id) + "}";
  return bus->Publish({e});
}

TEST_F(CliEventsTest, TailFromNatsFromTheStartReadsTheStreamThenGoesOnLive) {
  auto server = testing::NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  NatsBusOptions options;
  options.url = (*server)->url();
  auto bus = OpenNatsBus(options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  ASSERT_TRUE((*bus)->jetstream());
  for (int64_t id = 1; id <= 200; ++id) ASSERT_TRUE(PublishNumbered(bus->get(), id).ok());
  // New events keep coming while the tail runs.
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (int64_t id = 1001; !done && id < 3000; ++id) {
      (void)PublishNumbered(bus->get(), id);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  // contoso's alert.opened: the 50 stored (4, 8, ..., 200), then 2 new ones.
  CliRun tail = Vigil({"events", "tail", "--db", db_, "--nats", options.url, "--from-start",
                       "--tenant", "contoso", "--type", "alert.*", "--limit", "52", "--json"});
  CliRun text =
      Vigil({"events", "tail", "--db", db_, "--nats", options.url, "--from-start", "--limit", "3"});
  done = true;
  publisher.join();
  ASSERT_EQ(tail.status, 0) << tail.err;
  std::vector<nlohmann::json> lines = JsonLines(tail.out);
  ASSERT_EQ(lines.size(), 52u) << tail.out;
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(lines[i]["id"], static_cast<int64_t>(4 * (i + 1))) << lines[i].dump();
    EXPECT_EQ(lines[i]["type"], "alert.opened");
    EXPECT_EQ(lines[i]["tenant"], "contoso");
  }
  for (size_t i = 50; i < 52; ++i) {
    const int64_t id = lines[i]["id"].get<int64_t>();
    EXPECT_GT(id, 1000) << lines[i].dump();
    EXPECT_EQ(id % 4, 0) << lines[i].dump();
  }
  EXPECT_LT(lines[50]["id"].get<int64_t>(), lines[51]["id"].get<int64_t>());

  // Without filters: the stream's first three events, whatever the tenant.
  ASSERT_EQ(text.status, 0) << text.err;
  std::istringstream text_lines(text.out);
  std::vector<std::string> got;
  for (std::string line; std::getline(text_lines, line);) got.push_back(line);
  ASSERT_EQ(got.size(), 3u) << text.out;
  EXPECT_NE(got[0].find("  sync.completed  tenant=2  id=1  trace=t1  {\"n\":1}"), std::string::npos)
      << got[0];
  EXPECT_NE(got[1].find("  sync.completed  tenant=contoso  id=2  "), std::string::npos) << got[1];
  EXPECT_NE(got[2].find("  sync.completed  tenant=2  id=3  "), std::string::npos) << got[2];
}

TEST_F(CliEventsTest, FromTheStartWithoutJetStreamSaysThereIsNoStream) {
  auto server = testing::NatsServer::Start(/*jetstream=*/false);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  NatsBusOptions options;
  options.url = (*server)->url();
  auto bus = OpenNatsBus(options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  ASSERT_FALSE((*bus)->jetstream());
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (int64_t id = 1; !done && id < 2000; ++id) {
      (void)PublishNumbered(bus->get(), id);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  CliRun tail =
      Vigil({"events", "tail", "--db", db_, "--nats", options.url, "--from-start", "--limit", "1"});
  done = true;
  publisher.join();
  EXPECT_EQ(tail.status, 1) << tail.out;
  EXPECT_EQ(tail.out, "");
  EXPECT_EQ(tail.err, "vigil: nats " + options.url +
                          ": read stream VIGIL from the start: the server has no JetStream, so "
                          "it keeps no events\n");
}

}  // namespace
}  // namespace vigil
