// POST /hooks/{source_id} as a sender sees it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/webhook_signature.h"
#include "queue/pipeline_jobs.h"
#include "store/tenants.h"
#include "store/webhook_store.h"
#include "testing/api_fixture.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using testing::Body;

using testing::ApiFixture;

constexpr const char* kBody = R"({"value":[{"changeType":"updated"}]})";

class WebhookRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TenantRow tenant = EnsureTenant(f_.db(), "contoso", f_.clock()->NowMs()).value();
    source_ = EnsureDataSource(f_.db(), tenant.id, "graph", "graph_json", R"({"dir":"/x"})",
                               f_.clock()->NowMs())
                  .value();
    Result<std::string> secret = CreateWebhookSecret(f_.db(), source_.id, key_, 1);
    ASSERT_TRUE(secret.ok()) << secret.status().message();
    secret_ = *secret;
  }

  int64_t NowSeconds() { return f_.clock()->NowMs() / 1000; }

  // POST /hooks/<id> with `body` and the given headers (names lower case).
  ApiResponse Post(const std::string& id, const std::string& body,
                   std::map<std::string, std::string> headers) {
    ApiRequest request;
    request.method = "POST";
    request.path = "/hooks/" + id;
    request.headers = std::move(headers);
    request.body = body;
    request.remote_addr = "127.0.0.1";
    return f_.api()->Handle(std::move(request));
  }

  // A delivery signed now (plus `skew_s`) with the source's secret.
  ApiResponse Deliver(const std::string& body, const std::string& delivery = "",
                      int64_t skew_s = 0) {
    std::map<std::string, std::string> headers = {
        {"vigil-signature", WebhookSignatureHeaderValue(secret_, NowSeconds() + skew_s, body)}};
    if (!delivery.empty()) headers["vigil-delivery"] = delivery;
    return Post(std::to_string(source_.id), body, headers);
  }

  int64_t Jobs() { return f_.queue()->Counts().value().waiting; }

  SecretKey key_ = SecretKey::Generate().value();
  ApiFixture f_{ApiLimits{}, ApiHooks{}, &key_};
  DataSourceRow source_;
  std::string secret_;
};

TEST_F(WebhookRoutesTest, AGoodSignatureEnqueuesASyncOfThatSourceAt202) {
  ApiResponse r = Deliver(kBody, "evt-1");
  ASSERT_EQ(r.status, 202) << r.body;
  nlohmann::json body = Body(r);
  EXPECT_EQ(body["delivery_id"], "evt-1");
  ASSERT_TRUE(body["job_id"].is_string());
  Result<JobInfo> job = f_.queue()->Get(body["job_id"].get<std::string>());
  ASSERT_TRUE(job.ok()) << job.status().message();
  EXPECT_EQ(job->name, kSyncJob);
  EXPECT_EQ(job->state, JobState::kWaiting);
  Result<SyncJobPayload> payload = ParseSyncJobPayload(job->payload);
  ASSERT_TRUE(payload.ok()) << payload.status().message();
  EXPECT_EQ(payload->data_source_id, source_.id);
  EXPECT_EQ(payload->tenant_id, source_.tenant_id);
  EXPECT_EQ(payload->trigger, "webhook");
  EXPECT_EQ(payload->trace_id, body["trace_id"]);
}

TEST_F(WebhookRoutesTest, WithoutVigilDeliveryTheSignatureIsTheDeliveryId) {
  ApiResponse r = Deliver("");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(r)["delivery_id"], ComputeWebhookSignature(secret_, NowSeconds(), ""));
}

// Each data source has a bucket of 10 deliveries refilled at 1 per second,
// checked before the signature: the 11th request in a burst is 429 with
// Retry-After whatever it carries, another source is not affected, and a
// second later one more is admitted.
TEST_F(WebhookRoutesTest, AFloodOfDeliveriesToOneSourceIs429) {
  const std::string id = std::to_string(source_.id);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Post(id, kBody, {}).status, 401) << i;
  ApiResponse r = Deliver(kBody, "evt-flood");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r)["error"]["code"], "rate_limited");
  EXPECT_EQ(Body(r)["error"]["message"],
            "webhooks of data source " + id +
                ": rate limit reached (10 at once, 1 per second); retry in 1 s");
  const std::pair<std::string, std::string> retry_after{"Retry-After", "1"};
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(), retry_after), r.headers.end());
  EXPECT_EQ(Jobs(), 0);
  EXPECT_EQ(Post(std::to_string(source_.id + 1), kBody, {}).status, 404);  // its own bucket
  f_.clock()->Advance(1000);
  EXPECT_EQ(Deliver(kBody, "evt-later").status, 202);
  EXPECT_EQ(Deliver(kBody, "evt-again").status, 429);
  EXPECT_EQ(Jobs(), 1);
}

TEST_F(WebhookRoutesTest, MissingMalformedAndWrongSignaturesAre401) {
  const std::string id = std::to_string(source_.id);
  ApiResponse r = Post(id, kBody, {});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["code"], "invalid_signature");
  EXPECT_EQ(Body(r)["error"]["message"],
            "missing Vigil-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256>)");

  r = Post(id, kBody, {{"vigil-signature", "t=now,v1=00"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["message"], "Vigil-Signature: t=now: not a unix time in seconds");

  // Signed with another secret, and a body changed after signing.
  r = Post(
      id, kBody,
      {{"vigil-signature", WebhookSignatureHeaderValue("not-the-secret", NowSeconds(), kBody)}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["code"], "invalid_signature");
  EXPECT_EQ(Body(r)["error"]["message"],
            "Vigil-Signature: no v1 signature matches the body (HMAC-SHA256 of \"<t>.<body>\" "
            "keyed with the data source's webhook secret)");
  r = Post(id, std::string(kBody) + " ",
           {{"vigil-signature", WebhookSignatureHeaderValue(secret_, NowSeconds(), kBody)}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Jobs(), 0);
}

TEST_F(WebhookRoutesTest, OldAndFutureTimestampsAre401StaleTimestamp) {
  ApiResponse r = Deliver(kBody, "old", -301);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["code"], "stale_timestamp");
  EXPECT_EQ(Body(r)["error"]["message"],
            "Vigil-Signature: t=" + std::to_string(NowSeconds() - 301) +
                " is 301 s in the past; at most 300 s either way is accepted");
  r = Deliver(kBody, "future", 400);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["message"],
            "Vigil-Signature: t=" + std::to_string(NowSeconds() + 400) +
                " is 400 s in the future; at most 300 s either way is accepted");
  EXPECT_EQ(Jobs(), 0);
  // At the edge of the window, both ways: accepted.
  EXPECT_EQ(Deliver(kBody, "edge-past", -300).status, 202);
  EXPECT_EQ(Deliver(kBody, "edge-future", 300).status, 202);
}

TEST_F(WebhookRoutesTest, AReplayIs409AndASecondDeliveryWithAnotherIdIs202) {
  ASSERT_EQ(Deliver(kBody, "evt-1").status, 202);
  ApiResponse replay = Deliver(kBody, "evt-1");
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(Body(replay)["error"]["code"], "replayed_delivery");
  EXPECT_EQ(Body(replay)["error"]["message"],
            "delivery evt-1 was received before; it is not run again");
  // The sender's retry, signed anew a second later, is still the same delivery.
  f_.clock()->Advance(1000);
  EXPECT_EQ(Deliver(kBody, "evt-1").status, 409);
  EXPECT_EQ(Deliver(R"({"value":[]})", "evt-2").status, 202);
  EXPECT_EQ(Jobs(), 2);
}

TEST_F(WebhookRoutesTest, ACapturedRequestReplayedWithAnotherDeliveryIdIsRefused) {
  const std::string signature = WebhookSignatureHeaderValue(secret_, NowSeconds(), kBody);
  const std::string id = std::to_string(source_.id);
  ASSERT_EQ(Post(id, kBody, {{"vigil-signature", signature}, {"vigil-delivery", "a"}}).status, 202);
  EXPECT_EQ(Post(id, kBody, {{"vigil-signature", signature}, {"vigil-delivery", "b"}}).status, 409);
  EXPECT_EQ(Post(id, kBody, {{"vigil-signature", signature}}).status, 409);
  EXPECT_EQ(Jobs(), 1);
}

TEST_F(WebhookRoutesTest, ABadDeliveryIdIs400) {
  ApiResponse r = Deliver(kBody, "has space");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"]["code"], "bad_request");
  EXPECT_EQ(Body(r)["error"]["message"],
            "Vigil-Delivery: expected 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  EXPECT_EQ(Deliver(kBody, std::string(129, 'a')).status, 400);
  EXPECT_EQ(Deliver(kBody, "urn:evt_1.2-" + std::string(116, 'a')).status, 202);
}

TEST_F(WebhookRoutesTest, UnknownSourceAndSourceWithoutSecretAreTheSame404) {
  ApiResponse r =
      Post("9999", kBody,
           {{"vigil-signature", WebhookSignatureHeaderValue(secret_, NowSeconds(), kBody)}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"]["message"], "data source 9999 not found");
  EXPECT_EQ(Post("abc", kBody, {}).status, 404);

  DataSourceRow bare =
      EnsureDataSource(f_.db(), source_.tenant_id, "bare", "graph_json", "{}", f_.clock()->NowMs())
          .value();
  const std::string id = std::to_string(bare.id);
  r = Post(id, kBody,
           {{"vigil-signature", WebhookSignatureHeaderValue(secret_, NowSeconds(), kBody)}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"]["message"], "data source " + id + " not found");
}

TEST_F(WebhookRoutesTest, ARotatedSecretNoLongerVerifies) {
  const std::string old = secret_;
  secret_ = CreateWebhookSecret(f_.db(), source_.id, key_, 2).value();
  EXPECT_EQ(Deliver(kBody, "new").status, 202);
  ApiResponse r =
      Post(std::to_string(source_.id), kBody,
           {{"vigil-signature", WebhookSignatureHeaderValue(old, NowSeconds(), kBody)}});
  EXPECT_EQ(r.status, 401);
}

TEST_F(WebhookRoutesTest, AFailedEnqueueForgetsTheDeliverySoTheRetryWorks) {
  ASSERT_TRUE(
      testing::InstallFailingTrigger(f_.db(), "no_jobs", "INSERT", "jobs", "", "queue is down")
          .ok());
  ApiResponse failed = Deliver(kBody, "evt-9");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(Body(failed)["error"]["message"],
            "the sync could not be enqueued; retry the delivery later");
  ASSERT_TRUE(testing::RemoveFailingTrigger(f_.db(), "no_jobs", "jobs").ok());
  ApiResponse retried = Deliver(kBody, "evt-9");
  EXPECT_EQ(retried.status, 202) << retried.body;
  EXPECT_EQ(Jobs(), 1);
}

TEST(WebhookRoutesNoKeyTest, WithoutTheSecretKeyWebhooksAre503) {
  ApiFixture f;
  ApiRequest request;
  request.method = "POST";
  request.path = "/hooks/1";
  request.body = "{}";
  ApiResponse r = f.api()->Handle(std::move(request));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["error"]["code"], "unavailable");
  EXPECT_EQ(Body(r)["error"]["message"],
            "webhooks need the secret key (VIGIL_SECRET_KEY or VIGIL_SECRET_KEY_FILE)");
}

}  // namespace
}  // namespace vigil
