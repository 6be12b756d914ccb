#include "providers/graph_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using testing::FakeHttpClient;
using testing::GraphErrorBody;
using testing::JsonResponse;
using testing::TokenResponse;

constexpr char kTokenUrl[] = "https://login.test/tenant-1/oauth2/v2.0/token";
constexpr char kGraph[] = "https://graph.test/v1.0";
constexpr char kSecret[] = "s3cr3t/+&=value";

std::string GraphUrl(const std::string& path) { return std::string(kGraph) + path; }

// Waits until `condition` holds; false after 10 s.
bool WaitUntil(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class GraphClientTest : public ::testing::Test {
 protected:
  GraphClientTest() : global_(100), clock_(1'000'000) {
    http_.Script(kTokenUrl, {TokenResponse("t1")});
  }

  GraphClientOptions Options() {
    GraphClientOptions options;
    options.authority_url = "https://login.test";
    options.graph_url = kGraph;
    options.initial_backoff_ms = 100;
    options.max_backoff_ms = 1000;
    options.max_retry_after_ms = 30000;
    options.global_limiter = &global_;
    options.clock = &clock_;
    options.jitter_seed = 7;
    options.sleep = [this](int64_t ms) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(ms);
    };
    return options;
  }

  std::unique_ptr<GraphClient> NewClient(GraphClientOptions options) {
    auto client =
        GraphClient::Create({"tenant-1", "client-1", kSecret}, std::move(options), &http_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }
  std::unique_ptr<GraphClient> NewClient() { return NewClient(Options()); }

  std::vector<int64_t> Sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

  // The message of `client`'s GET of `path` (and Graph's error in *error).
  Status GetStatus(GraphClient* client, const std::string& path, GraphError* error = nullptr) {
    Result<HttpResponse> response = client->Get(path, error);
    return response.ok() ? Status::Ok() : response.status();
  }

  FakeHttpClient http_;
  RequestLimiter global_;
  testing::FakeClock clock_;
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

TEST_F(GraphClientTest, AsksForATokenWithClientCredentialsAndSendsItToGraph) {
  http_.Script(GraphUrl("/users"), {JsonResponse(200, R"({"value":[]})")});
  auto client = NewClient();
  Result<HttpResponse> response = client->Get("/users?$top=5");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, R"({"value":[]})");

  std::vector<HttpRequest> requests = http_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].url, kTokenUrl);
  EXPECT_EQ(requests[0].headers["Content-Type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(requests[0].body,
            "client_id=client-1&client_secret=s3cr3t%2F%2B%26%3Dvalue"
            "&scope=https%3A%2F%2Fgraph.test%2F.default&grant_type=client_credentials");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].url, GraphUrl("/users?$top=5"));
  EXPECT_EQ(requests[1].headers["Authorization"], "Bearer t1");
}

TEST_F(GraphClientTest, TokenIsCachedUntilFiveMinutesBeforeItExpires) {
  http_.Script(kTokenUrl, {TokenResponse("t1", 3599), TokenResponse("t2", 3599)});
  http_.Script(GraphUrl("/users"), {JsonResponse(200, "{}")});
  auto client = NewClient();
  ASSERT_EQ(*client->AccessToken(), "t1");
  ASSERT_TRUE(client->Get("/users").ok());
  clock_.Advance(3599'000 - 300'000 - 1);
  ASSERT_TRUE(client->Get("/users").ok());
  EXPECT_EQ(http_.Count(kTokenUrl), 1);
  EXPECT_EQ(http_.Requests().back().headers["Authorization"], "Bearer t1");
  clock_.Advance(1);
  ASSERT_TRUE(client->Get("/users").ok());
  EXPECT_EQ(http_.Count(kTokenUrl), 2);
  EXPECT_EQ(http_.Requests().back().headers["Authorization"], "Bearer t2");
}

TEST_F(GraphClientTest, ShortLivedTokenIsRenewedAtNinetyPercentOfItsLifetime) {
  http_.Script(kTokenUrl, {TokenResponse("t1", 60), TokenResponse("t2", 60)});
  auto client = NewClient();
  ASSERT_EQ(*client->AccessToken(), "t1");
  clock_.Advance(53'999);
  EXPECT_EQ(*client->AccessToken(), "t1");
  clock_.Advance(1);
  EXPECT_EQ(*client->AccessToken(), "t2");
}

TEST_F(GraphClientTest, ExpiresInMayBeAStringButMustBePositive) {
  http_.Script(kTokenUrl, {JsonResponse(200, R"({"access_token":"t1","expires_in":"3599"})"),
                           JsonResponse(200, R"({"access_token":"t2","expires_in":0})")});
  auto client = NewClient();
  EXPECT_EQ(*client->AccessToken(), "t1");
  clock_.Advance(3599'000 - 300'000 - 1);
  EXPECT_EQ(*client->AccessToken(), "t1");
  clock_.Advance(1);
  EXPECT_EQ(client->AccessToken().status().message(),
            "tenant tenant-1: cannot get an access token: the token endpoint's expires_in is "
            "not a positive number of seconds");
}

TEST_F(GraphClientTest, ThreadsShareOneToken) {
  http_.Script(GraphUrl("/users"), {JsonResponse(200, "{}")});
  auto client = NewClient();
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { EXPECT_TRUE(client->Get("/users").ok()); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(http_.Count(kTokenUrl), 1);
  EXPECT_EQ(http_.Count(GraphUrl("/users")), 8);
}

TEST_F(GraphClientTest, A401RenewsTheTokenOnceAndRetries) {
  http_.Script(kTokenUrl, {TokenResponse("t1"), TokenResponse("t2"), TokenResponse("t3")});
  const HttpResponse expired =
      JsonResponse(401, GraphErrorBody("InvalidAuthenticationToken",
                                       "Access token has expired or is not yet valid."));
  http_.Script(GraphUrl("/users"), {expired, JsonResponse(200, "{}")});
  auto client = NewClient();
  ASSERT_TRUE(client->Get("/users").ok());
  EXPECT_EQ(http_.Count(kTokenUrl), 2);
  EXPECT_EQ(http_.Requests().back().headers["Authorization"], "Bearer t2");
  EXPECT_TRUE(Sleeps().empty());

  // A 401 that a fresh token does not cure is a refusal.
  http_.Script(GraphUrl("/groups"), {expired});
  GraphError error;
  Status s = GetStatus(client.get(), "/groups", &error);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "GET /v1.0/groups: HTTP 401 InvalidAuthenticationToken: Access token has expired or "
            "is not yet valid.");
  EXPECT_EQ(error.http_status, 401);
  EXPECT_EQ(http_.Count(GraphUrl("/groups")), 2);
  EXPECT_EQ(http_.Count(kTokenUrl), 3);
}

TEST_F(GraphClientTest, TokenEndpointRefusalsNameTheTenantAndNeverTheSecret) {
  http_.Script(
      kTokenUrl,
      {JsonResponse(401, R"({"error":"invalid_client","error_description":)"
                         R"("AADSTS7000215: Invalid client secret provided.\r\n)"
                         R"(Trace ID: abc\r\nCorrelation ID: def","error_codes":[7000215]})")});
  auto client = NewClient();
  Result<std::string> token = client->AccessToken();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(token.status().message(),
            "tenant tenant-1: cannot get an access token: HTTP 401 invalid_client: "
            "AADSTS7000215: Invalid client secret provided.");
  EXPECT_EQ(token.status().message().find(kSecret), std::string::npos);

  // A Graph request fails with the token's error, and Graph is never asked.
  Status s = GetStatus(client.get(), "/users");
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(http_.Count(GraphUrl("/")), 0);

  http_.Script(kTokenUrl, {JsonResponse(400, R"({"error":"invalid_request","error_description":)"
                                             R"("AADSTS90002: Tenant 'tenant-1' not found."})")});
  token = client->AccessToken();
  EXPECT_EQ(token.status().ToString(),
            "permission denied: tenant tenant-1: cannot get an access token: HTTP 400 "
            "invalid_request: AADSTS90002: Tenant 'tenant-1' not found.");

  http_.Script(kTokenUrl, {JsonResponse(200, R"({"token_type":"Bearer"})")});
  token = client->AccessToken();
  EXPECT_EQ(token.status().message(),
            "tenant tenant-1: cannot get an access token: the token endpoint's answer has no "
            "access_token");
}

TEST_F(GraphClientTest, TokenEndpointOutagesAreRetried) {
  http_.Script(kTokenUrl,
               {JsonResponse(503, R"({"error":"temporarily_unavailable"})"), TokenResponse("t1")});
  auto client = NewClient();
  EXPECT_EQ(*client->AccessToken(), "t1");
  EXPECT_EQ(Sleeps().size(), 1u);

  http_.Script(kTokenUrl, {JsonResponse(503, R"({"error":"temporarily_unavailable"})")});
  clock_.Advance(int64_t{24} * 3600 * 1000);
  Result<std::string> token = client->AccessToken();
  EXPECT_EQ(token.status().ToString(),
            "unavailable: tenant tenant-1: cannot get an access token: POST "
            "/tenant-1/oauth2/v2.0/token: HTTP 503 after 6 attempts: temporarily_unavailable");
}

TEST_F(GraphClientTest, GraphErrorsMapToCodesAndMessages) {
  struct Case {
    int http;
    std::string path;
    Code code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {403, "/reports/authenticationMethods/userRegistrationDetails", Code::kPermissionDenied,
       "GET /v1.0/reports/authenticationMethods/userRegistrationDetails: HTTP 403 "
       "Authorization_RequestDenied: Insufficient privileges to complete the operation."},
      {404, "/groups", Code::kNotFound,
       "GET /v1.0/groups: HTTP 404 Request_ResourceNotFound: Insufficient privileges to "
       "complete the operation."},
      {410, "/users/delta", Code::kFailedPrecondition,
       "GET /v1.0/users/delta: delta link rejected: HTTP 410 resyncRequired: Insufficient "
       "privileges to complete the operation."},
      {400, "/subscribedSkus", Code::kInvalidArgument,
       "GET /v1.0/subscribedSkus: HTTP 400 BadRequest: Insufficient privileges to complete "
       "the operation."},
  };
  const std::map<int, std::string> codes = {{403, "Authorization_RequestDenied"},
                                            {404, "Request_ResourceNotFound"},
                                            {410, "resyncRequired"},
                                            {400, "BadRequest"}};
  auto client = NewClient();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.http);
    http_.Script(GraphUrl(c.path),
                 {JsonResponse(c.http, GraphErrorBody(codes.at(c.http),
                                                      "Insufficient privileges "
                                                      "to complete the operation."))});
    GraphError error;
    Status s = GetStatus(client.get(), c.path + "?$deltatoken=secret-token", &error);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.message);
    EXPECT_EQ(error.http_status, c.http);
    EXPECT_EQ(error.code, codes.at(c.http));
    EXPECT_EQ(http_.Count(GraphUrl(c.path)), 1) << "not retried";
  }
  // A body that is not Graph's error shape still gives the status.
  http_.Script(GraphUrl("/odd"), {JsonResponse(418, "<html>teapot</html>")});
  EXPECT_EQ(GetStatus(client.get(), "/odd").message(), "GET /v1.0/odd: HTTP 418");
  EXPECT_TRUE(Sleeps().empty());
}

TEST_F(GraphClientTest, RetryAfterIsHonoured) {
  http_.Script(GraphUrl("/users"),
               {JsonResponse(429, GraphErrorBody("TooManyRequests", "Too many requests"),
                             {{"retry-after", "7"}}),
                JsonResponse(503, GraphErrorBody("serviceNotAvailable", "Try later"),
                             {{"retry-after", "2"}}),
                JsonResponse(429, "", {{"retry-after", "3600"}}), JsonResponse(200, "{}")});
  auto client = NewClient();
  ASSERT_TRUE(client->Get("/users").ok());
  EXPECT_EQ(Sleeps(), (std::vector<int64_t>{7000, 2000, 30000}));
  EXPECT_EQ(http_.Count(GraphUrl("/users")), 4);
}

TEST_F(GraphClientTest, BackoffWithoutRetryAfterIsJitteredWithinDoublingBounds) {
  http_.Script(GraphUrl("/users"),
               {JsonResponse(429, ""), JsonResponse(500, ""), JsonResponse(502, ""),
                Result<HttpResponse>(Status::Unavailable("GET x: connection refused")),
                JsonResponse(504, ""), JsonResponse(200, "{}")});
  auto client = NewClient();
  ASSERT_TRUE(client->Get("/users").ok());
  const std::vector<int64_t> sleeps = Sleeps();
  ASSERT_EQ(sleeps.size(), 5u);
  const int64_t caps[] = {100, 200, 400, 800, 1000};
  int64_t total = 0;
  for (size_t i = 0; i < sleeps.size(); ++i) {
    EXPECT_GE(sleeps[i], 0) << i;
    EXPECT_LE(sleeps[i], caps[i]) << i;
    total += sleeps[i];
  }
  EXPECT_GT(total, 0) << "jitter never waits at all";
}

TEST_F(GraphClientTest, RetriesExhaustedNameStatusAttemptsAndGraphError) {
  http_.Script(GraphUrl("/users"),
               {JsonResponse(503, GraphErrorBody("serviceNotAvailable", "Service unavailable"))});
  auto client = NewClient();
  Status s = GetStatus(client.get(), "/users?$select=id&$skiptoken=abc");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(),
            "GET /v1.0/users: HTTP 503 after 6 attempts: serviceNotAvailable: Service unavailable");
  EXPECT_EQ(http_.Count(GraphUrl("/users")), 6);
  EXPECT_EQ(Sleeps().size(), 5u);

  GraphClientOptions options = Options();
  options.max_attempts = 3;
  auto client3 = NewClient(options);
  http_.Script(GraphUrl("/groups"),
               {Result<HttpResponse>(Status::Unavailable(
                   "GET https://graph.test/v1.0/groups: timed out after 5000 ms"))});
  s = GetStatus(client3.get(), "/groups");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message(),
            "GET /v1.0/groups: no response after 3 attempts: GET https://graph.test/v1.0/groups: "
            "timed out after 5000 ms");
}

TEST_F(GraphClientTest, OtherHttpClientErrorsAreNotRetried) {
  http_.Script(GraphUrl("/users"),
               {Result<HttpResponse>(Status::InvalidArgument(
                   "GET https://graph.test/v1.0/users: response body is above the limit of 1024 "
                   "bytes"))});
  auto client = NewClient();
  Status s = GetStatus(client.get(), "/users");
  EXPECT_EQ(s.ToString(),
            "invalid argument: GET https://graph.test/v1.0/users: response body is above the "
            "limit of 1024 bytes");
  EXPECT_EQ(http_.Count(GraphUrl("/users")), 1);
}

TEST_F(GraphClientTest, PagingFollowsNextLinksAndReturnsTheDeltaLink) {
  http_.Script(GraphUrl("/users?$top=2"),
               {JsonResponse(200, R"({"@odata.context":"x","@odata.nextLink":")" +
                                      GraphUrl("/users?$top=2&$skiptoken=p2") +
                                      R"(","value":[{"id":"a"},{"id":"b"}]})")});
  http_.Script(GraphUrl("/users?$top=2&$skiptoken=p2"),
               {JsonResponse(200, R"({"value":[{"id":"c"}],"@odata.nextLink":")" +
                                      GraphUrl("/users?$top=2&$skiptoken=p3") + R"("})")});
  http_.Script(GraphUrl("/users?$top=2&$skiptoken=p3"),
               {JsonResponse(200, R"({"value":[],"@odata.nextLink":null,"@odata.deltaLink":")" +
                                      GraphUrl("/users/delta?$deltatoken=d1") + R"("})")});
  auto client = NewClient();
  std::vector<std::string> names, bodies;
  Result<std::string> delta = client->GetPages("/users?$top=2", [&](const GraphPage& page) {
    names.push_back(page.name);
    bodies.emplace_back(page.body->data(), page.body->size());
    return Status::Ok();
  });
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(*delta, GraphUrl("/users/delta?$deltatoken=d1"));
  EXPECT_EQ(names, (std::vector<std::string>{"GET /v1.0/users page 1", "GET /v1.0/users page 2",
                                             "GET /v1.0/users page 3"}));
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_NE(bodies[1].find(R"({"id":"c"})"), std::string::npos);

  // The callback's error stops the paging.
  int pages = 0;
  delta = client->GetPages("/users?$top=2", [&](const GraphPage& page) {
    ++pages;
    return Status::InvalidArgument(page.name + ": value[0]: bad");
  });
  EXPECT_EQ(delta.status().message(), "GET /v1.0/users page 1: value[0]: bad");
  EXPECT_EQ(pages, 1);
}

TEST_F(GraphClientTest, NextLinkLoopIsRefused) {
  const std::string p2 = GraphUrl("/users?$skiptoken=p2");
  http_.Script(GraphUrl("/users"),
               {JsonResponse(200, R"({"value":[],"@odata.nextLink":")" + p2 + R"("})")});
  http_.Script(p2, {JsonResponse(200, R"({"value":[],"@odata.nextLink":")" + p2 + R"("})")});
  auto client = NewClient();
  Result<std::string> delta =
      client->GetPages("/users", [](const GraphPage&) { return Status::Ok(); });
  EXPECT_EQ(delta.status().ToString(),
            "invalid argument: GET /v1.0/users page 2: @odata.nextLink repeats an earlier page (a "
            "paging loop)");
  EXPECT_EQ(http_.Count(p2), 1);
}

TEST_F(GraphClientTest, MorePagesThanTheLimitAreRefused) {
  for (int i = 1; i <= 5; ++i) {
    const std::string url = GraphUrl(i == 1 ? "/users" : "/users?$skiptoken=" + std::to_string(i));
    http_.Script(
        url,
        {JsonResponse(200, R"({"value":[],"@odata.nextLink":")" +
                               GraphUrl("/users?$skiptoken=" + std::to_string(i + 1)) + R"("})")});
  }
  GraphClientOptions options = Options();
  options.max_pages = 3;
  auto client = NewClient(options);
  int pages = 0;
  Result<std::string> delta = client->GetPages("/users", [&](const GraphPage&) {
    ++pages;
    return Status::Ok();
  });
  EXPECT_EQ(delta.status().ToString(), "invalid argument: GET /v1.0/users: more than 3 pages");
  EXPECT_EQ(pages, 3);
}

TEST_F(GraphClientTest, LinksOutsideGraphAndBadBodiesAreRefused) {
  http_.Script(
      GraphUrl("/users"),
      {JsonResponse(200, R"({"value":[],"@odata.nextLink":"https://evil.test/v1.0/users"})")});
  http_.Script(GraphUrl("/groups"), {JsonResponse(200, R"([1,2])")});
  http_.Script(GraphUrl("/subscribedSkus"),
               {JsonResponse(200, R"({"value":[],"@odata.nextLink":5})")});
  http_.Script(GraphUrl("/policies"), {JsonResponse(200, R"({"value": [ {"id": )")});
  auto client = NewClient();
  auto ok = [](const GraphPage&) { return Status::Ok(); };
  EXPECT_EQ(client->GetPages("/users", ok).status().message(),
            "GET /v1.0/users page 1: @odata.nextLink leads to https://evil.test, outside "
            "https://graph.test");
  EXPECT_EQ(client->GetPages("/groups", ok).status().message(),
            "GET /v1.0/groups page 1: expected a JSON object");
  EXPECT_EQ(client->GetPages("/subscribedSkus", ok).status().message(),
            "GET /v1.0/subscribedSkus page 1: \"@odata.nextLink\" must be a string");
  Status malformed = client->GetPages("/policies", ok).status();
  EXPECT_EQ(malformed.code(), Code::kInvalidArgument);
  EXPECT_EQ(malformed.message().rfind("GET /v1.0/policies page 1: malformed JSON: ", 0), 0u)
      << malformed.message();
}

TEST_F(GraphClientTest, TheScopeIsTheGraphUrlsOriginSoNationalCloudsGetTheirOwn) {
  const std::pair<std::string, std::string> cases[] = {
      {"https://graph.microsoft.com/v1.0", "https%3A%2F%2Fgraph.microsoft.com%2F.default"},
      {"https://graph.microsoft.us/v1.0/", "https%3A%2F%2Fgraph.microsoft.us%2F.default"},
      {"https://dod-graph.microsoft.us/beta", "https%3A%2F%2Fdod-graph.microsoft.us%2F.default"},
      {"https://MicrosoftGraph.ChinaCloudApi.cn:443/v1.0",
       "https%3A%2F%2Fmicrosoftgraph.chinacloudapi.cn%2F.default"},
      {"http://127.0.0.1:8080/v1.0", "http%3A%2F%2F127.0.0.1%3A8080%2F.default"},
  };
  for (const auto& [graph_url, scope] : cases) {
    FakeHttpClient http;
    http.Script(kTokenUrl, {TokenResponse("t1")});
    GraphClientOptions options = Options();
    options.graph_url = graph_url;
    auto client = GraphClient::Create({"tenant-1", "client-1", "s"}, options, &http);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    ASSERT_TRUE((*client)->AccessToken().ok());
    ASSERT_EQ(http.Requests().size(), 1u);
    EXPECT_EQ(http.Requests()[0].body, "client_id=client-1&client_secret=s&scope=" + scope +
                                           "&grant_type=client_credentials")
        << graph_url;
  }
}

TEST_F(GraphClientTest, RelativeLinksAreResolvedAgainstTheRequestThatReturnedThem) {
  // Page 1 names page 2 by an absolute path, page 2 names page 3 relative to
  // its own path, page 3 gives a relative delta link.
  http_.Script(
      GraphUrl("/users/delta?$top=2"),
      {JsonResponse(200, R"({"value":[{"id":"a"}],)"
                         R"("@odata.nextLink":"/v1.0/users/delta?$top=2&$skiptoken=p2"})")});
  http_.Script(GraphUrl("/users/delta?$top=2&$skiptoken=p2"),
               {JsonResponse(200, R"({"value":[{"id":"b"}],)"
                                  R"("@odata.nextLink":"delta?$top=2&$skiptoken=p3"})")});
  http_.Script(GraphUrl("/users/delta?$top=2&$skiptoken=p3"),
               {JsonResponse(200, R"({"value":[{"id":"c"}],)"
                                  R"("@odata.deltaLink":"./delta?$deltatoken=d1"})")});
  auto client = NewClient();
  int pages = 0;
  Result<std::string> delta = client->GetPages("/users/delta?$top=2", [&](const GraphPage&) {
    ++pages;
    return Status::Ok();
  });
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(*delta, GraphUrl("/users/delta?$deltatoken=d1"));  // absolute, ready to store

  // The stored delta link is followed later; a relative link in its answer
  // resolves against it in turn.
  http_.Script(GraphUrl("/users/delta?$deltatoken=d1"),
               {JsonResponse(200, R"({"value":[],"@odata.deltaLink":"?$deltatoken=d2"})")});
  delta = client->GetPages(*delta, [](const GraphPage&) { return Status::Ok(); });
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(*delta, GraphUrl("/users/delta?$deltatoken=d2"));
}

TEST_F(GraphClientTest, LinksToAnotherOriginAreRefusedNamingWhereTheyLead) {
  struct Case {
    std::string link;
    std::string leads;  // what the message says after "@odata.nextLink leads "
  };
  const std::vector<Case> cases = {
      {"https://evil.test/v1.0/users?$skiptoken=x", "to https://evil.test, "},
      {"//evil.test/v1.0/users", "to https://evil.test, "},
      {"http://graph.test/v1.0/users", "to http://graph.test, "},
      {"https://graph.test:8443/v1.0/users", "to https://graph.test:8443, "},
      {"https://graph.test.evil.test/v1.0/users", "to https://graph.test.evil.test, "},
      {"https://graph.test@evil.test/v1.0/users", ""},
      {"ftp://graph.test/v1.0/users", ""},
  };
  auto client = NewClient();
  for (const Case& c : cases) {
    FakeHttpClient http;
    http.Script(kTokenUrl, {TokenResponse("t1")});
    http.Script(GraphUrl("/users"),
                {JsonResponse(200, R"({"value":[],"@odata.nextLink":")" + c.link + R"("})")});
    auto other = GraphClient::Create({"tenant-1", "client-1", "s"}, Options(), &http).value();
    Result<std::string> delta =
        other->GetPages("/users", [](const GraphPage&) { return Status::Ok(); });
    EXPECT_EQ(delta.status().ToString(),
              "invalid argument: GET /v1.0/users page 1: "
              "@odata.nextLink leads " +
                  c.leads + "outside https://graph.test")
        << c.link;
    EXPECT_EQ(http.Requests().size(), 2u) << c.link;  // the token and page 1, nothing more
  }
  // A stored delta link is checked like any link before it is sent.
  Result<std::string> stored = client->GetPages("https://evil.test/v1.0/users/delta?$deltatoken=1",
                                                [](const GraphPage&) { return Status::Ok(); });
  EXPECT_EQ(stored.status().ToString(),
            "invalid argument: GET /v1.0/users/delta leads to https://evil.test, outside "
            "https://graph.test");
  // The same origin spelt differently is the same origin.
  http_.Script(GraphUrl("/groups"),
               {JsonResponse(200, R"({"value":[],"@odata.nextLink":)"
                                  R"("HTTPS://Graph.Test:443/v1.0/groups?$skiptoken=2"})")});
  http_.Script("https://Graph.Test:443/v1.0/groups?$skiptoken=2",
               {JsonResponse(200, R"({"value":[]})")});
  EXPECT_TRUE(client->GetPages("/groups", [](const GraphPage&) { return Status::Ok(); }).ok());
}

TEST_F(GraphClientTest, SourceLimiterCapsRequestsInFlight) {
  http_.Script(GraphUrl("/users"), {JsonResponse(200, "{}")});
  GraphClientOptions options = Options();
  options.max_concurrent_requests = 2;
  auto client = NewClient(options);
  ASSERT_TRUE(client->AccessToken().ok());
  http_.CloseGate();
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&] { EXPECT_TRUE(client->Get("/users").ok()); });
  }
  EXPECT_TRUE(
      WaitUntil([&] { return http_.InFlight() == 2 && client->source_limiter().waiting() == 3; }));
  EXPECT_EQ(global_.in_use(), 2);
  http_.OpenGate();
  for (auto& t : threads) t.join();
  EXPECT_EQ(http_.MaxInFlight(), 2);
  EXPECT_EQ(client->source_limiter().in_use(), 0);
  EXPECT_EQ(global_.in_use(), 0);
}

TEST_F(GraphClientTest, GlobalLimiterCapsRequestsAcrossClients) {
  http_.Script(GraphUrl("/users"), {JsonResponse(200, "{}")});
  global_.SetCapacity(2);
  GraphClientOptions options = Options();
  options.max_concurrent_requests = 3;
  auto a = NewClient(options);
  auto b = NewClient(options);
  ASSERT_TRUE(a->AccessToken().ok());
  ASSERT_TRUE(b->AccessToken().ok());
  http_.CloseGate();
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    GraphClient* client = i % 2 == 0 ? a.get() : b.get();
    threads.emplace_back([client] { EXPECT_TRUE(client->Get("/users").ok()); });
  }
  // Every request passed its source's cap of 3; four wait for the global one.
  EXPECT_TRUE(WaitUntil([&] { return http_.InFlight() == 2 && global_.waiting() == 4; }));
  http_.OpenGate();
  for (auto& t : threads) t.join();
  EXPECT_EQ(http_.MaxInFlight(), 2);
  EXPECT_EQ(global_.max_in_use(), 2);
}

TEST(GraphClientCreateTest, RefusesBadCredentialsAndOptions) {
  FakeHttpClient http;
  auto create = [&](GraphCredentials credentials, GraphClientOptions options = {}) {
    auto client = GraphClient::Create(std::move(credentials), std::move(options), &http);
    return client.ok() ? std::string() : client.status().ToString();
  };
  EXPECT_EQ(create({"", "c", "s"}), "invalid argument: Graph: tenant id is empty");
  EXPECT_EQ(create({"t/../x", "c", "s"}),
            "invalid argument: Graph: tenant id \"t/../x\" may hold only letters, digits, '.', "
            "'-' and '_'");
  EXPECT_EQ(create({"t", "", "s"}), "invalid argument: Graph: client id is empty");
  EXPECT_EQ(create({"t", "c", ""}), "invalid argument: Graph: client secret is empty");
  GraphClientOptions options;
  options.graph_url = "ftp://graph";
  EXPECT_EQ(create({"t", "c", "s"}, options),
            "invalid argument: Graph: Graph URL \"ftp://graph\" is not http(s)");
  options.graph_url = "https://user@graph.test/v1.0";
  EXPECT_EQ(create({"t", "c", "s"}, options),
            "invalid argument: Graph: Graph URL \"https://user@graph.test/v1.0\" has no valid "
            "host and port");
  options = {};
  options.max_attempts = 0;
  EXPECT_EQ(create({"t", "c", "s"}, options),
            "invalid argument: Graph: max_attempts, max_pages and max_concurrent_requests must "
            "be at least 1");
  EXPECT_EQ(create({"contoso.onmicrosoft.com", "c", "s"}), "");
}

TEST(DescribeGraphRequestTest, DropsSchemeHostAndQuery) {
  EXPECT_EQ(DescribeGraphRequest("GET", "https://graph.microsoft.com/v1.0/users?$top=5"),
            "GET /v1.0/users");
  EXPECT_EQ(DescribeGraphRequest("POST", "http://127.0.0.1:99/auth/t/oauth2/v2.0/token"),
            "POST /auth/t/oauth2/v2.0/token");
  EXPECT_EQ(DescribeGraphRequest("GET", "http://host"), "GET /");
}

}  // namespace
}  // namespace vigil
