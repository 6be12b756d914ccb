#include "notify/webhook_channel.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_json.h"
#include "http/webhook_signature.h"
#include "testing/channel_test_groups.h"
#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::JsonResponse;
using testing::kSampleChangeAt;
using testing::SampleGroup;

constexpr char kSecret[] = "whsec-0123456789abcdef";
constexpr char kUrl[] = "https://receiver.example/hooks/vigil?key=abc";
constexpr TimeMs kNow = 1795901400250;  // 2026-11-28T21:30:00.250Z

ChannelSpec Spec(std::string url = kUrl, std::string secret = kSecret) {
  ChannelSpec spec;
  spec.id = 7;
  spec.name = "ops";
  spec.kind = std::string(kChannelWebhook);
  spec.url = std::move(url);
  spec.signing_secret = std::move(secret);
  return spec;
}

TEST(WebhookChannelTest, BodyHasEveryDocumentedField) {
  const NotificationGroup group = SampleGroup();
  const json body = json::parse(WebhookBody(group));
  EXPECT_EQ(body["version"], "1");
  EXPECT_EQ(body["channel"], "ops");
  EXPECT_EQ(body["tenant"], "fabrikam");
  EXPECT_EQ(body["group_key"], "vigil:7:group:1");
  EXPECT_EQ(body["digest"], false);
  ASSERT_EQ(body["notifications"].size(), 2u);
  const json& first = body["notifications"][0];
  EXPECT_EQ(first["id"], "vigil:7:101");
  EXPECT_EQ(first["change"], "opened");
  EXPECT_TRUE(first["previous_severity"].is_null());
  EXPECT_EQ(first["at"], "2026-11-28T21:29:41Z");
  EXPECT_EQ(first["trace_id"], "trace-41");
  // The alert exactly as `vigil alerts --json` prints it.
  EXPECT_EQ(first["alert"], json::parse(AlertToJson(group.notifications[0].alert)));
  EXPECT_EQ(first["alert"]["type"], "privilege.guest_admin");
  EXPECT_EQ(body["notifications"][1]["change"], "resolved");
  EXPECT_EQ(body["notifications"][1]["alert"]["state"], "resolved");
  EXPECT_EQ(body.size(), 6u);
  // Keys in the documented order.
  const std::string text = WebhookBody(group);
  EXPECT_EQ(text.rfind(R"({"version":"1","channel":"ops","tenant":"fabrikam","group_key":)", 0), 0u)
      << text;
}

TEST(WebhookChannelTest, ASeverityChangeSaysTheSeverityBefore) {
  NotificationGroup group = SampleGroup();
  group.notifications[0].change = "severity_changed";
  group.notifications[0].previous_severity = "medium";
  const json body = json::parse(WebhookBody(group));
  EXPECT_EQ(body["notifications"][0]["previous_severity"], "medium");
  EXPECT_EQ(body["notifications"][0]["alert"]["severity"], group.notifications[0].alert.severity);
}

TEST(WebhookChannelTest, ADigestHasNoTenant) {
  NotificationGroup group = SampleGroup();
  group.digest = true;
  group.tenant = "";
  const json body = json::parse(WebhookBody(group));
  EXPECT_TRUE(body["tenant"].is_null());
  EXPECT_EQ(body["digest"], true);
}

TEST(WebhookChannelTest, InvalidUtf8IsReplacedNotFatal) {
  NotificationGroup group = SampleGroup();
  group.notifications[0].trace_id = "bad\xff";
  const json body = json::parse(WebhookBody(group));
  EXPECT_EQ(body["notifications"][0]["trace_id"], "bad\xEF\xBF\xBD");
}

TEST(WebhookChannelTest, RequestCarriesIdempotencyKeyAndAVerifiableSignature) {
  const HttpRequest request = BuildWebhookRequest(Spec(), SampleGroup(), kNow);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, kUrl);
  EXPECT_EQ(request.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(request.headers.at("Idempotency-Key"), "vigil:7:group:1");
  EXPECT_EQ(request.body, WebhookBody(SampleGroup()));
  const std::string& header = request.headers.at("X-Vigil-Signature");
  EXPECT_EQ(header,
            "t=1795901400,v1=" + ComputeWebhookSignature(kSecret, 1795901400, request.body));
  const Result<WebhookSignature> parsed = ParseWebhookSignature(header);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->timestamp, 1795901400);
  EXPECT_TRUE(MatchWebhookSignature(*parsed, kSecret, request.body).has_value());
  EXPECT_FALSE(MatchWebhookSignature(*parsed, "another secret", request.body).has_value());
  EXPECT_FALSE(MatchWebhookSignature(*parsed, kSecret, request.body + " ").has_value());
}

TEST(WebhookChannelTest, NoSecretNoSignature) {
  const HttpRequest request = BuildWebhookRequest(Spec(kUrl, ""), SampleGroup(), kNow);
  EXPECT_EQ(request.headers.count("X-Vigil-Signature"), 0u);
  EXPECT_EQ(request.headers.at("Idempotency-Key"), "vigil:7:group:1");
}

TEST(WebhookChannelTest, FactoryRefusesAMissingOrNonHttpUrl) {
  FakeHttpClient client;
  const FakeClock clock(kNow);
  Result<std::unique_ptr<Channel>> channel = NewWebhookChannel(Spec(""), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(channel.status().message(), "webhook channel: url is required");
  channel = NewWebhookChannel(Spec("smtp://mail.example/x"), &client, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(), "webhook channel: url must be an http:// or https:// URL");
  channel = NewWebhookChannel(Spec(), nullptr, &clock);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().message(), "webhook channel: an HTTP client and a clock are required");
  EXPECT_TRUE(NewWebhookChannel(Spec(kUrl, ""), &client, &clock).ok());
}

TEST(WebhookChannelTest, DeliverReadsTheReceiversAnswer) {
  FakeHttpClient client;
  client.Script("https://receiver.example/",
                {JsonResponse(200, R"({"ok":true})"), JsonResponse(404, "gone"),
                 JsonResponse(429, "", {{"retry-after", "7"}}), JsonResponse(500, "oops"),
                 Status::Unavailable("POST https://receiver.example/hooks/vigil: could not "
                                     "connect: refused")});
  const FakeClock clock(kNow);
  Result<std::unique_ptr<Channel>> channel = NewWebhookChannel(Spec(), &client, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().message();
  const NotificationGroup group = SampleGroup();

  DeliveryResult result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.response, R"({"ok":true})");

  result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(result.error, "webhook: https://receiver.example answered HTTP 404");

  result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ms, 7000);

  result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 500);

  result = (*channel)->Deliver(group);
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.error,
            "webhook: no answer from https://receiver.example: could not connect: refused");

  // Every attempt carried the same key; the signature is dated by the clock.
  for (const HttpRequest& sent : client.Requests()) {
    EXPECT_EQ(sent.headers.at("Idempotency-Key"), "vigil:7:group:1");
    EXPECT_EQ(sent.headers.at("X-Vigil-Signature").rfind("t=1795901400,v1=", 0), 0u);
  }
  EXPECT_EQ(client.Requests().size(), 5u);
}

// A receiver of webhook messages on 127.0.0.1: cpp-httplib on a port the
// kernel picks, answering `status` and keeping what it received.
class Receiver {
 public:
  struct Received {
    std::string path;
    std::string body;
    std::string signature;
    std::string idempotency_key;
    std::string content_type;
  };

  explicit Receiver(int status) {
    server_.Post(
        "/hooks/vigil", [this, status](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          received_.push_back({req.path, req.body, req.get_header_value("X-Vigil-Signature"),
                               req.get_header_value("Idempotency-Key"),
                               req.get_header_value("Content-Type")});
          res.status = status;
          res.set_content(R"({"received":true})", "application/json");
        });
  }
  ~Receiver() { Stop(); }

  // Binds 127.0.0.1 and serves on a thread; the port (0 when binding failed).
  int Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return 0;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return server_.is_running() ? port_ : 0;
  }

  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Received> received_;
};

TEST(WebhookChannelReceiverTest, ARealReceiverGetsASignedMessageItCanVerify) {
  Receiver receiver(202);
  const int port = receiver.Start();
  ASSERT_GT(port, 0) << "could not start a receiver on 127.0.0.1";
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
  ASSERT_TRUE(client.ok()) << client.status().message();
  const FakeClock clock(kNow);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/vigil";
  Result<std::unique_ptr<Channel>> channel = NewWebhookChannel(Spec(url), client->get(), &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().message();

  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kSent) << result.error;
  EXPECT_EQ(result.status, 202);
  EXPECT_EQ(result.response, R"({"received":true})");

  const std::vector<Receiver::Received> received = receiver.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].content_type, "application/json");
  EXPECT_EQ(received[0].idempotency_key, "vigil:7:group:1");
  const Result<WebhookSignature> signature = ParseWebhookSignature(received[0].signature);
  ASSERT_TRUE(signature.ok()) << signature.status().message();
  EXPECT_EQ(signature->timestamp, kNow / 1000);
  EXPECT_TRUE(MatchWebhookSignature(*signature, kSecret, received[0].body).has_value());
  const json body = json::parse(received[0].body);
  EXPECT_EQ(body["group_key"], "vigil:7:group:1");
  EXPECT_EQ(body["notifications"][0]["at"], "2026-11-28T21:29:41Z");
  EXPECT_EQ(body["notifications"].size(), 2u);
}

TEST(WebhookChannelReceiverTest, AReceiverThatIsGoneIsARetry) {
  Receiver receiver(200);
  const int port = receiver.Start();
  ASSERT_GT(port, 0);
  receiver.Stop();  // nothing listens there any more
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
  ASSERT_TRUE(client.ok());
  const FakeClock clock(kNow);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/vigil?key=s3cr3t";
  Result<std::unique_ptr<Channel>> channel = NewWebhookChannel(Spec(url), client->get(), &clock);
  ASSERT_TRUE(channel.ok());
  const DeliveryResult result = (*channel)->Deliver(SampleGroup());
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.error.rfind(
                "webhook: no answer from http://127.0.0.1:" + std::to_string(port) + ": ", 0),
            0u)
      << result.error;
  EXPECT_EQ(result.error.find("/hooks"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("s3cr3t"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace vigil
