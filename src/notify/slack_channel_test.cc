#include "notify/slack_channel.h"

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
using testing::SampleAlert;
using testing::SampleGroup;
using testing::SampleNotification;

constexpr char kUrl[] = "https://hooks.slack.example/services/T0/B0/XYZSECRET";

ChannelSpec Spec(std::string url = kUrl) {
  ChannelSpec spec;
  spec.name = "ops-slack";
  spec.kind = std::string(kChannelSlack);
  spec.url = std::move(url);
  return spec;
}

// Every section's and context's text, checked against Slack's limit.
void ExpectWithinSlackLimits(const json& body) {
  ASSERT_TRUE(body["blocks"].is_array());
  EXPECT_LE(body["blocks"].size(), kSlackMaxBlocks);
  for (const json& block : body["blocks"]) {
    if (block["type"] == "section") {
      EXPECT_LT(block["text"]["text"].get<std::string>().size(), kSlackTextLimit);
    } else if (block["type"] == "context") {
      for (const json& element : block["elements"]) {
        EXPECT_LT(element["text"].get<std::string>().size(), kSlackTextLimit);
      }
    } else {
      EXPECT_EQ(block["type"], "header");
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), kSlackHeaderBytes);
    }
  }
}

TEST(SlackChannelTest, BodyHasHeadlineLinesAndNoMoreLineWhenAllFit) {
  const json body = json::parse(SlackBody(SampleGroup()));
  EXPECT_EQ(body["text"], "fabrikam: 1 new, 1 resolved");
  ASSERT_EQ(body["blocks"].size(), 2u);
  EXPECT_EQ(body["blocks"][0], json::parse(R"({"type":"header","text":{"type":"plain_text",
                            "text":"fabrikam: 1 new, 1 resolved"}})"));
  EXPECT_EQ(body["blocks"][1]["type"], "section");
  EXPECT_EQ(body["blocks"][1]["text"]["type"], "mrkdwn");
  EXPECT_EQ(body["blocks"][1]["text"]["text"],
            "\xE2\x80\xA2 [high] privilege.guest_admin: guest@fabrikam.example (opened)\n"
            "\xE2\x80\xA2 [low] stale.user: old@fabrikam.example (resolved)");
}

TEST(SlackChannelTest, LeftOutNotificationsGoToAContextLine) {
  const json body = json::parse(SlackBody(LargeGroup(25)));
  EXPECT_EQ(body["text"], "fabrikam: 25 new");
  ASSERT_EQ(body["blocks"].size(), 3u);
  const std::string lines = body["blocks"][1]["text"]["text"];
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 19);  // 20 lines
  EXPECT_EQ(body["blocks"][2]["type"], "context");
  EXPECT_EQ(body["blocks"][2]["elements"][0]["type"], "mrkdwn");
  EXPECT_EQ(body["blocks"][2]["elements"][0]["text"],
            "and 5 more: mfa.user_not_registered 2, privilege.guest_admin 2, stale.user 1");
}

TEST(SlackChannelTest, MrkdwnControlCharactersAreEscaped) {
  NotificationGroup group = SampleGroup();
  group.notifications[0].alert.subject_name = "<!channel> & <@U123>";
  const json body = json::parse(SlackBody(group));
  const std::string lines = body["blocks"][1]["text"]["text"];
  EXPECT_NE(lines.find("&lt;!channel&gt; &amp; &lt;@U123&gt;"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("<!channel>"), std::string::npos);
}

TEST(SlackChannelTest, LongLinesSpreadOverSectionsUnderTheTextLimit) {
  NotificationGroup group = SampleGroup();
  group.notifications.clear();
  for (int i = 0; i < 20; ++i) {
    group.notifications.push_back(SampleNotification(
        i + 1, SampleAlert(i + 1, "stale.user", std::string(1000, 'a' + i % 26), "low"), "opened"));
  }
  const json body = json::parse(SlackBody(group));
  ExpectWithinSlackLimits(body);
  // Each line is cut to 500 bytes; five fit a section: 20 lines, 4 sections.
  EXPECT_EQ(body["blocks"].size(), 5u);
  const std::string first = body["blocks"][1]["text"]["text"];
  EXPECT_NE(first.find(std::string(400, 'a') + "\xE2\x80\xA6"), std::string::npos);
}

TEST(SlackChannelTest, AHugeGroupKeepsAtMostFiftyBlocksAndCountsTheRest) {
  NotificationGroup group = LargeGroup(2000);
  for (Notification& n : group.notifications) n.alert.subject_name = std::string(900, 'x');
  // Ask for every line: the block bound decides how many are shown.
  const json body = json::parse(SlackBody(group, 2000));
  ExpectWithinSlackLimits(body);
  ASSERT_EQ(body["blocks"].size(), kSlackMaxBlocks);
  EXPECT_EQ(body["blocks"][0]["text"]["text"], "fabrikam: 2000 new");
  size_t shown = 0;
  for (const json& block : body["blocks"]) {
    if (block["type"] != "section") continue;
    const std::string text = block["text"]["text"];
    shown += std::count(text.begin(), text.end(), '\n') + 1;
  }
  EXPECT_EQ(shown, 48u * 5);  // 48 sections of five 500-byte lines
  const std::string more = body["blocks"][49]["elements"][0]["text"];
  EXPECT_EQ(more.rfind("and " + std::to_string(2000 - shown) + " more: ", 0), 0u) << more;
}

TEST(SlackChannelTest, DefaultSummaryOfAHugeGroupStaysSmall) {
  const std::string text = SlackBody(LargeGroup(2000));
  const json body = json::parse(text);
  ExpectWithinSlackLimits(body);
  EXPECT_EQ(body["blocks"].size(), 3u);
  EXPECT_EQ(body["blocks"][2]["elements"][0]["text"].get<std::string>().rfind("and 1980 more:", 0),
            0u);
}

TEST(SlackChannelTest, AVeryLongHeadlineIsCutForTheHeader) {
  const json body = json::parse(SlackBody(SampleGroup(std::string(300, 't'))));
  const std::string header = body["blocks"][0]["text"]["text"];
  EXPECT_EQ(header.size(), kSlackHeaderBytes);
  EXPECT_EQ(header.substr(header.size() - 3), "\xE2\x80\xA6");
  EXPECT_EQ(body["text"].get<std::string>().size(),
            300u + std::string(": 1 new, 1 resolved").size());
}

TEST(SlackChannelTest, RequestAndAnswers) {
  FakeHttpClient client;
  client.Script(kUrl, {JsonResponse(200, "ok"), JsonResponse(404, "no_service"),
                       JsonResponse(429, "", {{"retry-after", "1"}})});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewSlackChannel(Spec(), &client, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().message();
  DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(result.response, "ok");
  result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.response, "no_service");
  EXPECT_EQ(result.error, "slack: https://hooks.slack.example answered HTTP 404");
  result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ms, 1000);

  const HttpRequest sent = client.Requests().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, kUrl);
  EXPECT_EQ(sent.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(sent.body, SlackBody(SampleGroup()));
}

TEST(SlackChannelTest, FactoryRefusesAMissingOrNonHttpUrl) {
  FakeHttpClient client;
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewSlackChannel(Spec(""), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(channel.status().message(), "slack channel: url is required");
  channel = NewSlackChannel(Spec("hooks.slack.com/services/T0/B0/X"), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(), "slack channel: url must be an http:// or https:// URL");
  channel = NewSlackChannel(Spec(), &client, nullptr);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(), "slack channel: an HTTP client and a clock are required");
}

}  // namespace
}  // namespace vigil
