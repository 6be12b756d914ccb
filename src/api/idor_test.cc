// The IDOR sweep: every token route of the API, called with tenant A's token
// on tenant B's objects -- in the path, the query and the body -- answers
// 404, exactly as it answers for an object that does not exist, and changes
// nothing of B's. The same requests with B's token succeed, which proves the
// sweep reaches real objects. A route whose path names a parameter this test
// does not know fails the test, so no new route escapes the sweep. A route
// that answers with a stream (live events) is read up to its first step.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "alerts/alert_test_support.h"
#include "context/exclusions.h"
#include "notify/channel_store.h"
#include "notify/notification_store.h"
#include "queue/sync_trigger.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fake_channel_check.h"
#include "testing/fake_http_client.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::Unlimited;

using testing::ApiFixture;
using testing::Count;

constexpr const char* kTenantA = "alpha";
constexpr const char* kTenantB = "bravo";

// The objects of one tenant the sweep substitutes into routes.
struct Objects {
  int64_t tenant_id = 0;
  std::string tenant;
  std::string source_id;
  std::string alert_id;
  std::string job_id;
  std::string trace_id;
  std::string channel;  // a webhook channel the tenant owns, with one notification
  std::string exclusion_id;
};

// Ids that exist for nobody: what "not found" looks like for each param.
Objects Ghost() {
  return {0,
          "ghost-tenant",
          "987654321",
          "987654322",
          "987654323",
          "deadbeefdeadbeefdeadbeefdeadbeef",
          "ghost-channel",
          "987654324"};
}

// A Graph that refuses every client: a data source's connection check runs
// and reports its credentials failed (200), as it would for a wrong secret.
// New channels pass the fake kind checks.
ApiHooks RefusingGraphHooks() {
  auto http = std::make_shared<testing::FakeHttpClient>();
  http->Script("https://", {HttpResponse{401, {}, R"({"error":"invalid_client"})"}});
  ApiHooks hooks;
  hooks.graph_http = http;
  hooks.check_channel =
      testing::FakeChannelCheck::Hook(std::make_shared<testing::FakeChannelCheck>());
  return hooks;
}

std::string NewKeyText() { return SecretKey::Generate().value().ToKeyFileText(); }

class IdorTest : public ::testing::Test {
 protected:
  IdorTest()
      : key_env_(kSecretKeyEnv, NewKeyText()),
        no_key_file_(kSecretKeyFileEnv, std::nullopt),
        f_(Unlimited(), RefusingGraphHooks()) {}

  void SetUp() override {
    token_a_ = f_.TenantToken(kTenantA, "a");
    token_b_ = f_.TenantToken(kTenantB, "b");
    a_ = Seed(kTenantA);
    b_ = Seed(kTenantB);
  }

  // A data source, two open alerts (with history), a queued sync job and
  // its trace, and a webhook channel it owns with a notification of the
  // first alert, for tenant `name` (which TenantToken created).
  Objects Seed(const std::string& name) {
    Db* db = f_.db();
    const TimeMs now = f_.clock()->NowMs();
    Objects o;
    o.tenant = name;
    Result<TenantRow> tenant = EnsureTenant(db, name, now);
    EXPECT_TRUE(tenant.ok()) << tenant.status().ToString();
    o.tenant_id = tenant->id;
    // microsoft365, so the owner's connection check runs (and fails at the
    // credentials); its secret sealed as `source add` seals it.
    const std::string sealed = Seal(LoadSecretKey().value(), "not-a-real-secret");
    Result<DataSourceRow> source = EnsureDataSource(
        db, o.tenant_id, name + "-m365", "microsoft365",
        nlohmann::json{{"tenant_id", name + ".example"},
                       {"client_id", "00000000-0000-0000-0000-000000000002"},
                       {"client_secret", sealed}}
            .dump(),
        now);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    o.source_id = std::to_string(source->id);

    AlertManager manager(db, f_.clock());
    Result<ReconcileSummary> reconciled = manager.Reconcile(alerts_test::MakeRun(
        o.tenant_id, "run-" + name, now,
        {alerts_test::Complete("mfa", {alerts_test::MakeFinding("mfa.user_not_registered",
                                                                name + "-user-1"),
                                       alerts_test::MakeFinding("mfa.user_not_registered",
                                                                name + "-user-2")})}));
    EXPECT_TRUE(reconciled.ok()) << reconciled.status().ToString();
    EXPECT_EQ(reconciled->opened, 2);
    o.alert_id = std::to_string(reconciled->changes.at(0).alert_id);

    TriggerOptions trigger;
    trigger.by = "api";
    Result<TriggeredSync> sync =
        TriggerSync(db, f_.queue(), *f_.clock(), o.tenant_id, source->id, trigger);
    EXPECT_TRUE(sync.ok()) << sync.status().ToString();
    o.job_id = sync->job_id;
    o.trace_id = sync->trace_id;

    ChannelSpec channel;
    channel.name = name + "-hook";
    channel.kind = std::string(kChannelWebhook);
    channel.tenant_id = o.tenant_id;
    channel.url = "https://receiver.example/" + name;
    channel.signing_secret = "not-a-real-signing-secret";
    Result<int64_t> channel_id = AddChannel(db, channel, LoadSecretKey().value(), now);
    EXPECT_TRUE(channel_id.ok()) << channel_id.status().ToString();
    o.channel = channel.name;
    NewNotification n;
    n.channel_id = *channel_id;
    n.tenant_id = o.tenant_id;
    n.alert_id = reconciled->changes.at(0).alert_id;
    n.change = "opened";
    n.key = name + "-notification-1";
    n.state = std::string(kNotificationPending);
    n.at = now;
    n.trace_id = o.trace_id;
    n.due_at = now;
    Status stored = InsertNotifications(db, {n});
    EXPECT_TRUE(stored.ok()) << stored.ToString();

    ExclusionInput exclusion;
    exclusion.kind = "user";
    exclusion.value = name + "-break-glass@example.com";
    exclusion.reason = "break-glass account";
    exclusion.added_by = "seed";
    Result<Exclusion> excluded =
        AddExclusion(db, o.tenant_id, exclusion, now, [](std::string_view) -> std::string_view {
          return "user";
        });
    EXPECT_TRUE(excluded.ok()) << excluded.status().ToString();
    o.exclusion_id = std::to_string(excluded->id);
    return o;
  }

  // `route`'s path with its params replaced by `o`'s objects; fails the
  // test on a param this sweep does not know.
  static std::string Substitute(const ApiRoute& route, const Objects& o) {
    const std::map<std::string, std::string> values = {
        {"tenant", o.tenant}, {"source_id", o.source_id}, {"alert_id", o.alert_id},
        {"job_id", o.job_id}, {"trace_id", o.trace_id},   {"channel", o.channel},
        {"exclusion_id", o.exclusion_id},
        {"type", "mfa"}};  // an analysis type (admin-only rollout routes): no tenant's object
    std::string path;
    size_t i = 0;
    while (i < route.pattern.size()) {
      if (route.pattern[i] != '{') {
        path += route.pattern[i++];
        continue;
      }
      const size_t close = route.pattern.find('}', i);
      const std::string name = route.pattern.substr(i + 1, close - i - 1);
      auto it = values.find(name);
      if (it == values.end()) {
        ADD_FAILURE() << route.method << " " << route.pattern << ": the IDOR sweep does not know "
                      << "the parameter {" << name << "}; teach it which object to substitute";
        path += "unknown";
      } else {
        path += it->second;
      }
      i = close + 1;
    }
    return path;
  }

  static bool HasParams(const ApiRoute& route) {
    return route.pattern.find('{') != std::string::npos;
  }

  // The request the sweep makes of `route` on `o`'s objects: the path, plus
  // ?tenant= (GET) or a body naming the tenant (POST/PUT) on routes
  // without params; a valid body for the routes that need one.
  struct Request {
    std::string path;
    std::string body;
  };
  static Request MakeRequest(const ApiRoute& route, const Objects& o) {
    Request r{Substitute(route, o), ""};
    nlohmann::json body = nlohmann::json::object();
    if (route.pattern == "/api/v1/alerts/{alert_id}/snooze" && route.method == "POST") {
      body["until"] = "2030-01-01T00:00:00Z";
      body["reason"] = "looked at it";
    } else if (route.pattern == "/api/v1/alerts/{alert_id}/acknowledge") {
      body["note"] = "looked at it";
    } else if (route.pattern == "/api/v1/tenants/{tenant}/preferences" && route.method == "PUT") {
      body["stale_days"] = 60;
    } else if (route.pattern == "/api/v1/tenants/{tenant}/exclusions" &&
               route.method == "POST") {
      body["kind"] = "user";
      body["value"] = o.tenant + "-added@example.com";
      body["reason"] = "service account";
    } else if (route.pattern == "/api/v1/sources/{source_id}/sync") {
      body["force"] = false;
    } else if (route.pattern == "/api/v1/alerts/bulk") {
      // The tenant's objects are the ids: the body names no tenant.
      body["ids"] = {std::stoll(o.alert_id)};
      body["action"] = "snooze";
      body["until"] = "2030-01-01T00:00:00Z";
      body["reason"] = "looked at it";
      r.body = body.dump();
      return r;
    }
    if (!HasParams(route)) {
      if (route.method == "GET") {
        r.path += "?tenant=" + o.tenant;
      } else {
        body["tenant"] = o.tenant;
        if (route.pattern == "/api/v1/sources") {
          // microsoft365: a tenant token may not add graph_json (a server directory).
          body["provider"] = "microsoft365";
          body["name"] = o.tenant + "-added";
          body["tenant_id"] = "00000000-0000-0000-0000-000000000001";
          body["client_id"] = "00000000-0000-0000-0000-000000000002";
          body["client_secret"] = "not-a-real-secret";
        }
        if (route.pattern == "/api/v1/tenants") body["name"] = o.tenant;
        if (route.pattern == "/api/v1/channels") {
          // Owned by the tenant ("tenant" above) and routing it.
          body["name"] = o.tenant + "-added";
          body["kind"] = "webhook";
          body["url"] = "https://receiver.example/" + o.tenant + "/added";
          body["route"] = {{"tenants", {o.tenant}}};
        }
      }
    }
    if (route.method != "GET" && route.method != "DELETE") r.body = body.dump();
    return r;
  }

  std::vector<const ApiRoute*> TokenRoutes() {
    std::vector<const ApiRoute*> routes;
    for (const ApiRoute& route : f_.api()->router().routes()) {
      if (route.auth != RouteAuth::kPublic) routes.push_back(&route);
    }
    return routes;
  }

  // What of B's could a write change: one line of counts.
  std::string StateOfB() {
    const std::string t = std::to_string(b_.tenant_id);
    Db* db = f_.db();
    return std::to_string(Count(db, "SELECT COUNT(*) FROM data_sources WHERE tenant_id = " + t)) +
           " sources, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM alerts WHERE tenant_id = " + t +
                                        " AND acknowledged_at IS NOT NULL")) +
           " acknowledged, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM alerts WHERE tenant_id = " + t +
                                        " AND snoozed_until IS NOT NULL")) +
           " snoozed, " +
           std::to_string(
               Count(db, "SELECT COUNT(*) FROM tenant_preferences WHERE tenant_id = " + t)) +
           " preferences, " + std::to_string(Count(db, "SELECT COUNT(*) FROM jobs")) + " jobs, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM channels WHERE tenant_id = " + t)) +
           " channels, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM channels WHERE name LIKE '%-added'")) +
           " channels added, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM notifications WHERE tenant_id = " + t)) +
           " notifications, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM exclusions WHERE tenant_id = " + t)) +
           " exclusions, " +
           std::to_string(Count(db, "SELECT COUNT(*) FROM alert_actions WHERE tenant_id = " + t)) +
           " actions";
  }

  testing::ScopedEnv key_env_;
  testing::ScopedEnv no_key_file_;
  ApiFixture f_;
  std::string token_a_, token_b_;
  Objects a_, b_;
};

// The body as JSON (discarded, i.e. not an object, when it is not JSON).
nlohmann::json Json(const ApiResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
}

// Replaces every `from` in `text` by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Routes about no tenant's objects: the same answer for every token, and
// nothing of another tenant in it.
bool AboutNoTenant(const ApiRoute& route) {
  return route.pattern == "/api/v1/session" || route.pattern == "/api/v1/alert-types";
}

TEST_F(IdorTest, TenantATokenGets404OnEveryRouteForTenantBsObjects) {
  const std::vector<const ApiRoute*> routes = TokenRoutes();
  ASSERT_GE(routes.size(), 15u) << "the route table is not complete yet";
  const std::string before = StateOfB();
  const Objects ghost = Ghost();
  for (const ApiRoute* route : routes) {
    SCOPED_TRACE(route->method + " " + route->pattern);
    const Request request = MakeRequest(*route, b_);
    ApiResponse r = f_.Call(route->method, request.path, token_a_, request.body);
    if (route->auth == RouteAuth::kAdmin) {  // a tenant token may use none of them
      EXPECT_EQ(r.status, 403) << r.body;
      continue;
    }
    if (AboutNoTenant(*route)) {
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find(b_.tenant), std::string::npos) << r.body;
      continue;
    }
    if (route->method == "GET" && route->pattern == "/api/v1/tenants") {
      ASSERT_EQ(r.status, 200) << r.body;
      std::vector<std::string> names;
      const nlohmann::json tenants = Json(r);
      for (const auto& t : tenants["items"]) names.push_back(t.value("name", ""));
      EXPECT_EQ(names, std::vector<std::string>{kTenantA}) << r.body;
      continue;
    }
    EXPECT_EQ(r.status, 404) << request.path << " " << request.body << " -> " << r.body;
    EXPECT_EQ(Json(r)["error"]["code"], "not_found") << r.body;

    // Not yours and not there are indistinguishable.
    const Request missing = MakeRequest(*route, ghost);
    ApiResponse m = f_.Call(route->method, missing.path, token_a_, missing.body);
    std::string expected = m.body;
    expected = ReplaceAll(expected, ghost.tenant, b_.tenant);
    expected = ReplaceAll(expected, ghost.source_id, b_.source_id);
    expected = ReplaceAll(expected, ghost.alert_id, b_.alert_id);
    expected = ReplaceAll(expected, ghost.job_id, b_.job_id);
    expected = ReplaceAll(expected, ghost.trace_id, b_.trace_id);
    expected = ReplaceAll(expected, ghost.channel, b_.channel);
    expected = ReplaceAll(expected, ghost.exclusion_id, b_.exclusion_id);
    EXPECT_EQ(m.status, r.status) << m.body;
    EXPECT_EQ(r.body, expected) << "B's object answers unlike a missing one";
  }
  EXPECT_EQ(StateOfB(), before) << "tenant A's token changed tenant B's data";
}

TEST_F(IdorTest, TheSameRequestsWithTenantBsTokenReachRealObjects) {
  const std::vector<const ApiRoute*> routes = TokenRoutes();
  ASSERT_GE(routes.size(), 15u) << "the route table is not complete yet";
  for (const ApiRoute* route : routes) {
    SCOPED_TRACE(route->method + " " + route->pattern);
    const Request request = MakeRequest(*route, b_);
    ApiResponse r = f_.Call(route->method, request.path, token_b_, request.body);
    if (route->auth == RouteAuth::kAdmin) {
      EXPECT_EQ(r.status, 403) << r.body;
      continue;
    }
    EXPECT_NE(r.status, 404) << request.path << " " << request.body << " -> " << r.body;
    EXPECT_GE(r.status, 200) << r.body;
    EXPECT_LT(r.status, 300) << request.path << " " << request.body << " -> " << r.body;
  }
  // The writes took effect on B's own objects.
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM alerts WHERE id = " + b_.alert_id +
                               " AND acknowledged_at IS NOT NULL"),
            1);
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM alert_actions WHERE alert_id = " + b_.alert_id +
                               " AND action = 'snoozed' AND reason = 'looked at it'"),
            2)
      << "POST /api/v1/alerts/{alert_id}/snooze and POST /api/v1/alerts/bulk";
  EXPECT_EQ(Count(f_.db(),
                  "SELECT COUNT(*) FROM channels WHERE name = 'bravo-added' AND "
                  "tenant_id = " +
                      std::to_string(b_.tenant_id)),
            1);
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM channels WHERE name = '" + b_.channel + "'"), 0)
      << "DELETE /api/v1/channels/{channel} did not remove B's own channel";
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM exclusions WHERE id = " + b_.exclusion_id), 0)
      << "DELETE /api/v1/tenants/{tenant}/exclusions/{exclusion_id} did not remove B's own";
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM exclusions WHERE value = 'bravo-added@example.com'"
                           " AND tenant_id = " + std::to_string(b_.tenant_id)),
            1);
}

TEST_F(IdorTest, ListsWithoutATenantShowOnlyTheCallersOwnObjects) {
  for (const ApiRoute* route : TokenRoutes()) {
    if (route->method != "GET" || HasParams(*route) || route->auth == RouteAuth::kAdmin) continue;
    if (AboutNoTenant(*route)) continue;
    SCOPED_TRACE(route->pattern);
    ApiResponse r = f_.Call("GET", route->pattern, token_a_);
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.stream) {
      // A stream (of events) from its first event on, read as far as it
      // goes now: its head and one step, never until it ends.
      r = f_.Call("GET", route->pattern + "?last_event_id=0", token_a_);
      ASSERT_EQ(r.status, 200) << r.body;
      ASSERT_NE(r.stream, nullptr);
      const std::string text = r.body + r.stream->Next(f_.db()).text;
      for (const std::string& leak : {b_.tenant, b_.trace_id, "\"tenant_id\":" +
                                                                  std::to_string(b_.tenant_id)}) {
        EXPECT_EQ(text.find(leak), std::string::npos) << "streams " << leak << ": " << text;
      }
      EXPECT_NE(text.find("\"tenant\":\"" + a_.tenant + "\""), std::string::npos)
          << "A's own events missing: " << text;
      continue;
    }
    // B's name is in its data source and alert subjects; its trace id is unique.
    for (const std::string& leak : {b_.tenant, b_.trace_id}) {
      EXPECT_EQ(r.body.find(leak), std::string::npos) << "lists " << leak << ": " << r.body;
    }
    if (route->pattern == "/api/v1/queue") {  // counts, not a list: A's one job, not B's
      EXPECT_EQ(Json(r)["counts"]["waiting"], 1) << r.body;
      continue;
    }
    // The overview's rows are its "tenants".
    const nlohmann::json items =
        Json(r)[route->pattern == "/api/v1/overview" ? "tenants" : "items"];
    EXPECT_FALSE(items.empty()) << "A's own objects missing: " << r.body;
    for (const nlohmann::json& item : items) {
      if (item.contains("tenant_id")) {
        EXPECT_NE(item["tenant_id"], b_.tenant_id) << item;
      }
      if (route->pattern == "/api/v1/jobs") {
        EXPECT_NE(item.value("id", ""), b_.job_id) << item;
      }
    }
  }
}

}  // namespace
}  // namespace vigil
