#include "api/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::Body;

using testing::ApiFixture;

std::string Header(const ApiResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(ApiTest, UnknownPathIs404WithAStableCode) {
  ApiFixture f;
  ApiResponse r = f.Call("GET", "/api/v1/nothing-here", f.AdminToken());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"]["code"], "not_found");
  EXPECT_EQ(Body(r)["error"]["message"], "no route /api/v1/nothing-here");
}

TEST(ApiTest, WrongMethodIs405WithAllow) {
  ApiFixture f;
  ApiResponse r = f.Call("PATCH", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Body(r)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(Header(r, "Allow"), "GET");
}

TEST(ApiTest, TokenRoutesRefuseMissingMalformedUnknownAndRevokedTokens) {
  ApiFixture f;
  EXPECT_EQ(Body(f.Call("GET", "/api/v1/alerts"))["error"]["message"],
            "missing Authorization: Bearer <token>");
  ApiRequest basic;
  basic.method = "GET";
  basic.path = "/api/v1/alerts";
  basic.headers["authorization"] = "Basic dXNlcjpwYXNz";
  ApiResponse r = f.api()->Handle(basic);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"vigil\"");
  EXPECT_EQ(Body(r)["error"]["message"], "Authorization: expected \"Bearer <token>\"");
  r = f.Call("GET", "/api/v1/alerts", "vigil_" + std::string(64, '0'));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["error"]["code"], "unauthorized");
  EXPECT_EQ(Body(r)["error"]["message"], "the token is unknown or revoked");
  EXPECT_EQ(f.Call("GET", "/api/v1/alerts", "garbage").status, 401);
}

TEST(ApiTest, BodyOverTheLimitIs413BeforeRouting) {
  ApiLimits limits;
  limits.max_body_bytes = 100;
  ApiFixture f(limits);
  ApiResponse r = f.Call("POST", "/api/v1/tenants", f.AdminToken(), std::string(101, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Body(r)["error"]["code"], "payload_too_large");
  EXPECT_EQ(Body(r)["error"]["message"],
            "request body: 101 bytes; at most 100 are accepted");
}

TEST(ApiTest, RateLimitAnswers429WithRetryAfterPerToken) {
  ApiLimits limits;
  limits.rate_per_second = 1;
  limits.rate_burst = 2;
  ApiFixture f(limits);
  const std::string a = f.AdminToken("a");
  const std::string b = f.AdminToken("b");
  EXPECT_NE(f.Call("GET", "/api/v1/tenants", a).status, 429);
  EXPECT_NE(f.Call("GET", "/api/v1/tenants", a).status, 429);
  ApiResponse r = f.Call("GET", "/api/v1/tenants", a);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r)["error"]["code"], "rate_limited");
  EXPECT_EQ(Header(r, "Retry-After"), "1");
  EXPECT_NE(f.Call("GET", "/api/v1/tenants", b).status, 429);  // another token's bucket
  f.clock()->Advance(1000);
  EXPECT_NE(f.Call("GET", "/api/v1/tenants", a).status, 429);
}

TEST(JsonBodyTest, DepthIsCountedOutsideStringsOnly) {
  EXPECT_EQ(JsonDepth("{}"), 1);
  EXPECT_EQ(JsonDepth("[[[1]]]"), 3);
  EXPECT_EQ(JsonDepth(R"({"a":"[[[[\"{{"})"), 1);
  EXPECT_EQ(JsonDepth("12"), 0);
}

TEST(JsonBodyTest, RejectsDeepMalformedAndNonObjectBodies) {
  nlohmann::json value;
  std::optional<ApiResponse> r = ParseJsonBody(std::string(40, '[') + std::string(40, ']'), 32, &value);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Body(*r)["error"]["code"], "json_too_deep");
  EXPECT_EQ(Body(*r)["error"]["message"],
            "request body: JSON nested 40 levels deep; at most 32 are accepted");
  r = ParseJsonBody("{\"a\":", 32, &value);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Body(*r)["error"]["code"], "invalid_json");
  r = ParseJsonBody("[1]", 32, &value);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Body(*r)["error"]["message"], "request body: expected a JSON object, got array");
  EXPECT_FALSE(ParseJsonBody("{\"a\":[1,{\"b\":2}]}", 32, &value).has_value());
  EXPECT_EQ(value["a"][1]["b"], 2);
}

}  // namespace
}  // namespace vigil
