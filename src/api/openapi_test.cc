// The OpenAPI document against the router, both ways: every route is
// documented with its method and path parameters, and every documented
// operation is a route. A route added without its documentation (or
// documentation left behind by a removed route) fails here.
#include "api/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "notify/webhook_channel.h"
#include "testing/api_fixture.h"
#include "testing/channel_test_groups.h"

namespace vigil {
namespace {

using testing::ApiFixture;

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The {name} segments of a pattern.
std::set<std::string> PathParams(const std::string& pattern) {
  std::set<std::string> names;
  size_t open = pattern.find('{');
  while (open != std::string::npos) {
    const size_t close = pattern.find('}', open);
    if (close == std::string::npos) break;
    names.insert(pattern.substr(open + 1, close - open - 1));
    open = pattern.find('{', close);
  }
  return names;
}

nlohmann::json Document() { return nlohmann::json::parse(OpenApiDocument()); }

TEST(OpenApiTest, IsAnOpenApi303DocumentWithBearerAuth) {
  nlohmann::json doc = Document();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
  EXPECT_EQ(doc["security"][0].count("bearerAuth"), 1u);
  for (const char* schema :
       {"Error", "Alert", "Tenant", "DataSource", "Job", "TraceSpan", "Preferences", "Channel",
        "ChannelInput", "ChannelCreated", "ChannelList", "Notification", "NotificationList",
        "Exclusion", "ExclusionInput", "ExclusionList"}) {
    EXPECT_TRUE(doc["components"]["schemas"].contains(schema)) << schema;
  }
  // Every $ref points at something that exists.
  std::function<void(const nlohmann::json&)> check_refs = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key == "$ref") {
          const std::string ref = value.get<std::string>();
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          EXPECT_TRUE(doc.contains(nlohmann::json::json_pointer(ref.substr(1)))) << ref;
        } else {
          check_refs(value);
        }
      }
    } else if (node.is_array()) {
      for (const auto& item : node) check_refs(item);
    }
  };
  check_refs(doc);
}

TEST(OpenApiTest, EveryRouteIsDocumentedWithItsMethodAndPathParameters) {
  ApiFixture f;
  nlohmann::json paths = Document()["paths"];
  ASSERT_FALSE(f.api()->router().routes().empty());
  for (const ApiRoute& route : f.api()->router().routes()) {
    const std::string method = Lower(route.method);
    SCOPED_TRACE(route.method + " " + route.pattern);
    ASSERT_TRUE(paths.contains(route.pattern)) << "path missing from openapi.json";
    ASSERT_TRUE(paths[route.pattern].contains(method)) << "method missing from openapi.json";
    const nlohmann::json& op = paths[route.pattern][method];
    std::set<std::string> declared;
    for (const auto& p : op.value("parameters", nlohmann::json::array())) {
      if (p["in"] == "path") {
        EXPECT_EQ(p["required"], true) << p.dump();
        declared.insert(p["name"].get<std::string>());
      }
    }
    EXPECT_EQ(declared, PathParams(route.pattern));
    EXPECT_FALSE(op["responses"].empty());
    // Public routes say so; token routes inherit bearerAuth.
    if (route.auth == RouteAuth::kPublic) {
      ASSERT_TRUE(op.contains("security"));
      EXPECT_TRUE(op["security"].empty());
    } else {
      EXPECT_FALSE(op.contains("security"));
      EXPECT_TRUE(op["responses"].contains("401"));
    }
  }
}

TEST(OpenApiTest, EveryDocumentedOperationIsARoute) {
  ApiFixture f;
  std::set<std::pair<std::string, std::string>> routes;
  for (const ApiRoute& route : f.api()->router().routes()) {
    routes.insert({Lower(route.method), route.pattern});
  }
  const nlohmann::json doc = Document();
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (kMethods.count(method) == 0) continue;
      EXPECT_EQ(routes.count({method, path}), 1u)
          << method << " " << path << " is documented but is no route";
    }
  }
}

TEST(OpenApiTest, TheWebhookDocumentsItsSignatureHeaders) {
  nlohmann::json op = Document()["paths"]["/hooks/{source_id}"]["post"];
  std::set<std::string> headers;
  for (const auto& p : op["parameters"]) {
    if (p["in"] == "header") headers.insert(p["name"].get<std::string>());
  }
  EXPECT_EQ(headers, (std::set<std::string>{"Vigil-Signature", "Vigil-Delivery"}));
  for (const char* status : {"202", "401", "404", "409"}) {
    EXPECT_TRUE(op["responses"].contains(status)) << status;
  }
}

// The webhook channel's body (README, "Delivering alerts") is documented
// key for key: a key added to one and not the other fails here.
TEST(OpenApiTest, TheWebhookMessageSchemaHasEveryKeyOfTheBodyAndNoOther) {
  const nlohmann::json doc = nlohmann::json::parse(OpenApiDocument());
  const nlohmann::json& schema = doc["components"]["schemas"]["WebhookMessage"];
  const nlohmann::json body = nlohmann::json::parse(WebhookBody(testing::SampleGroup()));
  std::set<std::string> documented, sent;
  for (const auto& [key, value] : schema["properties"].items()) documented.insert(key);
  for (const auto& [key, value] : body.items()) sent.insert(key);
  EXPECT_EQ(documented, sent);
  documented.clear();
  sent.clear();
  for (const auto& [key, value] : schema["properties"]["notifications"]["items"]["properties"].items()) {
    documented.insert(key);
  }
  for (const auto& [key, value] : body["notifications"][0].items()) sent.insert(key);
  EXPECT_EQ(documented, sent);
}

// The preferences a GET answers with are documented key for key, and the
// severity overrides as an object of severities.
TEST(OpenApiTest, ThePreferencesSchemaHasEveryKeyOfTheAnswer) {
  ApiFixture f;
  const std::string token = f.TenantToken("contoso");
  ApiResponse r = f.Call("GET", "/api/v1/tenants/contoso/preferences", token);
  ASSERT_EQ(r.status, 200) << r.body;
  std::set<std::string> answered, documented;
  const nlohmann::json answer = nlohmann::json::parse(r.body);
  for (const auto& [key, value] : answer.items()) answered.insert(key);
  const nlohmann::json schema = Document()["components"]["schemas"]["Preferences"];
  for (const auto& [key, value] : schema["properties"].items()) documented.insert(key);
  EXPECT_EQ(documented, answered);
  const nlohmann::json overrides = schema["properties"]["severity_overrides"];
  EXPECT_EQ(overrides["type"], "object");
  EXPECT_EQ(overrides["additionalProperties"]["enum"],
            nlohmann::json::parse(R"(["low", "medium", "high", "critical"])"));
}

}  // namespace
}  // namespace vigil
