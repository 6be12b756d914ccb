// Tests of testing/fake_graph.h, the fake Microsoft Graph that the live
// Microsoft 365 provider is tested against. Spoken to with cpp-httplib's
// client, independently of vigil's own HTTP client.
#include "testing/fake_graph.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

constexpr char kTenant[] = "contoso";
constexpr char kClientId[] = "11111111-2222-3333-4444-555555555555";
constexpr char kSecret[] = "s3cret";

// A fake Graph serving a generated tenant of `users` users.
class FakeGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_ = FakeGraph::Start();
    ASSERT_NE(graph_, nullptr);
    graph_->AddTenant(kTenant, kClientId, kSecret);
  }

  // Writes a generated tenant to a directory and serves it; its user ids.
  std::set<std::string> Load(int users, const std::string& tenant = kTenant) {
    SyntheticOptions options;
    options.users = users;
    options.tenant_name = tenant;
    const Snapshot snapshot = GenerateTenant(options);
    const std::string dir = NewTempDir();
    EXPECT_TRUE(WriteGraphDirectory(snapshot, dir).ok());
    const Status loaded = graph_->LoadDirectory(tenant, dir);
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    std::set<std::string> ids;
    for (const UserRecord& user : snapshot.users) ids.insert(user.id);
    return ids;
  }

  httplib::Result PostToken(const httplib::Params& form, const std::string& tenant = kTenant) {
    httplib::Client client("127.0.0.1", graph_->port());
    return client.Post("/auth/" + tenant + "/oauth2/v2.0/token", form);
  }

  // The scope of the fake's own Graph.
  std::string Scope() const {
    return "http://127.0.0.1:" + std::to_string(graph_->port()) + "/.default";
  }

  // A token request's form; scope "" is Scope().
  httplib::Params Form(const std::string& client_id = kClientId,
                       const std::string& secret = kSecret, const std::string& scope = "",
                       const std::string& grant = "client_credentials") const {
    return {{"client_id", client_id},
            {"client_secret", secret},
            {"scope", scope.empty() ? Scope() : scope},
            {"grant_type", grant}};
  }

  std::string Token(const std::string& tenant = kTenant) {
    httplib::Result res = PostToken(Form(), tenant);
    if (!res || res->status != 200) {
      ADD_FAILURE() << "no token for " << tenant;
      return "";
    }
    return json::parse(res->body)["access_token"].get<std::string>();
  }

  // GET of a path ("/v1.0/users?..."), or of an absolute URL of the fake.
  httplib::Result Get(std::string target, const std::string& token) {
    const std::string origin = "http://127.0.0.1:" + std::to_string(graph_->port());
    if (target.rfind(origin, 0) == 0) target = target.substr(origin.size());
    httplib::Client client("127.0.0.1", graph_->port());
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(target, headers);
  }

  // The body of a 200 answer as JSON (a test failure and null otherwise).
  json GetJson(const std::string& target, const std::string& token) {
    httplib::Result res = Get(target, token);
    if (!res || res->status != 200) {
      ADD_FAILURE() << target << ": " << (res ? res->status : -1) << " "
                    << (res ? res->body : httplib::to_string(res.error()));
      return nullptr;
    }
    return json::parse(res->body);
  }

  // Follows nextLinks from `target`; every page in order.
  std::vector<json> AllPages(const std::string& target, const std::string& token) {
    std::vector<json> pages = {GetJson(target, token)};
    while (pages.size() < 1000 && pages.back().contains("@odata.nextLink")) {
      pages.push_back(GetJson(pages.back()["@odata.nextLink"].get<std::string>(), token));
    }
    return pages;
  }

  static std::string GraphErrorCode(const httplib::Result& res) {
    if (!res) return "no response";
    json body = json::parse(res->body, nullptr, false);
    if (body.is_discarded() || !body.contains("error")) return "not a Graph error: " + res->body;
    return body["error"]["code"].get<std::string>() + ": " +
           body["error"]["message"].get<std::string>();
  }

  std::unique_ptr<FakeGraph> graph_;
};

TEST_F(FakeGraphTest, IssuesTokensForTheTenantsCredentials) {
  httplib::Result res = PostToken(Form());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  json body = json::parse(res->body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3599);
  EXPECT_EQ(body["ext_expires_in"], 3599);
  EXPECT_FALSE(body["access_token"].get<std::string>().empty());
  EXPECT_NE(Token(), body["access_token"].get<std::string>());  // each token is new

  graph_->SetTokenLifetime(120);
  EXPECT_EQ(json::parse(PostToken(Form())->body)["expires_in"], 120);
}

TEST_F(FakeGraphTest, TokenFailuresAreIdentityPlatformErrors) {
  struct Case {
    std::string tenant;
    httplib::Params form;
    int status;
    std::string error;
    std::string description_start;
  };
  const std::vector<Case> cases = {
      {"fabrikam", Form(), 400, "invalid_request",
       "AADSTS90002: Tenant 'fabrikam' not found. Check to make sure"},
      {kTenant, Form(kClientId, "wrong"), 401, "invalid_client",
       "AADSTS7000215: Invalid client secret provided."},
      {kTenant, Form("00000000-0000-0000-0000-000000000000"), 401, "invalid_client",
       "AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000000' was "
       "not found in the directory 'contoso'."},
      {kTenant, Form(kClientId, kSecret, "User.Read"), 400, "invalid_scope",
       "AADSTS1002012: The provided value for scope User.Read is not valid."},
      {kTenant, Form(kClientId, kSecret, "https://graph.microsoft.com/.default"), 400,
       "invalid_resource",
       "AADSTS500011: The resource principal named https://graph.microsoft.com was not found in "
       "the tenant named contoso."},
      {kTenant, Form(kClientId, kSecret, Scope(), "password"), 400, "unsupported_grant_type",
       "AADSTS70003: The app requested an unsupported grant type 'password'."},
      {kTenant,
       {{"client_id", kClientId}, {"scope", Scope()}, {"grant_type", "client_credentials"}},
       400,
       "invalid_request",
       "AADSTS900144: The request body must contain the following parameter: 'client_secret'."},
  };
  for (const Case& c : cases) {
    httplib::Result res = PostToken(c.form, c.tenant);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << c.description_start;
    json body = json::parse(res->body);
    EXPECT_EQ(body["error"], c.error) << c.description_start;
    EXPECT_EQ(body["error_description"].get<std::string>().substr(0, c.description_start.size()),
              c.description_start);
    EXPECT_FALSE(body.contains("access_token"));
  }
  EXPECT_EQ(graph_->TokenRequests(), static_cast<int>(cases.size()));
  std::vector<std::string> scopes;
  for (const Case& c : cases) {
    auto scope = std::find_if(c.form.begin(), c.form.end(),
                              [](const auto& field) { return field.first == "scope"; });
    scopes.push_back(scope->second);
  }
  EXPECT_EQ(graph_->TokenScopes(), scopes);
}

TEST_F(FakeGraphTest, ServeAsAnswersAsAnotherCloudsGraph) {
  Load(250);
  graph_->ServeAs("https://graph.microsoft.us");
  httplib::Result refused = PostToken(Form());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(json::parse(refused->body)["error"], "invalid_resource");
  httplib::Result res = PostToken(Form(kClientId, kSecret, "https://graph.microsoft.us/.default"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string token = json::parse(res->body)["access_token"];
  const json page = GetJson("/v1.0/users", token);
  EXPECT_EQ(page["@odata.context"], "https://graph.microsoft.us/v1.0/$metadata#users");
  EXPECT_EQ(page["@odata.nextLink"].get<std::string>().rfind(
                "https://graph.microsoft.us/v1.0/users?$skiptoken=", 0),
            0u);
  const json delta = GetJson("/v1.0/users/delta?$deltatoken=latest", token);
  EXPECT_EQ(delta["@odata.deltaLink"].get<std::string>().rfind(
                "https://graph.microsoft.us/v1.0/users/delta?$deltatoken=", 0),
            0u);
  EXPECT_EQ(graph_->TokenScopes(),
            (std::vector<std::string>{Scope(), "https://graph.microsoft.us/.default"}));
}

TEST_F(FakeGraphTest, SetLinksWritesRelativeLinks) {
  Load(250);
  const std::string token = Token();
  graph_->SetLinks(FakeGraphLinks::kAbsolutePath);
  EXPECT_EQ(GetJson("/v1.0/users?$top=100", token)["@odata.nextLink"],
            "/v1.0/users?$top=100&$skiptoken=p100");
  EXPECT_EQ(GetJson("/v1.0/users/delta?$deltatoken=latest", token)["@odata.deltaLink"],
            "/v1.0/users/delta?$deltatoken=1.0");
  graph_->SetLinks(FakeGraphLinks::kRelativePath);
  EXPECT_EQ(GetJson("/v1.0/users?$top=100&$skiptoken=p100", token)["@odata.nextLink"],
            "users?$top=100&$skiptoken=p200");
  const json first = GetJson("/v1.0/users/delta?$top=200", token);
  EXPECT_EQ(first["@odata.nextLink"], "delta?$top=200&$skiptoken=d1.i.0.200");
  const json last = GetJson("/v1.0/users/delta?$top=200&$skiptoken=d1.i.0.200", token);
  EXPECT_EQ(last["value"].size(), 50u);
  EXPECT_EQ(last["@odata.deltaLink"], "delta?$deltatoken=1.0");
  graph_->SetLinks(FakeGraphLinks::kAbsolute);
  EXPECT_EQ(GetJson("/v1.0/users?$top=100", token)["@odata.nextLink"],
            graph_->graph_url() + "/users?$top=100&$skiptoken=p100");
}

TEST_F(FakeGraphTest, GraphNeedsALiveTokenOfTheTenant) {
  Load(10);
  EXPECT_EQ(GraphErrorCode(Get("/v1.0/users", "")),
            "InvalidAuthenticationToken: Access token is empty.");
  httplib::Result res = Get("/v1.0/users", "not-a-token");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(GraphErrorCode(res),
            "InvalidAuthenticationToken: Access token has expired or is not yet valid.");

  const std::string token = Token();
  EXPECT_EQ(Get("/v1.0/users", token)->status, 200);
  graph_->ExpireTokens();
  EXPECT_EQ(Get("/v1.0/users", token)->status, 401);
  EXPECT_EQ(Get("/v1.0/users", Token())->status, 200);  // a new token works

  graph_->SetTokenLifetime(0);  // expired as soon as issued
  const std::string dead = Token();
  res = Get("/v1.0/users", dead);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(GraphErrorCode(res),
            "InvalidAuthenticationToken: Access token has expired or is not yet valid.");
}

TEST_F(FakeGraphTest, DataIsTheTokensTenants) {
  const std::set<std::string> contoso = Load(3);
  graph_->AddTenant("fabrikam", "fabrikam-app", "other");
  const std::set<std::string> fabrikam = Load(5, "fabrikam");
  httplib::Client client("127.0.0.1", graph_->port());
  httplib::Result res =
      client.Post("/auth/fabrikam/oauth2/v2.0/token", Form("fabrikam-app", "other"));
  ASSERT_TRUE(res);
  const std::string token = json::parse(res->body)["access_token"];
  std::set<std::string> seen;
  const json page = GetJson("/v1.0/users", token);
  for (const json& user : page["value"]) seen.insert(user["id"]);
  EXPECT_EQ(seen, fabrikam);
  EXPECT_NE(seen, contoso);
}

TEST_F(FakeGraphTest, PagesUsersKeepingTheQuery) {
  const std::set<std::string> ids = Load(1234);
  ASSERT_EQ(ids.size(), 1234u);
  const std::string token = Token();
  std::vector<json> pages = AllPages("/v1.0/users?$top=500&$select=id,displayName", token);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0]["value"].size(), 500u);
  EXPECT_EQ(pages[1]["value"].size(), 500u);
  EXPECT_EQ(pages[2]["value"].size(), 234u);
  // The client sent the comma percent-encoded; the link keeps the query as sent.
  const std::string next = httplib::detail::decode_url(pages[0]["@odata.nextLink"], false);
  EXPECT_EQ(
      next.rfind(graph_->graph_url() + "/users?$top=500&$select=id,displayName&$skiptoken=", 0), 0u)
      << next;
  EXPECT_EQ(pages[0]["@odata.context"], graph_->graph_url() + "/$metadata#users");
  EXPECT_FALSE(pages[2].contains("@odata.nextLink"));
  std::multiset<std::string> seen;
  for (const json& page : pages) {
    for (const json& user : page["value"]) seen.insert(user["id"].get<std::string>());
  }
  EXPECT_EQ(seen.size(), 1234u);  // every id once
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), ids);
}

TEST_F(FakeGraphTest, PageSizeDefaultsTo100AndIsCapped) {
  Load(1234);
  const std::string token = Token();
  EXPECT_EQ(GetJson("/v1.0/users", token)["value"].size(), 100u);
  EXPECT_EQ(GetJson("/v1.0/users?$top=5000", token)["value"].size(), 999u);
  graph_->SetMaxPageSize(50);
  EXPECT_EQ(GetJson("/v1.0/users?$top=500", token)["value"].size(), 50u);
  httplib::Result res = Get("/v1.0/users?$top=zero", token);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(GraphErrorCode(res), "BadRequest: Invalid value 'zero' for query option $top.");
  res = Get("/v1.0/users?$skiptoken=bogus", token);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(GraphErrorCode(res), "BadRequest: The $skiptoken is not valid.");
}

TEST_F(FakeGraphTest, SignInActivityOnlyWhenSelected) {
  Load(20);
  const std::string token = Token();
  const json selected = GetJson("/v1.0/users?$select=id,signInActivity", token);
  ASSERT_EQ(selected["value"].size(), 20u);
  for (const json& user : selected["value"]) {
    EXPECT_TRUE(user.contains("signInActivity")) << user.dump();
  }
  for (const std::string query : {"", "?$select=id,displayName"}) {
    const json page = GetJson("/v1.0/users" + query, token);
    ASSERT_EQ(page["value"].size(), 20u);
    for (const json& user : page["value"]) {
      EXPECT_FALSE(user.contains("signInActivity")) << user.dump();
      EXPECT_TRUE(user.contains("userPrincipalName"));
    }
  }
}

TEST_F(FakeGraphTest, DenySignInActivityRefusesOnlyRequestsSelectingIt) {
  Load(20);
  const std::string token = Token();
  graph_->DenySignInActivity(kTenant);
  httplib::Result res = Get("/v1.0/users?$select=id,signInActivity", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(GraphErrorCode(res),
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant: Neither tenant is B2C or "
            "tenant doesn't have premium license");
  EXPECT_EQ(Get("/v1.0/users?$select=id", token)->status, 200);
  graph_->AllowSignInActivity(kTenant);
  EXPECT_EQ(Get("/v1.0/users?$select=id,signInActivity", token)->status, 200);
}

TEST_F(FakeGraphTest, DenyAnswers403UntilCleared) {
  Load(20);
  const std::string token = Token();
  const std::string path = "/v1.0/reports/authenticationMethods/userRegistrationDetails";
  graph_->Deny(kTenant, "/reports/authenticationMethods/userRegistrationDetails",
               "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  httplib::Result res = Get(path, token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(GraphErrorCode(res),
            "Authorization_RequestDenied: Insufficient privileges to complete the operation.");
  EXPECT_TRUE(json::parse(res->body)["error"]["innerError"].contains("request-id"));
  EXPECT_EQ(Get("/v1.0/subscribedSkus", token)->status, 200);
  graph_->ClearDeny(kTenant, path);
  EXPECT_EQ(GetJson(path, token)["value"].size(), 20u);
}

TEST_F(FakeGraphTest, ServesEachFileOfTheDirectory) {
  const std::string dir = NewTempDir();
  WriteFile(dir + "/subscribedSkus.json",
            R"({"value":[{"skuId":"a","skuPartNumber":"SPE_E3","consumedUnits":3}]})");
  WriteFile(dir + "/securityDefaults.json", R"({"id":"00000000","isEnabled":true})");
  ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir).ok());
  const std::string token = Token();
  json skus = GetJson("/v1.0/subscribedSkus", token);
  EXPECT_EQ(skus["value"].dump(), R"([{"consumedUnits":3,"skuId":"a","skuPartNumber":"SPE_E3"}])");
  EXPECT_EQ(skus["@odata.context"], graph_->graph_url() + "/$metadata#subscribedSkus");
  EXPECT_EQ(GetJson("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", token)["isEnabled"],
            true);
  for (const std::string path : {"/v1.0/users", "/v1.0/users/delta", "/v1.0/groups"}) {
    httplib::Result res = Get(path, token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(GraphErrorCode(res), "Request_ResourceNotFound: Resource '" + path +
                                       "' does not exist or one of its queried "
                                       "reference-property objects are not present.");
  }
  httplib::Result res = Get("/v1.0/devices", token);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(GraphErrorCode(res), "BadRequest: Resource not found for the segment 'devices'.");

  WriteFile(dir + "/groups.json", R"({"value":{}})");
  EXPECT_EQ(graph_->LoadDirectory(kTenant, dir).ToString(),
            R"(invalid argument: groups.json: expected {"value":[...]})");
  EXPECT_EQ(graph_->LoadDirectory(kTenant, dir + "/nope").code(), Code::kNotFound);
}

TEST_F(FakeGraphTest, ServesEachGroupsMembersPaged) {
  const std::string dir = NewTempDir();
  std::filesystem::create_directories(dir + "/groupMembers");
  WriteFile(dir + "/groupMembers/g1.json", R"({"value":[
    {"@odata.type":"#microsoft.graph.user","id":"u1"},
    {"@odata.type":"#microsoft.graph.group","id":"g9"},
    {"@odata.type":"#microsoft.graph.user","id":"u2"}]})");
  ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir).ok());
  const std::string token = Token();
  std::vector<json> pages = AllPages("/v1.0/groups/g1/members?$select=id&$top=2", token);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0]["value"].dump(), R"([{"@odata.type":"#microsoft.graph.user","id":"u1"},)"
                                      R"({"@odata.type":"#microsoft.graph.group","id":"g9"}])");
  EXPECT_EQ(pages[0]["@odata.nextLink"],
            graph_->graph_url() + "/groups/g1/members?$select=id&$top=2&$skiptoken=p2");
  EXPECT_EQ(pages[1]["value"].dump(), R"([{"@odata.type":"#microsoft.graph.user","id":"u2"}])");

  httplib::Result res = Get("/v1.0/groups/g2/members", token);  // no file: not found
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  graph_->Deny(kTenant, "/v1.0/groups/g1/members", "Authorization_RequestDenied", "No.");
  res = Get("/v1.0/groups/g1/members", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);

  WriteFile(dir + "/groupMembers/g1.json", R"({"value":{}})");
  EXPECT_EQ(graph_->LoadDirectory(kTenant, dir).ToString(),
            R"(invalid argument: groupMembers/g1.json: expected {"value":[...]})");
}

TEST_F(FakeGraphTest, DeltaInitialRoundListsEveryUserThenADeltaLink) {
  const std::set<std::string> ids = Load(250);
  const std::string token = Token();
  std::vector<json> pages = AllPages("/v1.0/users/delta?$select=id,displayName", token);
  ASSERT_EQ(pages.size(), 3u);  // 100 per page by default
  EXPECT_EQ(httplib::detail::decode_url(pages[0]["@odata.nextLink"], false)
                .rfind(graph_->graph_url() + "/users/delta?$select=id,displayName&$skiptoken=", 0),
            0u);
  std::set<std::string> seen;
  for (const json& page : pages) {
    EXPECT_FALSE(page.contains("@odata.deltaLink") && page.contains("@odata.nextLink"));
    for (const json& user : page["value"]) {
      seen.insert(user["id"].get<std::string>());
      EXPECT_FALSE(user.contains("signInActivity"));
    }
  }
  EXPECT_EQ(seen, ids);
  const std::string delta_link = pages.back()["@odata.deltaLink"];
  EXPECT_EQ(delta_link.rfind(graph_->graph_url() + "/users/delta?$deltatoken=", 0), 0u);
  // Nothing changed since.
  json none = GetJson(delta_link, token);
  EXPECT_TRUE(none["value"].empty());
  EXPECT_TRUE(none.contains("@odata.deltaLink"));
}

TEST_F(FakeGraphTest, DeltaReportsExactlyTheChangesSinceTheToken) {
  const std::set<std::string> ids = Load(120);
  const std::string token = Token();
  const std::string delta_link = AllPages("/v1.0/users/delta", token).back()["@odata.deltaLink"];
  const std::string changed = *ids.begin(), removed = *ids.rbegin();
  graph_->UpsertUser(
      kTenant, R"({"id":")" + changed + R"(","displayName":"Renamed","signInActivity":null})");
  graph_->UpsertUser(kTenant, R"({"id":"new-user","displayName":"New","accountEnabled":true})");
  graph_->RemoveUser(kTenant, removed);

  json page = GetJson(delta_link, token);
  ASSERT_EQ(page["value"].size(), 3u) << page.dump();
  EXPECT_EQ(page["value"][0].dump(), R"({"displayName":"Renamed","id":")" + changed + R"("})");
  EXPECT_EQ(page["value"][1].dump(),
            R"({"accountEnabled":true,"displayName":"New","id":"new-user"})");
  EXPECT_EQ(page["value"][2].dump(),
            R"({"@removed":{"reason":"changed"},"id":")" + removed + R"("})");
  EXPECT_FALSE(page.contains("@odata.nextLink"));

  // Paged like any delta response, and the new link has nothing new.
  json first = GetJson(delta_link.substr(0, delta_link.find('?')) + "?$top=2&" +
                           delta_link.substr(delta_link.find('?') + 1),
                       token);
  EXPECT_EQ(first["value"].size(), 2u);
  json second = GetJson(first["@odata.nextLink"], token);
  EXPECT_EQ(second["value"].size(), 1u);
  EXPECT_TRUE(GetJson(second["@odata.deltaLink"], token)["value"].empty());

  // The users listing shows the changes too.
  std::set<std::string> listed;
  for (const json& p : AllPages("/v1.0/users?$top=999", token)) {
    for (const json& user : p["value"]) listed.insert(user["id"].get<std::string>());
  }
  EXPECT_EQ(listed.size(), 120u);
  EXPECT_EQ(listed.count("new-user"), 1u);
  EXPECT_EQ(listed.count(removed), 0u);
}

TEST_F(FakeGraphTest, DeltaLatestStartsFromNow) {
  Load(30);
  const std::string token = Token();
  json latest = GetJson("/v1.0/users/delta?$deltatoken=latest", token);
  EXPECT_TRUE(latest["value"].empty());
  graph_->UpsertUser(kTenant, R"({"id":"later","displayName":"Later"})");
  json page = GetJson(latest["@odata.deltaLink"], token);
  ASSERT_EQ(page["value"].size(), 1u);
  EXPECT_EQ(page["value"][0]["id"], "later");
}

TEST_F(FakeGraphTest, ExpiredOrUnknownDeltaTokensAnswer410) {
  Load(30);
  const std::string token = Token();
  const std::string delta_link = AllPages("/v1.0/users/delta", token).back()["@odata.deltaLink"];
  EXPECT_EQ(Get(delta_link, token)->status, 200);
  graph_->ExpireDeltaTokens(kTenant);
  for (const std::string& target : {delta_link, std::string("/v1.0/users/delta?$deltatoken=xyz")}) {
    httplib::Result res = Get(target, token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 410) << target;
    EXPECT_EQ(GraphErrorCode(res),
              "resyncRequired: The delta token is expired or not valid; the application must do "
              "a full resync.");
  }
  // A new round gives a token that works.
  const std::string fresh = AllPages("/v1.0/users/delta", token).back()["@odata.deltaLink"];
  EXPECT_EQ(Get(fresh, token)->status, 200);
}

TEST_F(FakeGraphTest, StatusFaultsComeBeforeAuthAndRunOut) {
  Load(10);
  FakeGraphFault throttled;
  throttled.status = 429;
  throttled.retry_after_s = 7;
  graph_->InjectFault("/users", throttled);
  FakeGraphFault unavailable;
  unavailable.status = 503;
  graph_->InjectFault("/v1.0/users", unavailable, 2);

  httplib::Result res = Get("/v1.0/users", "");  // no token: the fault still answers
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");
  EXPECT_EQ(GraphErrorCode(res), "TooManyRequests: Too many requests. Please try again later.");
  const std::string token = Token();
  EXPECT_EQ(Get("/v1.0/users", token)->status, 503);
  EXPECT_EQ(Get("/v1.0/users", token)->status, 503);
  EXPECT_EQ(Get("/v1.0/users", token)->status, 200);

  FakeGraphFault custom;
  custom.status = 500;
  custom.body = "oops";
  graph_->InjectFault("/auth/contoso/oauth2/v2.0/token", custom);
  res = PostToken(Form());
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "oops");
  EXPECT_EQ(PostToken(Form())->status, 200);
}

TEST_F(FakeGraphTest, BodyFaults) {
  Load(10);
  const std::string token = Token();
  const std::string whole = Get("/v1.0/subscribedSkus", token)->body;

  FakeGraphFault truncate;
  truncate.truncate = true;
  graph_->InjectFault("/subscribedSkus", truncate);
  httplib::Result res = Get("/v1.0/subscribedSkus", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, whole.substr(0, whole.size() / 2));
  EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(whole.size() / 2));
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded());

  FakeGraphFault malformed;
  malformed.malformed = true;
  graph_->InjectFault("/subscribedSkus", malformed);
  EXPECT_EQ(Get("/v1.0/subscribedSkus", token)->body, "{\"value\": [ {\"id\": ");

  FakeGraphFault huge;
  huge.huge_body_bytes = 3'000'000;
  graph_->InjectFault("/subscribedSkus", huge);
  res = Get("/v1.0/subscribedSkus", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(res->body.size(), 3'000'000u);
  EXPECT_EQ(res->body.substr(0, 17), "{\"value\":[{\"id\":\"");
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded());

  FakeGraphFault loop;
  loop.next_link_loop = true;
  graph_->InjectFault("/users", loop);
  json page = GetJson("/v1.0/users?$top=3&$select=id", token);
  EXPECT_EQ(page["value"].size(), 3u);
  EXPECT_EQ(page["@odata.nextLink"], graph_->graph_url() + "/users?$top=3&$select=id");
  EXPECT_EQ(Get("/v1.0/subscribedSkus", token)->body, whole);  // all faults used up
}

TEST_F(FakeGraphTest, SlowResponseMakesAClientTimeOut) {
  Load(10);
  FakeGraphFault slow;
  slow.delay_ms = 5000;
  graph_->InjectFault("/users", slow);
  httplib::Client client("127.0.0.1", graph_->port());
  client.set_read_timeout(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result res = client.Get("/v1.0/users");
  EXPECT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::Read);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  // The fake's destructor does not wait out the delay.
}

TEST_F(FakeGraphTest, ServesSlowRequestsConcurrently) {
  Load(10);
  const std::string token = Token();
  FakeGraphFault slow;
  slow.delay_ms = 1500;
  graph_->InjectFault("/users", slow, 4);
  std::vector<std::thread> threads;
  std::vector<int> statuses(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      httplib::Result res = Get("/v1.0/users", token);
      statuses[i] = res ? res->status : -1;
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (graph_->InFlight() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(graph_->InFlight(), 4);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(statuses, std::vector<int>(4, 200));
  EXPECT_EQ(graph_->MaxConcurrent(), 4);
  EXPECT_EQ(graph_->InFlight(), 0);
}

TEST_F(FakeGraphTest, CountsAndLogsRequests) {
  Load(250);
  const std::string token = Token();
  AllPages("/v1.0/users?$top=100&$select=id", token);
  Get("/v1.0/groups", token);
  EXPECT_EQ(graph_->Requests("/users"), 3);
  EXPECT_EQ(graph_->Requests("/v1.0/users"), 3);
  EXPECT_EQ(graph_->Requests("/v1.0/groups"), 1);
  EXPECT_EQ(graph_->Requests("/v1.0/subscribedSkus"), 0);
  EXPECT_EQ(graph_->Requests("/auth/contoso/oauth2/v2.0/token"), 1);
  EXPECT_EQ(graph_->TokenRequests(), 1);
  const std::vector<std::string> expected = {
      "POST /auth/contoso/oauth2/v2.0/token",
      "GET /v1.0/users?$top=100&$select=id",
      "GET /v1.0/users?$top=100&$select=id&$skiptoken=p100",
      "GET /v1.0/users?$top=100&$select=id&$skiptoken=p200",
      "GET /v1.0/groups",
  };
  EXPECT_EQ(graph_->Log(), expected);
}

}  // namespace
}  // namespace vigil::testing
