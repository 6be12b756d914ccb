// The outbox relay publishing to a real nats-server (JetStream) while the
// server goes away: stopped for 15 s mid-stream, and killed with SIGKILL.
// Events keep being written meanwhile; afterwards every outbox event is in
// the stream exactly once, counted by id on the consumer side.
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "events/nats_bus.h"
#include "events/outbox.h"
#include "events/outbox_relay.h"
#include "store/sqlite_db.h"
#include "testing/fixtures.h"
#include "testing/nats_server.h"

namespace vigil {
namespace {

using Clock_ = std::chrono::steady_clock;

// How many times each event id is in stream subjects "<prefix>.>", read
// from the start with a consumer of our own.
std::map<int64_t, int> IdsInStream(const std::string& url, const std::string& prefix,
                                   size_t expected) {
  std::map<int64_t, int> seen;
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Config.AckPolicy = js_AckNone;
  const std::string subject = prefix + ".>";
  if (natsConnection_ConnectTo(&conn, url.c_str()) == NATS_OK &&
      natsConnection_JetStream(&js, conn, nullptr) == NATS_OK &&
      js_SubscribeSync(&sub, js, subject.c_str(), nullptr, &so, nullptr) == NATS_OK) {
    size_t total = 0;
    natsMsg* msg = nullptr;
    // Reads until nothing more comes for a second (after the expected count).
    while (natsSubscription_NextMsg(&msg, sub, total >= expected ? 1000 : 10000) == NATS_OK) {
      auto j = nlohmann::json::parse(natsMsg_GetData(msg),
                                     natsMsg_GetData(msg) + natsMsg_GetDataLength(msg));
      ++seen[j.at("id").get<int64_t>()];
      ++total;
      natsMsg_Destroy(msg);
    }
  }
  if (sub != nullptr) natsSubscription_Destroy(sub);
  if (js != nullptr) jsCtx_Destroy(js);
  if (conn != nullptr) natsConnection_Destroy(conn);
  return seen;
}

class NatsRelayFaultTest : public ::testing::TestWithParam<int> {};

TEST_P(NatsRelayFaultTest, EveryOutboxEventEndsUpInTheStreamExactlyOnce) {
  const int signal = GetParam();
  auto server = testing::NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string path = testing::NewTempDir() + "/vigil.db";
  auto writer = OpenSqliteDb(path).value();
  NatsBusOptions options;
  options.url = (*server)->url();
  options.publish_timeout_ms = 500;
  options.reconnect_wait_ms = 100;
  auto bus = OpenNatsBus(options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  auto clock = NewSystemClock();
  OutboxRelayOptions relay_options;
  relay_options.poll_ms = 50;
  relay_options.batch = 64;
  OutboxRelay relay(OpenSqliteDb(path).value(), bus->get(), clock.get(), relay_options);
  ASSERT_TRUE(relay.Start().ok());

  // The pipeline keeps writing events: one transaction every 20 ms.
  constexpr int kEvents = 1500;
  std::atomic<int> written{0};
  std::thread producer([&] {
    for (int i = 0; i < kEvents; ++i) {
      Event e;
      e.type = i % 3 == 0 ? "sync.completed" : "alert.opened";
      e.tenant_id = 1 + i % 4;
      e.trace_id = "trace-" + std::to_string(i);
      e.at = 1000 + i;
      e.payload = "{\"i\":" + std::to_string(i) + "}";
      Transaction tx(writer.get());
      if (!AppendEvents(writer.get(), {e}).ok() || !tx.Commit().ok()) {
        ADD_FAILURE() << "append failed";
        return;
      }
      ++written;
      relay.Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(signal == SIGTERM ? 10 : 5));
    }
  });
  while (written < 300) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (signal == SIGKILL) {
    (*server)->Signal(SIGKILL);
  } else {
    (*server)->Stop();
  }
  std::this_thread::sleep_for(std::chrono::seconds(15));
  // While it was away the outbox grew and the relay reported why.
  auto during = OpenSqliteDb(path).value();
  EXPECT_GT(*CountUnpublished(during.get()), 0);
  EXPECT_EQ(relay.last_error().code(), Code::kUnavailable) << relay.last_error().ToString();
  ASSERT_TRUE((*server)->Restart().ok());
  producer.join();

  const auto deadline = Clock_::now() + std::chrono::seconds(60);
  while (*CountUnpublished(during.get()) > 0 && Clock_::now() < deadline) {
    relay.Notify();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(*CountUnpublished(during.get()), 0) << relay.last_error().ToString();
  relay.Stop();

  std::map<int64_t, int> seen = IdsInStream(options.url, options.subject_prefix, kEvents);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kEvents));
  int repeated = 0;
  for (int64_t id = 1; id <= kEvents; ++id) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      ADD_FAILURE() << "event " << id << " is not in the stream";
    } else if (it->second != 1) {
      ++repeated;
    }
  }
  EXPECT_EQ(repeated, 0);
}

INSTANTIATE_TEST_SUITE_P(StoppedAndKilled, NatsRelayFaultTest, ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGKILL ? "KillNine" : "Stopped15s");
                         });

}  // namespace
}  // namespace vigil
