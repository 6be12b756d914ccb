// Slack, Teams and PagerDuty through the real libcurl client to a receiver
// on 127.0.0.1 (the payload tests of each kind use a fake client): what
// arrives is the kind's documented shape, and the receiver's answer is read
// as its API documents it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "notify/pagerduty_channel.h"
#include "notify/slack_channel.h"
#include "notify/teams_channel.h"
#include "testing/channel_test_groups.h"
#include "testing/fake_clock.h"
#include "testing/scripted_receiver.h"

namespace vigil {
namespace {

using nlohmann::json;

class ChatChannelsReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(receiver_.Start(), 0);
    Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }

  ChannelSpec Spec(std::string kind) {
    ChannelSpec spec;
    spec.name = "ops";
    spec.kind = std::move(kind);
    spec.url = "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/in";
    spec.routing_key = "R0UT1NGKEY";
    return spec;
  }

  json OnlyBody() {
    const auto got = receiver_.received();
    EXPECT_EQ(got.size(), 1u);
    if (got.empty()) return json();
    EXPECT_EQ(got[0].headers.at("content-type"), "application/json");
    return json::parse(got[0].body);
  }

  testing::ScriptedReceiver receiver_;
  std::unique_ptr<HttpClient> client_;
  testing::FakeClock clock_{1764365381000};
};

TEST_F(ChatChannelsReceiverTest, SlackGetsTextAndBlocksAndItsOkIsSent) {
  auto channel = NewSlackChannel(Spec("slack"), client_.get(), &clock_);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  DeliveryResult r = (*channel)->Deliver(testing::SampleGroup());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  const json body = OnlyBody();
  EXPECT_TRUE(body["text"].is_string());
  EXPECT_NE(body["text"].get<std::string>().find("fabrikam"), std::string::npos);
  ASSERT_TRUE(body["blocks"].is_array());
  EXPECT_EQ(body["blocks"][0]["type"], "header");
}

TEST_F(ChatChannelsReceiverTest, TeamsGetsAnAdaptiveCardAndA202IsSent) {
  receiver_.SetDefault({202, "", {}, false});
  auto channel = NewTeamsChannel(Spec("teams"), client_.get(), &clock_);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  DeliveryResult r = (*channel)->Deliver(testing::SampleGroup());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  EXPECT_EQ(r.status, 202);
  const json body = OnlyBody();
  EXPECT_EQ(body["type"], "message");
  EXPECT_EQ(body["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(body["attachments"][0]["content"]["type"], "AdaptiveCard");
}

TEST_F(ChatChannelsReceiverTest, PagerDutyGetsOneEventPerNotificationAndA400Fails) {
  receiver_.SetDefault({202, R"({"status":"success","dedup_key":"x"})", {}, false});
  auto channel = NewPagerDutyChannel(Spec("pagerduty"), client_.get(), &clock_);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  const NotificationGroup group = testing::SampleGroup();
  DeliveryResult r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  const auto got = receiver_.received();
  ASSERT_EQ(got.size(), group.notifications.size());
  const json first = json::parse(got[0].body);
  EXPECT_EQ(first["routing_key"], "R0UT1NGKEY");
  EXPECT_EQ(first["event_action"], "trigger");
  EXPECT_TRUE(first["dedup_key"].is_string());
  EXPECT_TRUE(first["payload"]["severity"].is_string());
  receiver_.SetDefault({400, R"({"status":"invalid event"})", {}, false});
  r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace vigil
