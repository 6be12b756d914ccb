#include "notify/teams_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "testing/channel_test_groups.h"
#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::JsonResponse;
using testing::LargeGroup;
using testing::SampleGroup;

constexpr char kUrl[] =
    "https://prod.westeurope.logic.example/workflows/abc/triggers/manual/paths/invoke"
    "?api-version=2016-06-01&sig=SIGSECRET";

ChannelSpec Spec(std::string url = kUrl) {
  ChannelSpec spec;
  spec.name = "ops-teams";
  spec.kind = std::string(kChannelTeams);
  spec.url = std::move(url);
  return spec;
}

const json& CardBody(const json& message) { return message["attachments"][0]["content"]["body"]; }

TEST(TeamsChannelTest, BodyIsAnAdaptiveCardMessage) {
  const json message = json::parse(TeamsBody(SampleGroup()));
  EXPECT_EQ(message["type"], "message");
  ASSERT_EQ(message["attachments"].size(), 1u);
  const json& attachment = message["attachments"][0];
  EXPECT_EQ(attachment["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_TRUE(attachment.contains("contentUrl"));
  EXPECT_TRUE(attachment["contentUrl"].is_null());
  const json& card = attachment["content"];
  EXPECT_EQ(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  const json& body = CardBody(message);
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0], json::parse(R"({"type":"TextBlock","text":"fabrikam: 1 new, 1 resolved",
                                     "wrap":true,"weight":"bolder","size":"medium"})"));
  EXPECT_EQ(body[1], json::parse(R"j({"type":"TextBlock","wrap":true,
      "text":"[high] privilege.guest_admin: guest@fabrikam.example (opened)"})j"));
  EXPECT_EQ(body[2]["text"], "[low] stale.user: old@fabrikam.example (resolved)");
}

TEST(TeamsChannelTest, TheMoreLineIsSubtle) {
  const json body = CardBody(json::parse(TeamsBody(LargeGroup(23))));
  ASSERT_EQ(body.size(), 22u);  // headline, 20 lines, more
  EXPECT_EQ(body[21], json::parse(R"({"type":"TextBlock","wrap":true,"isSubtle":true,
      "text":"and 3 more: mfa.user_not_registered 1, privilege.guest_admin 1, stale.user 1"})"));
}

TEST(TeamsChannelTest, TwoThousandNotificationsStayUnder28KBAndKeepTheCount) {
  const NotificationGroup group = LargeGroup(2000);
  // Asked for every line, it drops lines until the body fits.
  for (size_t max_lines : {size_t{2000}, kTeamsSummaryLines}) {
    const std::string text = TeamsBody(group, max_lines);
    EXPECT_LT(text.size(), 28000u) << max_lines;
    const json body = CardBody(json::parse(text));
    EXPECT_EQ(body[0]["text"], "fabrikam: 2000 new");
    const size_t lines = body.size() - 2;
    const std::string more = body.back()["text"];
    EXPECT_EQ(more.rfind("and " + std::to_string(2000 - lines) + " more: ", 0), 0u) << more;
    if (max_lines == 2000) {
      // It keeps as many lines as fit: one more (about 110 bytes) would not.
      EXPECT_GT(lines, 100u);
      EXPECT_GT(text.size(), 28000u - 300);
    } else {
      EXPECT_EQ(lines, 20u);
    }
  }
}

TEST(TeamsChannelTest, ManyTypesAndLongNamesStillFit) {
  NotificationGroup group = LargeGroup(2000);
  for (size_t i = 0; i < group.notifications.size(); ++i) {
    group.notifications[i].alert.type = "custom.type_number_" + std::to_string(i);
    group.notifications[i].alert.subject_name = std::string(5000, 'n');
  }
  const std::string text = TeamsBody(group, 2000);
  EXPECT_LT(text.size(), 28000u);
  const json body = CardBody(json::parse(text));
  const std::string more = body.back()["text"];
  const size_t lines = body.size() - 2;
  EXPECT_EQ(more.rfind("and " + std::to_string(2000 - lines) + " more: ", 0), 0u) << more;
  EXPECT_LE(more.size(), 2000u);
}

TEST(TeamsChannelTest, RequestAndAnswers) {
  FakeHttpClient client;
  client.Script(
      "https://prod.westeurope.logic.example/",
      {JsonResponse(202, ""), JsonResponse(400, R"({"error":{"code":"InvalidRequestContent"}})"),
       JsonResponse(503, "")});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewTeamsChannel(Spec(), &client, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().message();
  DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(result.status, 202);
  result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.error, "teams: https://prod.westeurope.logic.example answered HTTP 400");
  EXPECT_EQ(result.response, R"({"error":{"code":"InvalidRequestContent"}})");
  result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.error.find("SIGSECRET"), std::string::npos);

  const HttpRequest sent = client.Requests().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, kUrl);
  EXPECT_EQ(sent.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(sent.body, TeamsBody(SampleGroup()));
}

TEST(TeamsChannelTest, FactoryRefusesAMissingOrNonHttpUrl) {
  FakeHttpClient client;
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewTeamsChannel(Spec(""), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(channel.status().message(), "teams channel: url is required");
  channel = NewTeamsChannel(Spec("file:///etc/passwd"), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(), "teams channel: url must be an http:// or https:// URL");
}

}  // namespace
}  // namespace vigil
