// NatsBus against a real nats-server the tests start: the EventBus
// conformance suite (JetStream and core NATS), the server's deduplication
// by outbox id, and a server that goes away and comes back.
#include "events/nats_bus.h"

#include <gtest/gtest.h>
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "testing/event_bus_conformance.h"
#include "testing/nats_server.h"

namespace vigil {
namespace {

using testing::EventBusBackend;
using testing::EventBusConformanceTest;
using testing::EventCollector;
using testing::NatsServer;
using testing::TestEvent;

// One server per kind for the whole test binary.
NatsServer* SharedServer(bool jetstream) {
  static std::unique_ptr<NatsServer> servers[2];
  std::unique_ptr<NatsServer>& server = servers[jetstream ? 1 : 0];
  if (!server) {
    auto started = NatsServer::Start(jetstream);
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return nullptr;
    }
    server = std::move(started).value();
  }
  return server.get();
}

// Every bus gets subjects and a stream of its own, so buses are independent.
NatsBusOptions FreshOptions(const std::string& url) {
  static std::atomic<int> n{0};
  const int i = ++n;
  NatsBusOptions o;
  o.url = url;
  o.subject_prefix = "test" + std::to_string(i);
  o.stream = "TEST" + std::to_string(i);
  return o;
}

Result<std::unique_ptr<EventBus>> MakeBus(bool jetstream) {
  NatsServer* server = SharedServer(jetstream);
  if (server == nullptr) return Status::Unavailable("no nats-server");
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<NatsBus> bus, OpenNatsBus(FreshOptions(server->url())));
  if (bus->jetstream() != jetstream) return Status::Internal("jetstream detection is wrong");
  return std::unique_ptr<EventBus>(std::move(bus));
}

INSTANTIATE_TEST_SUITE_P(
    Nats, EventBusConformanceTest,
    ::testing::Values(EventBusBackend{"nats_jetstream", [] { return MakeBus(true); }},
                      EventBusBackend{"nats_core", [] { return MakeBus(false); }}),
    testing::EventBusBackendName);

TEST(NatsBusTest, SubjectsCarryTenantAndType) {
  EXPECT_EQ(NatsSubject("vigil", TestEvent(1, "alert.opened", 7)), "vigil.7.alert.opened");
  EXPECT_EQ(NatsSubject("vigil", EventFilter{0, "alert.*"}), "vigil.*.alert.>");
  EXPECT_EQ(NatsSubject("vigil", EventFilter{7, ""}), "vigil.7.>");
  EXPECT_EQ(NatsSubject("vigil", EventFilter{7, "sync.completed"}), "vigil.7.sync.completed");
}

TEST(NatsBusTest, ARepublishedEventIsStoredOnce) {
  NatsServer* server = SharedServer(true);
  ASSERT_NE(server, nullptr);
  NatsBusOptions o = FreshOptions(server->url());
  auto bus = OpenNatsBus(o);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  ASSERT_TRUE((*bus)->Publish({TestEvent(1, "sync.completed", 3), TestEvent(2, "alert.opened", 3)})
                  .ok());
  // The relay crashed before marking them: it publishes both again, then more.
  ASSERT_TRUE((*bus)->Publish({TestEvent(1, "sync.completed", 3), TestEvent(2, "alert.opened", 3),
                               TestEvent(3, "alert.opened", 3)})
                  .ok());
  EXPECT_EQ(testing::StreamMessages(server->url(), o.stream), 3);
  // Another process's bus on the same stream is deduplicated the same way.
  auto other = OpenNatsBus(o);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Publish({TestEvent(3, "alert.opened", 3)}).ok());
  EXPECT_EQ(testing::StreamMessages(server->url(), o.stream), 3);
}

TEST(NatsBusTest, AnUnreachableServerIsUnavailableAndNamed) {
  auto server = NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();
  (*server)->Stop();
  NatsBusOptions o = FreshOptions(url);
  o.connect_timeout_ms = 500;
  auto bus = OpenNatsBus(o);
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.status().code(), Code::kUnavailable) << bus.status().ToString();
  EXPECT_NE(bus.status().message().find("nats " + url + ": connect"), std::string::npos)
      << bus.status().ToString();
  o.publish_timeout_ms = 0;
  EXPECT_EQ(OpenNatsBus(o).status().code(), Code::kInvalidArgument);
}

TEST(NatsBusTest, PublishFailsWhileTheServerIsAwayAndWorksOnceItIsBack) {
  auto server = NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  NatsBusOptions o = FreshOptions((*server)->url());
  o.publish_timeout_ms = 300;
  o.reconnect_wait_ms = 100;
  auto bus = OpenNatsBus(o);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  ASSERT_TRUE((*bus)->Publish({TestEvent(1, "sync.completed", 1)}).ok());

  (*server)->Stop();
  Status away = (*bus)->Publish({TestEvent(2, "sync.completed", 1)});
  EXPECT_EQ(away.code(), Code::kUnavailable) << away.ToString();

  ASSERT_TRUE((*server)->Restart().ok());
  Status back = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !back.ok(); ++i) {
    back = (*bus)->Publish({TestEvent(2, "sync.completed", 1), TestEvent(3, "sync.completed", 1)});
    if (!back.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(back.ok()) << back.ToString();
  // Kept on disk across the restart, each id once (2 may have been stored by
  // the attempt that timed out; the retry was then dropped as a duplicate).
  EXPECT_EQ(testing::StreamMessages((*server)->url(), o.stream), 3);
}

TEST(NatsBusTest, WithoutRequireServerItOpensWhileTheServerIsDownAndPublishesOnceItIsUp) {
  auto server = NatsServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  (*server)->Stop();
  NatsBusOptions o = FreshOptions((*server)->url());
  o.require_server = false;
  o.reconnect_wait_ms = 100;
  o.publish_timeout_ms = 300;
  auto bus = OpenNatsBus(o);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  EXPECT_EQ((*bus)->Publish({TestEvent(1, "sync.completed", 1)}).code(), Code::kUnavailable);

  ASSERT_TRUE((*server)->Restart().ok());
  Status published = Status::Unavailable("not tried");
  for (int i = 0; i < 100 && !published.ok(); ++i) {
    published = (*bus)->Publish({TestEvent(1, "sync.completed", 1)});
    if (!published.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(published.ok()) << published.ToString();
  EXPECT_TRUE((*bus)->jetstream());
  EXPECT_EQ(testing::StreamMessages((*server)->url(), o.stream), 1);
}

}  // namespace
}  // namespace vigil
