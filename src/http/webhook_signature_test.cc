#include "http/webhook_signature.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kBody = R"({"event":"changed"})";
constexpr int64_t kT = 1795000000;
// HMAC-SHA256(kSecret, "1795000000." + kBody), computed with another
// implementation (Python's hmac module).
constexpr const char* kExpected =
    "49eea586f2954118964c0d3bbf8e21e36bc37f835f75a8623ec3bf32606d7411";

std::string ErrorOf(std::string_view header) {
  Result<WebhookSignature> parsed = ParseWebhookSignature(header);
  return parsed.ok() ? "(parsed)" : parsed.status().message();
}

TEST(WebhookSignatureTest, ComputesHmacSha256OverTimestampDotBody) {
  EXPECT_EQ(ComputeWebhookSignature(kSecret, kT, kBody), kExpected);
  EXPECT_EQ(ComputeWebhookSignature("whsec", 1700000000, ""),
            "ab5fdf6f7cdf5f7abf2f4d61c6b0376dc6bf75beafc17135e5fd06513ee7afd8");
  EXPECT_EQ(WebhookSignatureHeaderValue(kSecret, kT, kBody),
            std::string("t=1795000000,v1=") + kExpected);
}

TEST(WebhookSignatureTest, PartsMayComeInAnyOrderWithSpacesAndUnknownPartsIgnored) {
  const std::string upper = "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789";
  Result<WebhookSignature> parsed = ParseWebhookSignature(
      std::string(" v1=") + kExpected + ", v2=whatever ,t=1795000000,,v1=" + upper + ",x");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->timestamp, kT);
  ASSERT_EQ(parsed->v1.size(), 2u);
  EXPECT_EQ(parsed->v1[0], kExpected);
  EXPECT_EQ(parsed->v1[1], "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
}

TEST(WebhookSignatureTest, MalformedHeadersSayWhatIsWrong) {
  const std::string v1 = std::string("v1=") + kExpected;
  EXPECT_EQ(ErrorOf(""), "no t= timestamp");
  EXPECT_EQ(ErrorOf(v1), "no t= timestamp");
  EXPECT_EQ(ErrorOf("t=1795000000"), "no v1= signature");
  EXPECT_EQ(ErrorOf("t=1795000000,v2=abc"), "no v1= signature");
  EXPECT_EQ(ErrorOf("t=soon," + v1), "t=soon: not a unix time in seconds");
  EXPECT_EQ(ErrorOf("t=-5," + v1), "t=-5: not a unix time in seconds");
  EXPECT_EQ(ErrorOf("t=," + v1), "t=: not a unix time in seconds");
  EXPECT_EQ(ErrorOf("t=123456789012," + v1), "t=123456789012: not a unix time in seconds");
  EXPECT_EQ(ErrorOf("t=1,t=2," + v1), "more than one t=");
  EXPECT_EQ(ErrorOf("t=1,v1=abc"), "v1=abc: expected 64 hex digits");
  EXPECT_EQ(ErrorOf("t=1,v1=" + std::string(64, 'g')),
            "v1=gggggggggggggggg...: expected 64 hex digits");
}

TEST(WebhookSignatureTest, AnyOneOfSeveralSignaturesMayMatch) {
  WebhookSignature signature;
  signature.timestamp = kT;
  signature.v1 = {std::string(64, '0'), kExpected};
  std::optional<std::string> match = MatchWebhookSignature(signature, kSecret, kBody);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(*match, kExpected);
}

TEST(WebhookSignatureTest, AnotherBodyTimestampOrSecretDoesNotMatch) {
  WebhookSignature signature;
  signature.timestamp = kT;
  signature.v1 = {kExpected};
  EXPECT_FALSE(MatchWebhookSignature(signature, kSecret, R"({"event":"changed" })"));
  EXPECT_FALSE(MatchWebhookSignature(signature, std::string(kSecret).substr(1), kBody));
  signature.timestamp = kT + 1;
  EXPECT_FALSE(MatchWebhookSignature(signature, kSecret, kBody));
  signature.timestamp = kT;
  EXPECT_TRUE(MatchWebhookSignature(signature, kSecret, kBody));
}

}  // namespace
}  // namespace vigil
