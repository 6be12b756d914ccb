// POST /api/v1/sources and .../test end to end through the Api against the
// fake Graph: a data source added with its secret sealed (never shown), the
// connection check as JSON, and the messages of `vigil source add` with the
// fields named by their JSON keys.
#include "api/source_create.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fake_clock.h"
#include "testing/fake_graph.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::Body;
using testing::Message;
using testing::Unlimited;

using testing::ApiFixture;
using testing::Count;
using testing::ScopedEnv;

constexpr char kTenantId[] = "contoso.onmicrosoft.com";
constexpr char kClientId[] = "7f9c2a41-7d1e-4c55-9b0e-2f3a1d4c5b6e";
constexpr char kSecret[] = "Xq8~s3cr3t.Value_That-Must-Not-Leak";

std::string NewKeyText() {
  Result<SecretKey> key = SecretKey::Generate();
  EXPECT_TRUE(key.ok());
  return key.ok() ? key->ToKeyFileText() : "";
}

// The Graph HTTP client `vigil serve` gives the API: libcurl's.
ApiHooks CurlHooks() {
  ApiHooks hooks;
  hooks.graph_http = NewCurlHttpClient().value();
  return hooks;
}

class SourceCreateTest : public ::testing::Test {
 protected:
  SourceCreateTest()
      : key_env_(kSecretKeyEnv, NewKeyText()),
        no_key_file_(kSecretKeyFileEnv, std::nullopt),
        f_(Unlimited(), CurlHooks()) {}

  void SetUp() override {
    dir_ = testing::NewTempDir();
    SyntheticOptions options;
    options.users = 20;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir_ + "/graph").ok());
    graph_ = testing::FakeGraph::Start();
    ASSERT_NE(graph_, nullptr);
    graph_->AddTenant(kTenantId, kClientId, kSecret);
    ASSERT_TRUE(graph_->LoadDirectory(kTenantId, dir_ + "/graph").ok());
    admin_ = f_.AdminToken();
    ASSERT_TRUE(EnsureTenant(f_.db(), "contoso", f_.clock()->NowMs()).ok());
  }

  // A microsoft365 body for the fake Graph, with `changes` applied (a null
  // value removes the key).
  std::string Microsoft365Body(const nlohmann::json& changes = nlohmann::json::object()) {
    nlohmann::json body = {{"tenant", "contoso"},
                           {"provider", "microsoft365"},
                           {"tenant_id", kTenantId},
                           {"client_id", kClientId},
                           {"client_secret", kSecret},
                           {"authority_url", graph_->authority_url()},
                           {"graph_url", graph_->graph_url()}};
    body.merge_patch(changes);
    return body.dump();
  }

  int64_t AddMicrosoft365() {
    ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, Microsoft365Body());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r)["id"].get<int64_t>() : 0;
  }

  int64_t DataSources() { return Count(f_.db(), "SELECT COUNT(*) FROM data_sources"); }

  ScopedEnv key_env_;
  ScopedEnv no_key_file_;
  ApiFixture f_;
  std::string dir_;
  std::unique_ptr<testing::FakeGraph> graph_;
  std::string admin_;
};

TEST_F(SourceCreateTest, AddsAMicrosoft365SourceWithItsSecretSealedAndNeverShown) {
  ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, Microsoft365Body({{"every", "15m"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const nlohmann::json source = Body(r);
  EXPECT_EQ(source["tenant"], "contoso");
  EXPECT_EQ(source["name"], "microsoft365");
  EXPECT_EQ(source["provider"], "microsoft365");
  EXPECT_EQ(source["settings"], nlohmann::json({{"tenant_id", kTenantId},
                                                {"client_id", kClientId},
                                                {"client_secret", "(sealed)"},
                                                {"authority_url", graph_->authority_url()},
                                                {"graph_url", graph_->graph_url()}}));
  EXPECT_EQ(source["schedule"]["every"], "15m");
  EXPECT_EQ(r.body.find(kSecret), std::string::npos);

  const DataSourceRow row = GetDataSource(f_.db(), source["id"].get<int64_t>()).value();
  EXPECT_EQ(row.settings.find(kSecret), std::string::npos);
  const std::string sealed = nlohmann::json::parse(row.settings)["client_secret"];
  EXPECT_EQ(*Open(LoadSecretKey().value(), sealed), kSecret);
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM schedules WHERE data_source_id = " +
                               std::to_string(row.id)),
            1);
}

TEST_F(SourceCreateTest, TestRunsEveryCheckAgainstGraph) {
  const int64_t id = AddMicrosoft365();
  const std::string path = "/api/v1/sources/" + std::to_string(id) + "/test";
  ApiResponse r = f_.Call("POST", path, admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json report = Body(r);
  EXPECT_EQ(report["ok"], true) << r.body;
  EXPECT_EQ(report["failed"], 0);
  EXPECT_EQ(report["data_source"], id);
  EXPECT_EQ(report["tenant_id"], kTenantId);
  EXPECT_EQ(report["client_id"], kClientId);
  EXPECT_EQ(report["missing_permissions"], nlohmann::json::array());
  ASSERT_EQ(report["checks"].size(), 10u);
  EXPECT_EQ(report["checks"][0],
            nlohmann::json(
                {{"name", "credentials"}, {"ok", true}, {"optional", false}, {"detail", nullptr}}));

  graph_->Deny(kTenantId, "/v1.0/subscribedSkus", "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  r = f_.Call("POST", path, admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  report = Body(r);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_EQ(report["missing_permissions"], nlohmann::json({"Organization.Read.All"}));
  bool found = false;
  for (const nlohmann::json& check : report["checks"]) {
    if (check["name"] != "licenses") continue;
    found = true;
    EXPECT_EQ(check["ok"], false);
    EXPECT_EQ(check["detail"].get<std::string>().rfind(
                  "needs Organization.Read.All (403 Authorization_RequestDenied", 0),
              0u)
        << check;
  }
  EXPECT_TRUE(found) << r.body;
  EXPECT_EQ(r.body.find(kSecret), std::string::npos);
}

TEST_F(SourceCreateTest, AWrongSecretFailsTheCredentialsCheckOnly) {
  graph_->AddTenant(kTenantId, kClientId, "another-secret");
  const int64_t id = AddMicrosoft365();
  ApiResponse r = f_.Call("POST", "/api/v1/sources/" + std::to_string(id) + "/test", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json report = Body(r);
  EXPECT_EQ(report["ok"], false);
  ASSERT_EQ(report["checks"].size(), 1u);
  EXPECT_EQ(report["checks"][0]["name"], "credentials");
  EXPECT_NE(report["checks"][0]["detail"].get<std::string>().find("invalid_client"),
            std::string::npos)
      << report;
}

TEST_F(SourceCreateTest, AGraphJsonSourceIsAddedButHasNoConnectionToTest) {
  ApiResponse r = f_.Call(
      "POST", "/api/v1/sources", admin_,
      nlohmann::json({{"tenant", "contoso"}, {"provider", "graph_json"}, {"dir", dir_ + "/graph/"}})
          .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["name"], "graph");
  EXPECT_EQ(Body(r)["settings"], nlohmann::json({{"dir", dir_ + "/graph"}}));
  const std::string id = std::to_string(Body(r)["id"].get<int64_t>());
  ApiResponse test = f_.Call("POST", "/api/v1/sources/" + id + "/test", admin_);
  EXPECT_EQ(test.status, 409);
  EXPECT_EQ(Message(test), "data source " + id +
                               " (graph) uses the graph_json provider; only microsoft365 and "
                               "google_workspace data sources have a connection to test");
}

TEST_F(SourceCreateTest, BadBodiesAreRefusedNamingTheJsonKeyAndNothingIsWritten) {
  struct Case {
    nlohmann::json changes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"provider", "okta"}},
       "provider: unknown provider \"okta\" (known: microsoft365, graph_json, google_workspace, "
       "google_json)"},
      {{{"provider", nullptr}}, "provider: required (microsoft365, graph_json or google_workspace)"},
      {{{"tenant_id", nullptr}, {"client_secret", nullptr}},
       "provider microsoft365 needs tenant_id, client_secret"},
      {{{"tenant_id", "not a tenant"}},
       "tenant_id: \"not a tenant\" is neither a GUID (8-4-4-4-12 hex digits) nor a domain such "
       "as contoso.onmicrosoft.com"},
      {{{"graph_url", "ftp://graph"}},
       "graph_url: \"ftp://graph\" is not an https:// URL such as https://graph.example"},
      {{{"authority_url", "http://login.example.com"}},
       "authority_url: http:// is allowed only for a loopback host (credentials would travel in "
       "clear); use https://"},
      {{{"every", "30s"}}, "every: schedule interval must be at least 1m"},
      {{{"every", "soon"}}, "every: \"soon\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)"},
      {{{"name", "a/b"}},
       "name: data source name \"a/b\" must be 1 to 128 letters, digits, '.', '-' or '_'"},
      {{{"dir", "/tmp"}}, "provider microsoft365 does not take dir"},
      {{{"client_secret", ""}}, "client_secret is empty; it must hold the client secret"},
      {{{"client_secret", "one\ntwo"}},
       "client_secret holds more than one line; it must hold only the client secret"},
      {{{"client_secret", 5}}, "client_secret: expected a string, got number"},
      {{{"settings", {{"dir", "/tmp"}}}},
       "request body: unknown field \"settings\" (known: tenant, provider, name, tenant_id, "
       "client_id, client_secret, cloud, authority_url, graph_url, dir, customer_id, "
       "admin_email, service_account_key, token_url, api_url, licensing_url, every)"},
      {{{"cloud", "gov"}}, "cloud: unknown cloud \"gov\" (known: global, usgov, usgovdod, china)"},
      {{{"cloud", "usgov"}},
       "cloud and authority_url exclude each other: cloud usgov sets the authority and Graph URLs "
       "itself; give authority_url and graph_url without cloud for other endpoints"},
      {{{"provider", "graph_json"}},
       "provider graph_json does not take tenant_id, client_id, client_secret, authority_url, "
       "graph_url"},
      {{{"provider", "graph_json"},
        {"tenant_id", nullptr},
        {"client_id", nullptr},
        {"client_secret", nullptr},
        {"authority_url", nullptr},
        {"graph_url", nullptr}},
       "provider graph_json needs dir"},
      {{{"provider", "graph_json"},
        {"tenant_id", nullptr},
        {"client_id", nullptr},
        {"client_secret", nullptr},
        {"authority_url", nullptr},
        {"graph_url", nullptr},
        {"dir", dir_ + "/nope"}},
       "dir " + dir_ + "/nope: no such directory"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, Microsoft365Body(c.changes));
    EXPECT_EQ(r.status, 400) << c.changes;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.changes;
    EXPECT_EQ(Message(r), c.message) << c.changes;
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
  }
  EXPECT_EQ(DataSources(), 0);
}

TEST_F(SourceCreateTest, WithoutASecretKeyTheCliMessageComesBackAs409) {
  ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, Microsoft365Body());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["error"]["code"], "conflict");
  EXPECT_EQ(Message(r),
            "no secret key to seal data source secrets with: create one with `vigil key generate "
            "--out FILE`, then set VIGIL_SECRET_KEY_FILE=FILE (or set VIGIL_SECRET_KEY to the key "
            "itself: 64 hex digits or base64)");
  EXPECT_EQ(DataSources(), 0);
}

TEST_F(SourceCreateTest, ASourceOfThatNameWithAnotherProviderIsAConflict) {
  ApiResponse graph = f_.Call(
      "POST", "/api/v1/sources", admin_,
      nlohmann::json(
          {{"tenant", "contoso"}, {"provider", "graph_json"}, {"name", "shared"}, {"dir", dir_}})
          .dump());
  ASSERT_EQ(graph.status, 201) << graph.body;
  ApiResponse clash =
      f_.Call("POST", "/api/v1/sources", admin_, Microsoft365Body({{"name", "shared"}}));
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(Message(clash),
            "data source \"shared\" exists with provider graph_json, not "
            "microsoft365");
  EXPECT_EQ(DataSources(), 1);
}

}  // namespace
}  // namespace vigil
