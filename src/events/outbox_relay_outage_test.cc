// What an operator reads in the log while NATS is away: the outbox relay
// publishing to a real nats-server (JetStream) that is stopped while events
// are written and started again. The relay's JSON log lines (stderr) are
// captured and read back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "events/nats_bus.h"
#include "events/outbox.h"
#include "events/outbox_relay.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/nats_server.h"

namespace vigil {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Sends this process's stderr (where observe/log.h writes) to a file while
// alive; Lines() reads back what was written.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0) << path_;
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() { Restore(); }

  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }

  // The JSON lines written so far whose "event" starts with `prefix`.
  std::vector<nlohmann::json> Lines(const std::string& prefix) const {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.value("event", "").rfind(prefix, 0) == 0) lines.push_back(j);
    }
    return lines;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

void AppendOne(Db* db, int i) {
  Event e;
  e.type = "alert.opened";
  e.tenant_id = 1;
  e.trace_id = "trace-" + std::to_string(i);
  e.at = 1000 + i;
  e.payload = "{\"i\":" + std::to_string(i) + "}";
  Transaction tx(db);
  ASSERT_TRUE(AppendEvents(db, {e}).ok());
  ASSERT_TRUE(tx.Commit().ok());
}

// Waits until the outbox holds no unpublished event; false after 60 s.
bool Drained(Db* db, OutboxRelay* relay) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  while (*CountUnpublished(db) > 0) {
    if (SteadyClock::now() > deadline) return false;
    relay->Notify();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

TEST(OutboxRelayOutageTest, AnOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds) {
  auto server = testing::NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string dir = testing::NewTempDir();
  const std::string path = dir + "/vigil.db";
  auto writer = OpenSqliteDb(path).value();
  NatsBusOptions options;
  options.url = (*server)->url();
  options.publish_timeout_ms = 300;
  options.reconnect_wait_ms = 100;
  auto bus = OpenNatsBus(options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  auto clock = NewSystemClock();
  OutboxRelayOptions relay_options;
  relay_options.poll_ms = 50;
  relay_options.batch = 64;

  StderrCapture log(dir + "/stderr.log");
  OutboxRelay relay(OpenSqliteDb(path).value(), bus->get(), clock.get(), relay_options);
  ASSERT_TRUE(relay.Start().ok());
  for (int i = 0; i < 10; ++i) AppendOne(writer.get(), i);
  relay.Notify();
  ASSERT_TRUE(Drained(writer.get(), &relay));

  // NATS goes away; 251 events are written while it is, and the relay
  // keeps trying (a round every poll, each failing after the publish
  // timeout) for about three seconds.
  (*server)->Stop();
  for (int i = 0; i < 251; ++i) {
    AppendOne(writer.get(), 100 + i);
    relay.Notify();
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(*CountUnpublished(writer.get()), 251);
  EXPECT_EQ(relay.last_error().code(), Code::kUnavailable) << relay.last_error().ToString();
  const std::vector<nlohmann::json> during = log.Lines("events.relay");
  ASSERT_TRUE((*server)->Restart().ok());
  ASSERT_TRUE(Drained(writer.get(), &relay)) << relay.last_error().ToString();
  relay.Stop();
  log.Restore();

  // While it was away: one warning, however many rounds failed.
  ASSERT_EQ(during.size(), 1u) << nlohmann::json(during).dump();
  const nlohmann::json& down = during[0];
  EXPECT_EQ(down["level"], "warning");
  EXPECT_EQ(down["event"], "events.relay_down");
  EXPECT_EQ(down["error"].get<std::string>().rfind(
                "outbox relay: publishing: nats " + options.url + ": publish event ", 0),
            0u)
      << down.dump();
  EXPECT_GE(down["pending"].get<int64_t>(), 1);
  EXPECT_LE(down["pending"].get<int64_t>(), 251);

  // Then one line when it was back, with the backlog it published.
  const std::vector<nlohmann::json> lines = log.Lines("events.relay");
  ASSERT_EQ(lines.size(), 2u) << nlohmann::json(lines).dump();
  const nlohmann::json& up = lines[1];
  EXPECT_EQ(up["level"], "info");
  EXPECT_EQ(up["event"], "events.relay_up");
  EXPECT_EQ(up["published"], 251);
  EXPECT_GT(up["down_ms"].get<int64_t>(), 0);
  for (const nlohmann::json& line : lines) EXPECT_TRUE(line["ts"].is_string()) << line.dump();
}

}  // namespace
}  // namespace vigil
