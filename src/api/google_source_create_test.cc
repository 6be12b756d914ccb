// POST /api/v1/sources and .../test for a google_workspace data source,
// through the Api against FakeGoogleServer: the service account key taken as
// text or as an object, sealed and never shown; the connection check as
// JSON (a refused scope named, an administrator without domain-wide
// delegation); the messages of `vigil source add` with JSON keys; what a
// tenant token may not point elsewhere.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/source_create.h"
#include "http/http_client.h"
#include "providers/google_jwt.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fake_google.h"
#include "testing/fixtures.h"
#include "testing/rsa_test_key.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;
using testing::Count;
using testing::Message;
using testing::ScopedEnv;
using testing::Unlimited;

constexpr char kEmail[] = "sync@vigil-test.iam.gserviceaccount.com";
constexpr char kAdmin[] = "admin@example.com";
constexpr char kRoleScope[] =
    "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly";

const testing::RsaTestKey& Key() {
  static const testing::RsaTestKey* key = new testing::RsaTestKey(testing::NewRsaTestKey());
  return *key;
}

std::string NewKeyText() {
  Result<SecretKey> key = SecretKey::Generate();
  EXPECT_TRUE(key.ok());
  return key.ok() ? key->ToKeyFileText() : "";
}

ApiHooks CurlHooks() {
  ApiHooks hooks;
  hooks.graph_http = NewCurlHttpClient().value();
  return hooks;
}

class GoogleSourceCreateTest : public ::testing::Test {
 protected:
  GoogleSourceCreateTest()
      : key_env_(kSecretKeyEnv, NewKeyText()),
        no_key_file_(kSecretKeyFileEnv, std::nullopt),
        f_(Unlimited(), CurlHooks()) {}

  void SetUp() override {
    google_ = testing::FakeGoogleServer::Start();
    ASSERT_NE(google_, nullptr);
    google_->SetServiceAccount(kEmail, "kid-1", Key().public_pem);
    google_->AllowAdmin(kAdmin);
    google_->SetUsers({R"({"id":"u1","primaryEmail":"a@example.com"})"});
    key_text_ = testing::ServiceAccountKeyJson(Key(), kEmail, "kid-1", google_->token_url());
    admin_ = f_.AdminToken();
    ASSERT_TRUE(EnsureTenant(f_.db(), "acme", f_.clock()->NowMs()).ok());
  }

  nlohmann::json GoogleBody(const nlohmann::json& changes = nlohmann::json::object()) {
    nlohmann::json body = {{"tenant", "acme"},
                           {"provider", "google_workspace"},
                           {"admin_email", kAdmin},
                           {"service_account_key", key_text_},
                           {"api_url", google_->url()},
                           {"licensing_url", google_->url()}};
    body.merge_patch(changes);
    return body;
  }

  int64_t Add(const nlohmann::json& body) {
    ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r)["id"].get<int64_t>() : 0;
  }

  nlohmann::json Test(int64_t id) {
    ApiResponse r = f_.Call("POST", "/api/v1/sources/" + std::to_string(id) + "/test", admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    ExpectNoKey(r.body);
    return Body(r);
  }

  void ExpectNoKey(const std::string& text) {
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos) << text;
  }

  int64_t DataSources() { return Count(f_.db(), "SELECT COUNT(*) FROM data_sources"); }

  ScopedEnv key_env_;
  ScopedEnv no_key_file_;
  ApiFixture f_;
  std::unique_ptr<testing::FakeGoogleServer> google_;
  std::string key_text_, admin_;
};

TEST_F(GoogleSourceCreateTest, TheKeyAsTextOrAsAnObjectIsSealedAndNeverShown) {
  for (const nlohmann::json& key : {nlohmann::json(key_text_), nlohmann::json::parse(key_text_)}) {
    ApiResponse r =
        f_.Call("POST", "/api/v1/sources", admin_,
                GoogleBody({{"service_account_key", key}, {"customer_id", "C0abc123"}}).dump());
    ASSERT_EQ(r.status, 201) << r.body;
    const nlohmann::json source = Body(r);
    EXPECT_EQ(source["name"], "google_workspace");
    EXPECT_EQ(source["provider"], "google_workspace");
    EXPECT_EQ(source["settings"], nlohmann::json({{"admin_email", kAdmin},
                                                  {"customer_id", "C0abc123"},
                                                  {"service_account_key", "(sealed)"},
                                                  {"api_url", google_->url()},
                                                  {"licensing_url", google_->url()}}));
    ExpectNoKey(r.body);
    const DataSourceRow row = GetDataSource(f_.db(), source["id"].get<int64_t>()).value();
    ExpectNoKey(row.settings);
    const std::string sealed = nlohmann::json::parse(row.settings)["service_account_key"];
    Result<std::string> opened = Open(LoadSecretKey().value(), sealed);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(ParseServiceAccountKey("key", *opened).value().private_key_id, "kid-1");
  }
  EXPECT_EQ(DataSources(), 1);  // the second replaced the first's settings
}

TEST_F(GoogleSourceCreateTest, TestRunsEveryCheckAndNamesARefusedScope) {
  const int64_t id = Add(GoogleBody());
  nlohmann::json report = Test(id);
  EXPECT_EQ(report["ok"], true) << report;
  EXPECT_EQ(report["provider"], "google_workspace");
  EXPECT_EQ(report["tenant_id"], "my_customer");
  EXPECT_EQ(report["client_id"], kEmail);
  EXPECT_EQ(report["admin_email"], kAdmin);
  std::vector<std::string> names;
  for (const nlohmann::json& check : report["checks"]) names.push_back(check["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"credentials", "users", "roles", "role assignments",
                                             "licenses"}));

  google_->Deny("/admin/directory/v1/customer/my_customer/roleassignments");
  report = Test(id);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_EQ(report["missing_permissions"], nlohmann::json({kRoleScope}));
  EXPECT_EQ(report["checks"][3],
            nlohmann::json({{"name", "role assignments"},
                            {"ok", false},
                            {"optional", false},
                            {"detail", std::string("needs scope ") + kRoleScope +
                                           " (403 forbidden: Not Authorized to access this "
                                           "resource/api)"}}));
}

TEST_F(GoogleSourceCreateTest, AnAdministratorWithoutDelegationFailsTheCredentialsCheck) {
  const int64_t id = Add(GoogleBody({{"admin_email", "other@example.com"}}));
  const nlohmann::json report = Test(id);
  EXPECT_EQ(report["ok"], false);
  ASSERT_EQ(report["checks"].size(), 1u) << report;
  const std::string detail = report["checks"][0]["detail"];
  EXPECT_EQ(detail.rfind(std::string("service account ") + kEmail +
                             " as other@example.com: cannot get an access token: HTTP 401 "
                             "unauthorized_client",
                         0),
            0u)
      << detail;
  EXPECT_NE(detail.find("Domain-wide delegation"), std::string::npos) << detail;
}

TEST_F(GoogleSourceCreateTest, BadBodiesAreRefusedNamingTheJsonKeyAndNothingIsWritten) {
  struct Case {
    nlohmann::json changes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"admin_email", nullptr}}, "provider google_workspace needs admin_email"},
      {{{"service_account_key", nullptr}, {"admin_email", nullptr}},
       "provider google_workspace needs admin_email, service_account_key"},
      {{{"admin_email", "admin"}},
       "admin_email: \"admin\" is not an email address such as admin@example.com"},
      {{{"customer_id", "C0/../x"}},
       "customer_id: \"C0/../x\" may hold only letters, digits, '.', '-' and '_'"},
      {{{"client_secret", "x"}}, "provider google_workspace does not take client_secret"},
      {{{"api_url", "http://admin.example.com"}},
       "api_url: http:// is allowed only for a loopback host (credentials would travel in "
       "clear); use https://"},
      {{{"service_account_key", ""}},
       "service_account_key is empty; it must hold the service account's JSON key file"},
      {{{"service_account_key", 7}},
       "service_account_key: expected the key file's JSON as an object or a string, got number"},
      {{{"service_account_key", "not json"}},
       "service_account_key: not a service account key (expected a JSON object)"},
      {{{"service_account_key", {{"type", "authorized_user"}}}},
       "service_account_key: \"type\" must be \"service_account\", not \"authorized_user\""},
      {{{"admin_email", 5}}, "admin_email: expected a string, got number"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, GoogleBody(c.changes).dump());
    EXPECT_EQ(r.status, 400) << c.changes;
    EXPECT_EQ(Message(r), c.message) << c.changes;
    ExpectNoKey(r.body);
  }
  EXPECT_EQ(DataSources(), 0);
}

TEST_F(GoogleSourceCreateTest, ATenantTokenMayNotPointTheSourceElsewhere) {
  const std::string tenant = f_.TenantToken("acme");
  nlohmann::json own_key = nlohmann::json::parse(key_text_);
  own_key["token_uri"] = std::string(kGoogleTokenUri);
  for (const char* key : {"token_url", "api_url", "licensing_url"}) {
    ApiResponse r = f_.Call(
        "POST", "/api/v1/sources", tenant,
        nlohmann::json({{"tenant", "acme"},
                        {"provider", "google_workspace"},
                        {"admin_email", kAdmin},
                        {"service_account_key", own_key},
                        {key, "http://127.0.0.1:9/x"}})
            .dump());
    EXPECT_EQ(r.status, 403) << key;
    EXPECT_EQ(Message(r),
              std::string(key) + ": only an admin token may point a data source at another "
                                 "endpoint");
  }
  // The key file's own token_uri is where the assertion would go.
  ApiResponse r = f_.Call("POST", "/api/v1/sources", tenant,
                          nlohmann::json({{"tenant", "acme"},
                                          {"provider", "google_workspace"},
                                          {"admin_email", kAdmin},
                                          {"service_account_key", key_text_}})
                              .dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Message(r),
            "service_account_key: its token_uri is not Google's "
            "(https://oauth2.googleapis.com/token); only an admin token may point a data source "
            "at another endpoint");
  EXPECT_EQ(DataSources(), 0);
  ApiResponse ok = f_.Call("POST", "/api/v1/sources", tenant,
                           nlohmann::json({{"tenant", "acme"},
                                           {"provider", "google_workspace"},
                                           {"admin_email", kAdmin},
                                           {"service_account_key", own_key}})
                               .dump());
  EXPECT_EQ(ok.status, 201) << ok.body;
}

}  // namespace
}  // namespace vigil
