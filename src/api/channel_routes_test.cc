// /api/v1/channels through the Api: a channel added with its secrets sealed
// and shown once (a generated signing secret) or never (the rest), the
// channel JSON of `vigil channels --json`, ownership by tenant tokens, and
// every bad body refused with a message naming the field and nothing stored.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/raw_http_client.h"
#include "notify/channel_store.h"
#include "notify/notification_store.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fake_channel_check.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Body;
using testing::Count;
using testing::FakeChannelCheck;
using testing::Message;
using testing::ScopedEnv;
using testing::Unlimited;

constexpr char kHookUrl[] = "https://receiver.example/hooks/7f3a-secret-path";

std::string NewKeyText() { return SecretKey::Generate().value().ToKeyFileText(); }

// The stored settings text of channel `name`.
std::string StoredSettings(Db* db, const std::string& name) {
  std::unique_ptr<Statement> st =
      db->Prepare("SELECT settings FROM channels WHERE name = ?").value();
  st->BindAll({name});
  EXPECT_TRUE(st->Step().value()) << name;
  return st->String(0);
}

ApiHooks CheckHooks(const std::shared_ptr<FakeChannelCheck>& check) {
  ApiHooks hooks;
  hooks.check_channel = FakeChannelCheck::Hook(check);
  return hooks;
}

class ChannelRoutesTest : public ::testing::Test {
 protected:
  ChannelRoutesTest()
      : key_env_(kSecretKeyEnv, NewKeyText()),
        no_key_file_(kSecretKeyFileEnv, std::nullopt),
        check_(std::make_shared<FakeChannelCheck>()),
        f_(Unlimited(), CheckHooks(check_)) {}

  void SetUp() override {
    admin_ = f_.AdminToken();
    alpha_ = f_.TenantToken("alpha", "a");
    bravo_ = f_.TenantToken("bravo", "b");
  }

  ApiResponse Post(const std::string& token, const json& body) {
    return f_.Call("POST", "/api/v1/channels", token, body.dump());
  }

  int64_t Channels() { return Count(f_.db(), "SELECT COUNT(*) FROM channels"); }

  ScopedEnv key_env_;
  ScopedEnv no_key_file_;
  std::shared_ptr<FakeChannelCheck> check_;
  ApiFixture f_;
  std::string admin_, alpha_, bravo_;
};

TEST_F(ChannelRoutesTest, AWebhookChannelIsAddedWithItsSigningSecretShownOnlyInTheAnswer) {
  ApiResponse r = Post(admin_, {{"name", "ops"},
                                {"kind", "webhook"},
                                {"url", kHookUrl},
                                {"route", {{"types", {"mfa.*"}}, {"min_severity", "high"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json created = Body(r);
  EXPECT_EQ(created["name"], "ops");
  EXPECT_EQ(created["kind"], "webhook");
  EXPECT_TRUE(created["tenant"].is_null());
  EXPECT_EQ(created["route"]["tenants"], json::array());
  EXPECT_EQ(created["route"]["types"], json({"mfa.*"}));
  EXPECT_EQ(created["route"]["min_severity"], "high");
  EXPECT_EQ(created["route"]["changes"], json({"opened", "reopened", "resolved"}));
  EXPECT_EQ(created["route"]["group_wait"], "30s");
  EXPECT_EQ(created["give_up"], "6h");
  EXPECT_EQ(created["timeout"], "10s");
  EXPECT_EQ(created["max_retry_wait"], "5m");
  EXPECT_EQ(created["secrets"], json({"url", "signing_secret"}));
  EXPECT_EQ(created["pending"], 0);
  const std::string secret = created.value("signing_secret", "");
  ASSERT_EQ(secret.size(), 64u) << r.body;
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << secret;
  EXPECT_EQ(r.body.find(kHookUrl), std::string::npos) << "the URL is a secret: " << r.body;
  EXPECT_EQ(check_->calls(), 1);

  // Sealed at rest; opened with the key, they are what was given and made.
  const std::string settings = StoredSettings(f_.db(), "ops");
  EXPECT_EQ(settings.find(kHookUrl), std::string::npos) << settings;
  EXPECT_EQ(settings.find(secret), std::string::npos) << settings;
  Result<ChannelSpec> spec = LoadChannelSpec(f_.db(), "ops", LoadSecretKey().value());
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->url, kHookUrl);
  EXPECT_EQ(spec->signing_secret, secret);
  EXPECT_EQ(spec->route.min_severity, "high");

  // Never again.
  ApiResponse again = f_.Call("GET", "/api/v1/channels/ops", admin_);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_FALSE(Body(again).contains("signing_secret")) << again.body;
  EXPECT_EQ(again.body.find(secret), std::string::npos);
  EXPECT_EQ(again.body.find(kHookUrl), std::string::npos);
  EXPECT_EQ(Body(again)["secrets"], json({"url", "signing_secret"}));
}

TEST_F(ChannelRoutesTest, AGivenSigningSecretIsSealedAndNeverEchoed) {
  ApiResponse r = Post(admin_, {{"name", "ops"},
                                {"kind", "webhook"},
                                {"url", kHookUrl},
                                {"signing_secret", "my-own-signing-secret"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(Body(r).contains("signing_secret")) << r.body;
  EXPECT_EQ(r.body.find("my-own-signing-secret"), std::string::npos);
  EXPECT_EQ(LoadChannelSpec(f_.db(), "ops", LoadSecretKey().value()).value().signing_secret,
            "my-own-signing-secret");
}

TEST_F(ChannelRoutesTest, AnEmailChannelShowsItsPlainFieldsAndTheRouteAsGiven) {
  ApiResponse r = Post(admin_, {{"name", "noc-mail"},
                                {"kind", "email"},
                                {"smtp_url", "smtp://mail.example:587"},
                                {"smtp_user", "vigil"},
                                {"smtp_password", "hunter2-smtp"},
                                {"from", "vigil@msp.example"},
                                {"to", {"noc@msp.example", "oncall@msp.example"}},
                                {"route",
                                 {{"tenants", {"alpha", "bravo"}},
                                  {"changes", {"opened", "resolved"}},
                                  {"group_wait", "0"},
                                  {"repeat_interval", "4h"},
                                  {"digest", "daily@08:00"},
                                  {"timezone", "Europe/Berlin"}}},
                                {"give_up", "2h"},
                                {"timeout", "5s"},
                                {"max_retry_wait", "1m"},
                                {"max_per_second", 2.5}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json c = Body(r);
  EXPECT_EQ(c["smtp_url"], "smtp://mail.example:587");
  EXPECT_EQ(c["smtp_user"], "vigil");
  EXPECT_EQ(c["from"], "vigil@msp.example");
  EXPECT_EQ(c["to"], json({"noc@msp.example", "oncall@msp.example"}));
  EXPECT_EQ(c["secrets"], json({"smtp_password"}));
  EXPECT_FALSE(c.contains("signing_secret"));
  EXPECT_EQ(r.body.find("hunter2-smtp"), std::string::npos);
  EXPECT_EQ(c["route"]["tenants"], json({"alpha", "bravo"}));
  EXPECT_EQ(c["route"]["changes"], json({"opened", "resolved"}));
  EXPECT_EQ(c["route"]["group_wait"], "0ms");
  EXPECT_EQ(c["route"]["repeat_interval"], "4h");
  EXPECT_EQ(c["route"]["digest"], "daily@08:00");
  EXPECT_EQ(c["route"]["timezone"], "Europe/Berlin");
  EXPECT_EQ(c["give_up"], "2h");
  EXPECT_EQ(c["timeout"], "5s");
  EXPECT_EQ(c["max_retry_wait"], "1m");
  EXPECT_EQ(c["max_per_second"], 2.5);
}

TEST_F(ChannelRoutesTest, ATenantTokensChannelIsOwnedByItsTenantAndRoutesOnlyIt) {
  ApiResponse r = Post(alpha_, {{"name", "alpha-slack"}, {"kind", "slack"}, {"url", kHookUrl}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["tenant"], "alpha");
  EXPECT_EQ(Count(f_.db(),
                  "SELECT COUNT(*) FROM channels c JOIN tenants t ON t.id = c.tenant_id"
                  " WHERE c.name = 'alpha-slack' AND t.name = 'alpha'"),
            1);
  r = Post(alpha_, {{"name", "alpha-teams"},
                    {"kind", "teams"},
                    {"url", kHookUrl},
                    {"tenant", "alpha"},
                    {"route", {{"tenants", {"alpha"}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["route"]["tenants"], json({"alpha"}));

  // Another tenant, as owner or in the route, is one that does not exist.
  const int64_t before = Channels();
  const int checks = check_->calls();
  for (const std::string other : {"bravo", "nobody"}) {
    ApiResponse owner =
        Post(alpha_, {{"name", "x1"}, {"kind", "slack"}, {"url", kHookUrl}, {"tenant", other}});
    EXPECT_EQ(owner.status, 404) << owner.body;
    EXPECT_EQ(Message(owner), "tenant \"" + other + "\" not found");
    ApiResponse routed = Post(alpha_, {{"name", "x2"},
                                       {"kind", "slack"},
                                       {"url", kHookUrl},
                                       {"route", {{"tenants", {"alpha", other}}}}});
    EXPECT_EQ(routed.status, 404) << routed.body;
    EXPECT_EQ(Message(routed), "tenant \"" + other + "\" not found");
  }
  EXPECT_EQ(Channels(), before);
  EXPECT_EQ(check_->calls(), checks) << "refused before the kind's checks";
}

TEST_F(ChannelRoutesTest, AnOwnedChannelsRouteNamesOnlyItsOwner) {
  ApiResponse r = Post(admin_, {{"name", "alpha-only"},
                                {"kind", "slack"},
                                {"url", kHookUrl},
                                {"tenant", "alpha"},
                                {"route", {{"tenants", {"bravo"}}}}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Message(r),
            "route.tenants: \"bravo\" is not the channel's owner; a channel owned by a tenant "
            "routes only that tenant");
  EXPECT_EQ(Channels(), 0);
}

// The names in the items of a list answer.
std::vector<std::string> Names(const ApiResponse& r) {
  std::vector<std::string> names;
  const json body = Body(r);
  for (const json& item : body["items"]) names.push_back(item["name"].get<std::string>());
  return names;
}

TEST_F(ChannelRoutesTest, ATenantTokenSeesAndRemovesOnlyTheChannelsItsTenantOwns) {
  ASSERT_EQ(Post(admin_, {{"name", "msp"}, {"kind", "slack"}, {"url", kHookUrl}}).status, 201);
  ASSERT_EQ(Post(alpha_, {{"name", "alpha-hook"}, {"kind", "teams"}, {"url", kHookUrl}}).status,
            201);
  ASSERT_EQ(Post(bravo_, {{"name", "bravo-hook"}, {"kind", "teams"}, {"url", kHookUrl}}).status,
            201);

  EXPECT_EQ(Names(f_.Call("GET", "/api/v1/channels", admin_)),
            (std::vector<std::string>{"alpha-hook", "bravo-hook", "msp"}));
  EXPECT_EQ(Names(f_.Call("GET", "/api/v1/channels?tenant=bravo", admin_)),
            (std::vector<std::string>{"bravo-hook"}));
  EXPECT_EQ(Names(f_.Call("GET", "/api/v1/channels", alpha_)),
            (std::vector<std::string>{"alpha-hook"}));
  ApiResponse other = f_.Call("GET", "/api/v1/channels?tenant=bravo", alpha_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Message(other), "tenant \"bravo\" not found");

  EXPECT_EQ(f_.Call("GET", "/api/v1/channels/alpha-hook", alpha_).status, 200);
  EXPECT_EQ(f_.Call("GET", "/api/v1/channels/msp", admin_).status, 200);
  // The MSP-wide channel and bravo's answer as a missing one.
  for (const std::string name : {"msp", "bravo-hook", "missing", "bad!name"}) {
    for (const std::string method : {"GET", "DELETE"}) {
      ApiResponse r = f_.Call(method, "/api/v1/channels/" + name, alpha_);
      EXPECT_EQ(r.status, 404) << method << " " << name << " " << r.body;
      EXPECT_EQ(Message(r), "channel \"" + name + "\" not found") << method;
    }
  }
  EXPECT_EQ(Channels(), 3) << "alpha's token removed a channel that is not its own";

  // Removing its own: the channel and its pending notifications go.
  const int64_t id = Count(f_.db(), "SELECT id FROM channels WHERE name = 'alpha-hook'");
  const int64_t tenant = Count(f_.db(), "SELECT id FROM tenants WHERE name = 'alpha'");
  NewNotification n;
  n.channel_id = id;
  n.tenant_id = tenant;
  n.alert_id = 1;
  n.change = "opened";
  n.key = "pending-one";
  n.state = std::string(kNotificationPending);
  n.trace_id = "t";
  ASSERT_TRUE(InsertNotifications(f_.db(), {n}).ok());
  ApiResponse removed = f_.Call("DELETE", "/api/v1/channels/alpha-hook", alpha_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(Body(removed)["name"], "alpha-hook");
  EXPECT_EQ(Body(removed)["pending"], 1);
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM channels WHERE name = 'alpha-hook'"), 0);
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM notifications"), 0);
  EXPECT_EQ(f_.Call("GET", "/api/v1/channels/alpha-hook", alpha_).status, 404);
  // An admin removes any.
  EXPECT_EQ(f_.Call("DELETE", "/api/v1/channels/msp", admin_).status, 200);
  EXPECT_EQ(Names(f_.Call("GET", "/api/v1/channels", admin_)),
            (std::vector<std::string>{"bravo-hook"}));
}

struct BadBody {
  std::string body;  // JSON text
  int status;
  std::string code;
  std::string message;  // exact, or the start of it when it ends with "..."
};

TEST_F(ChannelRoutesTest, BadBodiesAreRefusedNamingTheFieldAndStoreNothing) {
  ASSERT_EQ(Post(admin_, {{"name", "ops"}, {"kind", "slack"}, {"url", kHookUrl}}).status, 201);
  const std::string settings = StoredSettings(f_.db(), "ops");
  const int checks = check_->calls();
  const std::string ok = R"("name": "new", "kind": "slack", "url": "https://r.example/x")";
  const std::vector<BadBody> cases = {
      {"{\"name\": ", 400, "invalid_json", "request body: not valid JSON at byte 10"},
      {"[1, 2]", 400, "invalid_json", "request body: expected a JSON object, got array"},
      {"{" + ok + R"(, "colour": "red"})", 400, "bad_request",
       "request body: unknown field \"colour\" (known: name, kind, tenant, url, ..."},
      {R"({"kind": "slack"})", 400, "bad_request", "name: required"},
      {R"({"name": 7, "kind": "slack"})", 400, "bad_request",
       "name: expected a string, got number"},
      {R"({"name": "a b", "kind": "slack"})", 400, "bad_request",
       "channel name \"a b\": expected 1 to 64 letters, digits, '.', '-' or '_'"},
      {R"({"name": "new"})", 400, "bad_request", "kind: required"},
      {R"({"name": "new", "kind": "sms"})", 400, "bad_request",
       "kind: unknown channel kind \"sms\" (expected webhook, slack, teams, email, pagerduty or "
       "alertmanager)"},
      {R"({"name": "new", "kind": "slack", "url": 7})", 400, "bad_request",
       "url: expected a string, got number"},
      {R"({"name": "new", "kind": "slack", "url": ""})", 400, "bad_request",
       "url: empty; leave it out or give the secret"},
      {R"({"name": "new", "kind": "slack", "url": "https://a\nb"})", 400, "bad_request",
       "url: holds more than one line"},
      {R"({"name": "new", "kind": "email", "to": "a@b.example"})", 400, "bad_request",
       "to: expected an array of strings, got string"},
      {R"({"name": "new", "kind": "email", "to": ["a@b.example", 1]})", 400, "bad_request",
       "to[1]: expected a string, got number"},
      {"{" + ok +
           R"(, "route": [])"
           "}",
       400, "bad_request", "route: expected an object, got array"},
      {"{" + ok + R"(, "route": {"severity": "high"}})", 400, "bad_request",
       "route: unknown field \"severity\" (known: tenants, types, min_severity, changes, "
       "group_wait, repeat_interval, digest, timezone)"},
      {"{" + ok + R"(, "route": {"changes": ["opend"]}})", 400, "bad_request",
       "route.changes: unknown change \"opend\" (expected one of ..."},
      {"{" + ok + R"(, "route": {"changes": []}})", 400, "bad_request",
       "route.changes: empty; the channel would send nothing ..."},
      {"{" + ok + R"(, "route": {"min_severity": "urgent"}})", 400, "bad_request",
       "route.min_severity: unknown severity \"urgent\" (expected low, medium, high or "
       "critical)"},
      {"{" + ok + R"(, "route": {"types": ["mfa.*", ""]}})", 400, "bad_request",
       "route.types: empty glob"},
      {"{" + ok + R"(, "route": {"types": "mfa.*"}})", 400, "bad_request",
       "route.types: expected an array of strings, got string"},
      {"{" + ok + R"(, "route": {"group_wait": 30000}})", 400, "bad_request",
       "route.group_wait: expected a string, got number"},
      {"{" + ok + R"(, "route": {"group_wait": "soon"}})", 400, "bad_request",
       "route.group_wait: \"soon\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)"},
      {"{" + ok + R"(, "route": {"digest": "weekly"}})", 400, "bad_request",
       "route.digest: \"weekly\" is not daily@HH:MM ..."},
      {"{" + ok + R"(, "route": {"digest": "daily@08:00", "timezone": "Mars/Olympus"}})", 400,
       "bad_request",
       "route.timezone: unknown time zone \"Mars/Olympus\" (expected an IANA name such as "
       "Europe/Berlin)"},
      {"{" + ok + R"(, "route": {"timezone": "UTC"}})", 400, "bad_request",
       "route.timezone: given without digest (it is the digest's zone)"},
      {"{" + ok + R"(, "route": {"tenants": ["nobody"]}})", 404, "not_found",
       "tenant \"nobody\" not found"},
      {"{" + ok + R"(, "give_up": "0"})", 400, "bad_request",
       "give_up: \"0\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)"},
      {"{" + ok + R"(, "max_retry_wait": "500ms"})", 400, "bad_request",
       "max_retry_wait: at least 1s"},
      {"{" + ok + R"(, "max_per_second": -1})", 400, "bad_request",
       "max_per_second: must be 0 (the kind's default) or above"},
      {"{" + ok + R"(, "max_per_second": "1"})", 400, "bad_request",
       "max_per_second: expected a number, got string"},
      {R"({"name": "ops", "kind": "slack", "url": "https://r.example/x"})", 409, "conflict",
       "channel \"ops\" exists"},
  };
  for (const BadBody& c : cases) {
    SCOPED_TRACE(c.body);
    ApiResponse r = f_.Call("POST", "/api/v1/channels", admin_, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(Body(r)["error"]["code"], c.code) << r.body;
    const std::string message = Message(r);
    if (c.message.size() > 3 && c.message.substr(c.message.size() - 3) == "...") {
      const std::string start = c.message.substr(0, c.message.size() - 3);
      EXPECT_EQ(message.substr(0, start.size()), start) << message;
    } else {
      EXPECT_EQ(message, c.message);
    }
    EXPECT_EQ(r.body.find("https://r.example/x"), std::string::npos) << "a secret in " << r.body;
  }
  EXPECT_EQ(check_->calls(), checks + 1) << "only the taken name got as far as the kind's checks";
  EXPECT_EQ(Channels(), 1);
  EXPECT_EQ(StoredSettings(f_.db(), "ops"), settings);
}

TEST_F(ChannelRoutesTest, TheKindsOwnChecksRunBeforeAnythingIsStored) {
  ApiResponse r = Post(admin_, {{"name", "pd"}, {"kind", "pagerduty"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Message(r), "fake check: pagerduty needs routing_key");
  r = Post(admin_, {{"name", "hook"}, {"kind", "webhook"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Message(r), "fake check: webhook needs url");
  r = Post(alpha_, {{"name", "mail"}, {"kind", "email"}, {"smtp_url", "smtp://m.example:25"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Message(r), "fake check: email needs from");
  EXPECT_EQ(check_->calls(), 3);
  EXPECT_EQ(Channels(), 0);
}

TEST_F(ChannelRoutesTest, OversizedAndDeepBodiesAreRefusedBeforeTheyAreRead) {
  ApiLimits limits = Unlimited();
  limits.max_body_bytes = 4096;
  ApiFixture small(limits, CheckHooks(check_));
  const std::string admin = small.AdminToken();
  json body = {
      {"name", "big"}, {"kind", "slack"}, {"url", "https://r.example/" + std::string(5000, 'a')}};
  ApiResponse r = small.Call("POST", "/api/v1/channels", admin, body.dump());
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(Body(r)["error"]["code"], "payload_too_large");
  std::string deep = R"({"name": "deep", "kind": "slack", "route": )";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  r = small.Call("POST", "/api/v1/channels", admin, deep);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Body(r)["error"]["code"], "json_too_deep");
  EXPECT_EQ(Count(small.db(), "SELECT COUNT(*) FROM channels"), 0);
  EXPECT_EQ(check_->calls(), 0);
}

TEST_F(ChannelRoutesTest, TheServerRefusesAnOversizedBodyBeforeReadingIt) {
  auto c = testing::RawHttpConnection::Connect(f_.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /api/v1/channels HTTP/1.1\r\nHost: vigil\r\nAuthorization: Bearer " +
                      admin_ +
                      "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n"));
  std::optional<testing::RawResponse> r = c->ReadResponse(5000);
  ASSERT_TRUE(r.has_value()) << "no answer before the body was sent";
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Json()["error"]["message"],
            "request body: Content-Length 2097152 is over the limit of 1048576 bytes");
  EXPECT_EQ(Channels(), 0);
  EXPECT_EQ(check_->calls(), 0);
}

TEST(ChannelRoutesSetupTest, WithoutTheKindsChecksOrASecretKeyNothingIsAdded) {
  ScopedEnv no_key(kSecretKeyEnv, std::nullopt);
  ScopedEnv no_key_file(kSecretKeyFileEnv, std::nullopt);
  const json body = {{"name", "ops"}, {"kind", "slack"}, {"url", kHookUrl}};
  {
    ApiFixture f(Unlimited());
    ApiResponse r = f.Call("POST", "/api/v1/channels", f.AdminToken(), body.dump());
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(Message(r), "adding channels is not configured");
    EXPECT_EQ(Count(f.db(), "SELECT COUNT(*) FROM channels"), 0);
  }
  auto check = std::make_shared<FakeChannelCheck>();
  ApiFixture f(Unlimited(), CheckHooks(check));
  ApiResponse r = f.Call("POST", "/api/v1/channels", f.AdminToken(), body.dump());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Message(r), LoadSecretKey().status().message());
  EXPECT_EQ(Count(f.db(), "SELECT COUNT(*) FROM channels"), 0);
  // With the key the server was given, the environment is not needed.
  const SecretKey key = SecretKey::Generate().value();
  ApiFixture keyed(Unlimited(), CheckHooks(check), &key);
  r = keyed.Call("POST", "/api/v1/channels", keyed.AdminToken(), body.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(LoadChannelSpec(keyed.db(), "ops", key).value().url, kHookUrl);
}

}  // namespace
}  // namespace vigil
