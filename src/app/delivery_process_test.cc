// Delivery through `vigil serve` as a user runs it, with a real HTTP
// receiver on 127.0.0.1: a kill -9 during a delivery, a receiver that is
// down, then fails, then throttles, then recovers, and one that never
// answers. Every notification arrives, and repeats carry the same keys.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"
#include "testing/scripted_receiver.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

using testing::ScriptedReceiver;
using testing::ScriptedReply;
using testing::VigilProcess;
using testing::WaitFor;

constexpr const char* kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class DeliveryProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::VigilBinary().empty()) << "VIGIL_BINARY is not set";
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    const std::string graph = dir_ + "/graph";
    SyntheticOptions options;
    options.users = 40;
    options.now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
    auto db = OpenSqliteDb(db_).value();
    const int64_t tenant = EnsureTenant(db.get(), "contoso", 1)->id;
    ASSERT_TRUE(EnsureDataSource(db.get(), tenant, "graph", "graph_json",
                                 nlohmann::json{{"dir", graph}}.dump(), 1)
                    .ok());
  }

  // Adds webhook channel "hook" to 127.0.0.1:`port` with group wait 0.
  void AddChannel(int port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"channel", "add", "--db", db_, "--name", "hook", "--kind",
                                     "webhook", "--url",
                                     "http://127.0.0.1:" + std::to_string(port) + "/hook",
                                     "--group-wait", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::CliRun run = testing::Vigil(args);
    ASSERT_EQ(run.status, 0) << run.err;
  }

  std::unique_ptr<VigilProcess> Serve(const std::string& log) {
    return std::make_unique<VigilProcess>(
        std::vector<std::string>{"serve", "--db", db_, "--coalesce", "0", "--lease", "2s",
                                 "--poll", "50ms", "--http", "off"},
        dir_ + "/" + log);
  }

  void Trigger() {
    testing::CliRun run = testing::Vigil({"trigger", "--db", db_, "--tenant", "contoso"});
    ASSERT_EQ(run.status, 0) << run.err;
  }

  int64_t Query(const std::string& sql) {
    auto db = OpenSqliteDb(db_).value();
    return testing::Count(db.get(), sql);
  }

  std::set<std::string> StoredKeys(const std::string& state) {
    auto db = OpenSqliteDb(db_).value();
    auto st = db->Prepare("SELECT idempotency_key FROM notifications WHERE state = ?").value();
    st->BindText(1, state);
    std::set<std::string> keys;
    while (st->Step().value()) keys.insert(st->String(0));
    return keys;
  }

  // Every notification id in the requests the receiver answered 2xx.
  static std::set<std::string> AcceptedKeys(const std::vector<testing::ReceivedRequest>& got) {
    std::set<std::string> keys;
    for (const auto& r : got) {
      if (r.answered < 200 || r.answered > 299) continue;
      const nlohmann::json body = nlohmann::json::parse(r.body);
      for (const auto& n : body["notifications"]) {
        keys.insert(n["id"].get<std::string>());
      }
    }
    return keys;
  }

  testing::ScopedEnv key_{"VIGIL_SECRET_KEY", std::string(kKeyHex)};
  std::string dir_;
  std::string db_;
};

TEST_F(DeliveryProcessTest, KillNineDuringADeliveryThenRestartDeliversEverythingWithTheSameKeys) {
  ScriptedReceiver receiver;
  ASSERT_GT(receiver.Start(), 0);
  ScriptedReply hang;
  hang.hang = true;
  receiver.Script({hang});  // the first message never gets an answer
  AddChannel(receiver.port(), {"--timeout", "60s"});
  auto serve = Serve("serve1.log");
  Trigger();
  ASSERT_TRUE(WaitFor([&] { return receiver.received().size() == 1; }, 60));
  serve->Signal(SIGKILL);
  ASSERT_EQ(serve->Wait(10), -1);
  const std::string in_flight = receiver.received()[0].headers["idempotency-key"];
  ASSERT_FALSE(in_flight.empty());
  EXPECT_EQ(Query("SELECT COUNT(*) FROM notifications WHERE state = 'sent'"), 0);

  auto again = Serve("serve2.log");
  ASSERT_TRUE(WaitFor(
      [&] {
        return Query("SELECT COUNT(*) FROM notifications WHERE state = 'pending'") == 0 &&
               Query("SELECT COUNT(*) FROM notifications") > 0;
      },
      60));
  const auto got = receiver.received();
  ASSERT_GE(got.size(), 2u);
  // The message in flight at the kill came again, with the same key.
  EXPECT_EQ(got[1].headers.at("idempotency-key"), in_flight);
  // The same notifications (the alerts in them are as they are at each send:
  // an analysis the kill interrupted runs again and moves their last_seen).
  auto keys_and_changes = [](const std::string& body) {
    std::vector<std::string> out;
    const nlohmann::json parsed = nlohmann::json::parse(body);
    for (const auto& n : parsed["notifications"]) {
      out.push_back(n["id"].get<std::string>() + " " + n["change"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(keys_and_changes(got[1].body), keys_and_changes(got[0].body));
  const std::set<std::string> sent = StoredKeys("sent");
  EXPECT_EQ(sent.size(), static_cast<size_t>(Query("SELECT COUNT(*) FROM notifications")));
  EXPECT_EQ(AcceptedKeys(got), sent);
  again->Signal(SIGTERM);
  EXPECT_EQ(again->Wait(30), 0);
}

TEST_F(DeliveryProcessTest, AReceiverDownThenFailingThenThrottlingThenUpGetsEverything) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  AddChannel(port, {"--max-retry-wait", "2s"});
  auto serve = Serve("serve.log");
  Trigger();
  // Down for 30 s: attempts without an answer, retried.
  std::this_thread::sleep_for(std::chrono::seconds(30));
  EXPECT_GE(Query("SELECT COUNT(*) FROM deliveries WHERE status = 0 AND outcome = 'retry'"), 5);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM notifications WHERE state = 'sent'"), 0);
  ScriptedReceiver receiver;
  ScriptedReply error;
  error.status = 500;
  ScriptedReply throttled;
  throttled.status = 429;
  throttled.headers = {{"Retry-After", "3"}};
  receiver.Script({error, throttled});
  ASSERT_EQ(receiver.Start(port), port);
  ASSERT_TRUE(WaitFor(
      [&] { return Query("SELECT COUNT(*) FROM notifications WHERE state = 'pending'") == 0; },
      60));
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].answered, 500);
  EXPECT_EQ(got[1].answered, 429);
  EXPECT_EQ(got[2].answered, 200);
  EXPECT_GE(got[2].at - got[1].at, std::chrono::milliseconds(2900)) << "Retry-After ignored";
  EXPECT_EQ(got[0].headers.at("idempotency-key"), got[2].headers.at("idempotency-key"));
  EXPECT_EQ(got[1].headers.at("idempotency-key"), got[2].headers.at("idempotency-key"));
  EXPECT_EQ(AcceptedKeys(got), StoredKeys("sent"));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deliveries WHERE status = 500 AND outcome = 'retry'"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deliveries WHERE status = 429 AND outcome = 'retry'"), 1);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deliveries WHERE status = 200 AND outcome = 'sent'"), 1);
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(30), 0);
}

TEST_F(DeliveryProcessTest, AReceiverThatNeverAnswersTimesOutAndTheChannelShowsIt) {
  ScriptedReceiver receiver;
  ASSERT_GT(receiver.Start(), 0);
  ScriptedReply hang;
  hang.hang = true;
  receiver.SetDefault(hang);
  AddChannel(receiver.port(), {"--timeout", "1s", "--max-retry-wait", "1s"});
  auto serve = Serve("serve.log");
  Trigger();
  ASSERT_TRUE(WaitFor(
      [&] { return Query("SELECT COUNT(*) FROM deliveries WHERE outcome = 'retry'") >= 2; }, 60));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deliveries WHERE status <> 0"), 0);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM deliveries WHERE error LIKE '%timed out%'"),
            Query("SELECT COUNT(*) FROM deliveries"));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM notifications WHERE state = 'sent'"), 0);
  testing::CliRun channels = testing::Vigil({"channels", "--db", db_});
  EXPECT_EQ(channels.status, 0);
  EXPECT_NE(channels.out.find("retrying: webhook: no answer from http://127.0.0.1:"),
            std::string::npos)
      << channels.out;
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(30), 0);
}

}  // namespace
}  // namespace vigil
