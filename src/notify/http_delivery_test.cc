#include "notify/http_delivery.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using testing::FakeClock;
using testing::FakeHttpClient;
using testing::JsonResponse;

// Sun, 06 Nov 1994 08:49:37 GMT
constexpr TimeMs kRfcExampleDate = 784111777000;
constexpr char kUrl[] = "https://hooks.example.com/services/T000/B000/SECRETPATH?token=SECRETQUERY";

HttpRequest Post() { return JsonPost(kUrl, "{}"); }

DeliveryResult Classify(Result<HttpResponse> answer, TimeMs now = 0) {
  return ClassifyHttpAnswer("slack", Post(), answer, now);
}

void ExpectNoSecret(const DeliveryResult& result) {
  EXPECT_EQ(result.error.find("SECRETPATH"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("SECRETQUERY"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("/services"), std::string::npos) << result.error;
}

TEST(HttpDeliveryTest, TwoHundredsAreSent) {
  for (int status : {200, 202, 204}) {
    const DeliveryResult result = Classify(JsonResponse(status, "ok"));
    EXPECT_EQ(result.outcome, DeliveryOutcome::kSent) << status;
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.response, "ok");
    EXPECT_EQ(result.error, "");
    EXPECT_FALSE(result.retry_after_ms.has_value());
  }
}

TEST(HttpDeliveryTest, OtherClientErrorsFailAndNameKindOriginAndStatus) {
  for (int status : {400, 401, 403, 404, 410}) {
    const DeliveryResult result = Classify(JsonResponse(status, "no_service"));
    EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed) << status;
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.response, "no_service");
    EXPECT_EQ(result.error,
              "slack: https://hooks.example.com answered HTTP " + std::to_string(status));
    ExpectNoSecret(result);
  }
}

TEST(HttpDeliveryTest, ARedirectIsNotFollowedAndFails) {
  const DeliveryResult result = Classify(JsonResponse(302, "", {{"location", "https://x/"}}));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.status, 302);
}

TEST(HttpDeliveryTest, TooManyRequestsRetriesAfterTheSecondsItAsks) {
  const DeliveryResult result = Classify(JsonResponse(429, "slow down", {{"retry-after", "30"}}));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 429);
  EXPECT_EQ(result.retry_after_ms, 30000);
  EXPECT_EQ(result.error, "slack: https://hooks.example.com answered HTTP 429");
}

TEST(HttpDeliveryTest, RetryAfterAsAnHttpDateCountsFromNow) {
  const DeliveryResult result =
      Classify(JsonResponse(429, "", {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
               kRfcExampleDate - 90 * 1000);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ms, 90000);
}

TEST(HttpDeliveryTest, ServerErrorsRetryWithOrWithoutRetryAfter) {
  DeliveryResult result = Classify(JsonResponse(500, "boom"));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(result.response, "boom");
  EXPECT_FALSE(result.retry_after_ms.has_value());
  EXPECT_EQ(result.error, "slack: https://hooks.example.com answered HTTP 500");

  result = Classify(JsonResponse(503, "", {{"retry-after", "120"}}));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ms, 120000);
}

TEST(HttpDeliveryTest, AnUnreadableRetryAfterIsLeftOut) {
  const DeliveryResult result = Classify(JsonResponse(429, "", {{"retry-after", "soon"}}));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_FALSE(result.retry_after_ms.has_value());
}

TEST(HttpDeliveryTest, NoAnswerRetriesAndNamesOnlyTheOrigin) {
  const HttpRequest request = Post();
  const DeliveryResult result = ClassifyHttpAnswer(
      "teams", request,
      Status::Unavailable(DescribeRequest(request) + ": timed out after 10000 ms"), 0);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.response, "");
  EXPECT_EQ(result.error,
            "teams: no answer from https://hooks.example.com: timed out after 10000 ms");
  ExpectNoSecret(result);
}

TEST(HttpDeliveryTest, OtherErrorsFailWithoutTheUrl) {
  const DeliveryResult result =
      Classify(Status::Internal(std::string("nothing scripted for POST ") + kUrl));
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.error, "slack: nothing scripted for POST https://hooks.example.com");
  ExpectNoSecret(result);
}

TEST(HttpDeliveryTest, ResponseKeepsTheFirstBytesWithoutSplittingACharacter) {
  const std::string body(kResponsePrefixBytes + 100, 'x');
  EXPECT_EQ(Classify(JsonResponse(400, body)).response, std::string(kResponsePrefixBytes, 'x'));
  // "é" (2 bytes) straddling the limit is left out whole.
  const std::string straddling = std::string(kResponsePrefixBytes - 1, 'y') + "\xC3\xA9z";
  EXPECT_EQ(ResponsePrefix(straddling), std::string(kResponsePrefixBytes - 1, 'y'));
}

TEST(HttpDeliveryTest, DeliverHttpSendsTheRequestAndReadsTheAnswerAtTheClocksNow) {
  FakeHttpClient client;
  client.Script("https://hooks.example.com/",
                {JsonResponse(429, "", {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}})});
  const FakeClock clock(kRfcExampleDate - 5000);
  const DeliveryResult result = DeliverHttp("webhook", &client, clock, Post());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ms, 5000);
  ASSERT_EQ(client.Requests().size(), 1u);
  EXPECT_EQ(client.Requests()[0].method, "POST");
  EXPECT_EQ(client.Requests()[0].url, kUrl);
  EXPECT_EQ(client.Requests()[0].headers.at("Content-Type"), "application/json");
  EXPECT_EQ(client.Requests()[0].body, "{}");
}

TEST(RetryAfterTest, SecondsAndTheThreeDateForms) {
  EXPECT_EQ(ParseRetryAfter("0", 0), 0);
  EXPECT_EQ(ParseRetryAfter(" 7 ", 0), 7000);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExampleDate - 1000), 1000);
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kRfcExampleDate - 2000), 2000);
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kRfcExampleDate - 3000), 3000);
  // A date already past: retry now.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExampleDate + 60000), 0);
}

TEST(RetryAfterTest, AnythingElseIsNotAWait) {
  for (const char* value :
       {"", "-5", "1.5", "30s", "12345678901", "tomorrow", "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun, 31 Feb 1994 08:49:37 GMT"}) {
    EXPECT_FALSE(ParseRetryAfter(value, 0).has_value()) << value;
  }
}

TEST(ChannelUrlTest, OnlyHttpAndHttpsUrlsWithAHost) {
  EXPECT_TRUE(CheckChannelUrl("slack", "https://hooks.slack.com/services/T/B/X").ok());
  EXPECT_TRUE(CheckChannelUrl("slack", "HTTP://127.0.0.1:8080/hook").ok());
  for (const char* url :
       {"ftp://example.com/x", "hooks.slack.com/services", "https://", "https:///path",
        "https://:80/x", "https://host/a b", "javascript:alert(1)"}) {
    const Status status = CheckChannelUrl("slack", url);
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << url;
    EXPECT_EQ(status.message(), "slack channel: url must be an http:// or https:// URL") << url;
  }
  EXPECT_EQ(CheckRequiredUrl("teams", "").message(), "teams channel: url is required");
}

TEST(ChannelUrlTest, OriginDropsUserInfoPathQueryAndFragment) {
  EXPECT_EQ(ReceiverOrigin("https://user:pw@Hooks.Example.com:8443/a/b?c=d#e"),
            "https://Hooks.Example.com:8443");
  EXPECT_EQ(ReceiverOrigin("HTTP://127.0.0.1:9?x"), "http://127.0.0.1:9");
  EXPECT_EQ(ReceiverOrigin("mailto:x@y"), "(not an http URL)");
}

}  // namespace
}  // namespace vigil
