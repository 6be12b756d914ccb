#include "notify/pagerduty_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "alerts/alert_json.h"
#include "testing/channel_test_groups.h"
#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::JsonResponse;
using testing::SampleAlert;
using testing::SampleGroup;
using testing::SampleNotification;

constexpr char kRoutingKey[] = "R0UT1NGKEY0123456789abcdef012345";
constexpr char kAccepted[] =
    R"({"status":"success","message":"Event processed","dedup_key":"vigil-3-41"})";

ChannelSpec Spec(std::string url = "", std::string routing_key = kRoutingKey) {
  ChannelSpec spec;
  spec.name = "oncall";
  spec.kind = std::string(kChannelPagerDuty);
  spec.url = std::move(url);
  spec.routing_key = std::move(routing_key);
  return spec;
}

TEST(PagerDutyChannelTest, ATriggerCarriesTheWholeDocumentedEvent) {
  const NotificationGroup group = SampleGroup();
  const std::vector<HttpRequest> requests = BuildPagerDutyRequests(Spec(), group);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_EQ(requests[0].headers.at("Content-Type"), "application/json");
  const json event = json::parse(requests[0].body);
  EXPECT_EQ(event.size(), 4u);
  EXPECT_EQ(event["routing_key"], kRoutingKey);
  EXPECT_EQ(event["event_action"], "trigger");
  EXPECT_EQ(event["dedup_key"], "vigil-3-41");
  const json& payload = event["payload"];
  EXPECT_EQ(payload.size(), 8u);
  EXPECT_EQ(payload["summary"], "fabrikam: privilege.guest_admin guest@fabrikam.example");
  EXPECT_EQ(payload["source"], "vigil/fabrikam");
  EXPECT_EQ(payload["severity"], "error");  // high
  EXPECT_EQ(payload["timestamp"], "2026-11-28T21:29:41Z");
  EXPECT_EQ(payload["component"], "privilege.guest_admin");
  EXPECT_EQ(payload["group"], "fabrikam");
  EXPECT_EQ(payload["class"], "privilege");
  EXPECT_EQ(payload["custom_details"], json::parse(AlertToJson(group.notifications[0].alert)));
}

TEST(PagerDutyChannelTest, AResolveCarriesOnlyKeyActionAndDedupKey) {
  const std::vector<HttpRequest> requests = BuildPagerDutyRequests(Spec(), SampleGroup());
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(json::parse(requests[1].body),
            json::parse(R"({"routing_key":")" + std::string(kRoutingKey) +
                        R"(","event_action":"resolve","dedup_key":"vigil-3-42"})"));
}

TEST(PagerDutyChannelTest, WhichChangeSendsWhat) {
  EXPECT_EQ(PagerDutyAction("opened"), "trigger");
  EXPECT_EQ(PagerDutyAction("reopened"), "trigger");
  EXPECT_EQ(PagerDutyAction("severity_changed"), "trigger");
  EXPECT_EQ(PagerDutyAction("updated"), "trigger");
  EXPECT_EQ(PagerDutyAction("repeat"), "trigger");
  EXPECT_EQ(PagerDutyAction("resolved"), "resolve");
  EXPECT_EQ(PagerDutyAction("flapping"), "");
  EXPECT_EQ(PagerDutyAction("stable"), "");

  NotificationGroup group = SampleGroup();
  const AlertRow alert = SampleAlert(50, "mfa.user_not_registered", "u@f.example", "medium");
  group.notifications.push_back(SampleNotification(103, alert, "flapping"));
  group.notifications.push_back(SampleNotification(104, alert, "stable"));
  group.notifications.push_back(SampleNotification(105, alert, "reopened"));
  const std::vector<HttpRequest> requests = BuildPagerDutyRequests(Spec(), group);
  ASSERT_EQ(requests.size(), 3u);  // flapping and stable send nothing
  EXPECT_EQ(json::parse(requests[2].body)["dedup_key"], "vigil-3-50");
  EXPECT_EQ(json::parse(requests[2].body)["event_action"], "trigger");
}

TEST(PagerDutyChannelTest, SeverityMapping) {
  EXPECT_EQ(PagerDutySeverity("critical"), "critical");
  EXPECT_EQ(PagerDutySeverity("high"), "error");
  EXPECT_EQ(PagerDutySeverity("medium"), "warning");
  EXPECT_EQ(PagerDutySeverity("low"), "info");
  EXPECT_EQ(PagerDutySeverity("bogus"), "warning");
}

TEST(PagerDutyChannelTest, TheDedupKeyIsTheAlertsForEveryChange) {
  const AlertRow alert = SampleAlert(77, "stale.user", "s@f.example", "low");
  EXPECT_EQ(PagerDutyDedupKey(alert), "vigil-3-77");
  const std::string open =
      PagerDutyEventBody(Spec(), SampleNotification(1, alert, "opened"), "trigger");
  const std::string close =
      PagerDutyEventBody(Spec(), SampleNotification(2, alert, "resolved"), "resolve");
  EXPECT_EQ(json::parse(open)["dedup_key"], json::parse(close)["dedup_key"]);
}

TEST(PagerDutyChannelTest, TheSummaryIsCutAt1024Bytes) {
  NotificationGroup group = SampleGroup();
  group.notifications[0].alert.subject_name = std::string(2000, 's');
  const std::vector<HttpRequest> requests = BuildPagerDutyRequests(Spec(), group);
  const std::string summary = json::parse(requests[0].body)["payload"]["summary"];
  EXPECT_EQ(summary.size(), kPagerDutySummaryBytes);
  EXPECT_EQ(summary.rfind("fabrikam: privilege.guest_admin sss", 0), 0u);
}

TEST(PagerDutyChannelTest, DeliverSendsEveryEventAndIsSentWhenAllAreAccepted) {
  FakeHttpClient client;
  client.Script("https://pd.example/v2/enqueue", {JsonResponse(202, kAccepted)});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel =
      NewPagerDutyChannel(Spec("https://pd.example/v2/enqueue"), &client, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().message();
  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(result.status, 202);
  EXPECT_EQ(result.response, kAccepted);
  ASSERT_EQ(client.Requests().size(), 2u);
  EXPECT_EQ(json::parse(client.Requests()[0].body)["event_action"], "trigger");
  EXPECT_EQ(json::parse(client.Requests()[1].body)["event_action"], "resolve");
}

TEST(PagerDutyChannelTest, DeliverStopsAtTheFirstRefusedEvent) {
  FakeHttpClient client;
  client.Script(
      "https://pd.example/",
      {JsonResponse(400, R"({"status":"invalid event","message":"Event object is invalid"})"),
       JsonResponse(202, kAccepted)});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel =
      NewPagerDutyChannel(Spec("https://pd.example/v2/enqueue"), &client, &clock);
  ASSERT_TRUE(channel.ok());
  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.error, "pagerduty: event 1 of 2: https://pd.example answered HTTP 400");
  EXPECT_EQ(result.error.find(kRoutingKey), std::string::npos);
  EXPECT_EQ(client.Requests().size(), 1u);
}

TEST(PagerDutyChannelTest, AThrottledSecondEventMakesTheGroupARetry) {
  FakeHttpClient client;
  client.Script("https://pd.example/",
                {JsonResponse(202, kAccepted), JsonResponse(429, "", {{"retry-after", "60"}})});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel =
      NewPagerDutyChannel(Spec("https://pd.example/v2/enqueue"), &client, &clock);
  ASSERT_TRUE(channel.ok());
  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 429);
  EXPECT_EQ(result.retry_after_ms, 60000);
  EXPECT_EQ(result.error, "pagerduty: event 2 of 2: https://pd.example answered HTTP 429");
}

TEST(PagerDutyChannelTest, AGroupOfOnlyFlappingSendsNothingAndIsSent) {
  FakeHttpClient client;
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewPagerDutyChannel(Spec(), &client, &clock);
  ASSERT_TRUE(channel.ok());
  NotificationGroup group = SampleGroup();
  for (Notification& n : group.notifications) n.change = "flapping";
  const DeliveryResult result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(client.Requests().size(), 0u);
}

TEST(PagerDutyChannelTest, NoAnswerIsARetry) {
  FakeHttpClient client;
  client.Script("https://events.pagerduty.com/",
                {Status::Unavailable("POST https://events.pagerduty.com/v2/enqueue: timed out "
                                     "after 10000 ms")});
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewPagerDutyChannel(Spec(), &client, &clock);
  ASSERT_TRUE(channel.ok());
  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.error,
            "pagerduty: event 1 of 2: no answer from https://events.pagerduty.com: timed out "
            "after 10000 ms");
}

TEST(PagerDutyChannelTest, FactoryRefusesAMissingRoutingKeyOrABadUrl) {
  FakeHttpClient client;
  const FakeClock clock(0);
  Result<std::unique_ptr<Channel>> channel = NewPagerDutyChannel(Spec("", ""), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(channel.status().message(), "pagerduty channel: routing_key is required");
  channel = NewPagerDutyChannel(Spec("events.pagerduty.com/v2/enqueue"), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(),
            "pagerduty channel: url must be an http:// or https:// URL");
  EXPECT_TRUE(NewPagerDutyChannel(Spec(), &client, &clock).ok());  // the default URL
}

}  // namespace
}  // namespace vigil
