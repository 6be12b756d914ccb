// GET /api/v1/notifications through the Api: the delivery log as `vigil
// notifications --json` shows it, newest first, paged by id with
// next_before, filtered by tenant, channel, alert and state, and scoped to
// the caller: a tenant token sees its tenant's notifications only, and a
// channel it does not own answers as a missing one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "common/time.h"
#include "notify/channel_store.h"
#include "notify/notification_store.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Body;
using testing::Count;
using testing::Message;
using testing::Unlimited;

class NotificationRoutesTest : public ::testing::Test {
 protected:
  NotificationRoutesTest() : key_(SecretKey::Generate().value()), f_(Unlimited()) {}

  void SetUp() override {
    admin_ = f_.AdminToken();
    alpha_token_ = f_.TenantToken("alpha", "a");
    bravo_token_ = f_.TenantToken("bravo", "b");
    alpha_ = TenantId("alpha");
    bravo_ = TenantId("bravo");
    a1_ = OpenAlert(alpha_, "alpha-user-1");
    a2_ = OpenAlert(alpha_, "alpha-user-2");
    b1_ = OpenAlert(bravo_, "bravo-user-1");
    const int64_t msp = AddHook("msp", std::nullopt);
    const int64_t alpha_hook = AddHook("alpha-hook", alpha_);
    const int64_t bravo_hook = AddHook("bravo-hook", bravo_);
    // Ids 1 to 6, in this order.
    Store(msp, alpha_, a1_, "opened", "pending");
    Store(alpha_hook, alpha_, a1_, "opened", "pending");
    Store(msp, bravo_, b1_, "opened", "pending");
    Store(bravo_hook, bravo_, b1_, "opened", "pending");
    Store(alpha_hook, alpha_, a2_, "opened", "pending");
    Store(msp, alpha_, a2_, "resolved", "suppressed");
    // #2 was sent, #4 given up on.
    Exec(
        "INSERT INTO deliveries (channel_id, group_key, tenant_id, at, attempt, notifications,"
        " alert_ids, outcome, status, response, error, duration_ms, worker) VALUES (" +
        std::to_string(alpha_hook) + ", 'g-2', " + std::to_string(alpha_) + ", " +
        std::to_string(kSentAt) + ", 1, 1, '[]', 'sent', 202, 'accepted', '', 12, 'w')");
    Exec("UPDATE notifications SET state = 'sent', attempts = 1, sent_at = " +
         std::to_string(kSentAt) + ", group_key = 'g-2', delivery_id = " +
         std::to_string(f_.db()->LastInsertId()) + " WHERE id = 2");
    Exec(
        "UPDATE notifications SET state = 'failed', attempts = 3,"
        " reason = 'the receiver answered 410' WHERE id = 4");
  }

  int64_t TenantId(const std::string& name) {
    return Count(f_.db(), "SELECT id FROM tenants WHERE name = '" + name + "'");
  }

  int64_t OpenAlert(int64_t tenant, const std::string& subject) {
    AlertManager manager(f_.db(), f_.clock());
    Result<ReconcileSummary> done = manager.Reconcile(alerts_test::MakeRun(
        tenant, "run-" + subject, f_.clock()->NowMs(),
        {alerts_test::Complete("mfa",
                               {alerts_test::MakeFinding("mfa.user_not_registered", subject)})}));
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    return Count(f_.db(), "SELECT id FROM alerts WHERE subject = '" + subject + "'");
  }

  int64_t AddHook(const std::string& name, std::optional<int64_t> owner) {
    ChannelSpec spec;
    spec.name = name;
    spec.kind = std::string(kChannelWebhook);
    spec.tenant_id = owner;
    spec.url = "https://receiver.example/" + name;
    spec.signing_secret = "s";
    Result<int64_t> id = AddChannel(f_.db(), spec, key_, f_.clock()->NowMs());
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  void Store(int64_t channel, int64_t tenant, int64_t alert, const std::string& change,
             const std::string& state) {
    NewNotification n;
    n.channel_id = channel;
    n.tenant_id = tenant;
    n.alert_id = alert;
    n.change = change;
    n.key = "key-" + std::to_string(++stored_);
    n.state = state;
    if (state == kNotificationSuppressed) n.reason = "snoozed";
    n.at = f_.clock()->NowMs();
    n.trace_id = "trace";
    n.due_at = n.at;
    Status s = InsertNotifications(f_.db(), {n});
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  void Exec(const std::string& sql) {
    Status s = f_.db()->Execute(sql);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  }

  // The ids of a 200 answer's items, in order.
  std::vector<int64_t> Ids(const std::string& query, const std::string& token) {
    ApiResponse r = f_.Call("GET", "/api/v1/notifications" + query, token);
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    if (r.status != 200) return {};
    const json body = Body(r);
    std::vector<int64_t> ids;
    for (const json& item : body["items"]) ids.push_back(item["id"].get<int64_t>());
    return ids;
  }

  static constexpr TimeMs kSentAt = 1795000060000;

  SecretKey key_;
  ApiFixture f_;
  std::string admin_, alpha_token_, bravo_token_;
  int64_t alpha_ = 0, bravo_ = 0, a1_ = 0, a2_ = 0, b1_ = 0;
  int stored_ = 0;
};

using IdList = std::vector<int64_t>;

TEST_F(NotificationRoutesTest, AnAdminSeesTheWholeLogNewestFirstAsTheCliShowsIt) {
  ApiResponse r = f_.Call("GET", "/api/v1/notifications", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = Body(r);
  ASSERT_EQ(body["items"].size(), 6u) << r.body;
  EXPECT_TRUE(body["next_before"].is_null());
  EXPECT_EQ(Ids("", admin_), (IdList{6, 5, 4, 3, 2, 1}));
  const json sent = body["items"][4];
  EXPECT_EQ(sent["id"], 2);
  EXPECT_EQ(sent["key"], "key-2");
  EXPECT_EQ(sent["channel"], "alpha-hook");
  EXPECT_EQ(sent["tenant"], "alpha");
  EXPECT_EQ(sent["alert_id"], a1_);
  EXPECT_EQ(sent["alert_type"], "mfa.user_not_registered");
  EXPECT_EQ(sent["subject_name"], "alpha-user-1@contoso.example");
  EXPECT_EQ(sent["change"], "opened");
  EXPECT_EQ(sent["at"], FormatIso8601(f_.clock()->NowMs()));
  EXPECT_EQ(sent["state"], "sent");
  EXPECT_EQ(sent["attempts"], 1);
  EXPECT_EQ(sent["sent_at"], FormatIso8601(kSentAt));
  EXPECT_EQ(sent["group_key"], "g-2");
  EXPECT_EQ(sent["last_attempt"], json({{"at", FormatIso8601(kSentAt)},
                                        {"status", 202},
                                        {"response", "accepted"},
                                        {"error", ""}}));
  const json failed = body["items"][2];
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_EQ(failed["reason"], "the receiver answered 410");
  EXPECT_TRUE(failed["last_attempt"].is_null());
  EXPECT_TRUE(failed["sent_at"].is_null());
  EXPECT_EQ(body["items"][0]["reason"], "snoozed");
}

TEST_F(NotificationRoutesTest, PagesFollowNextBeforeToTheLastOne) {
  ApiResponse r = f_.Call("GET", "/api/v1/notifications?limit=4", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["next_before"], 3);
  EXPECT_EQ(Ids("?limit=4", admin_), (IdList{6, 5, 4, 3}));
  EXPECT_EQ(Ids("?limit=4&before=3", admin_), (IdList{2, 1}));
  // A page that ends exactly at the last notification has no next one.
  r = f_.Call("GET", "/api/v1/notifications?limit=2&before=3", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["items"].size(), 2u);
  EXPECT_TRUE(Body(r)["next_before"].is_null()) << r.body;
  // Paging a tenant's view stays in it.
  r = f_.Call("GET", "/api/v1/notifications?limit=1", alpha_token_);
  EXPECT_EQ(Body(r)["next_before"], 6);
  EXPECT_EQ(Ids("?limit=2&before=6", alpha_token_), (IdList{5, 2}));
  EXPECT_EQ(Ids("?before=2", alpha_token_), (IdList{1}));
}

TEST_F(NotificationRoutesTest, FiltersNarrowTheLog) {
  EXPECT_EQ(Ids("?state=pending", admin_), (IdList{5, 3, 1}));
  EXPECT_EQ(Ids("?state=failed", admin_), (IdList{4}));
  EXPECT_EQ(Ids("?state=suppressed", admin_), (IdList{6}));
  EXPECT_EQ(Ids("?alert=" + std::to_string(a1_), admin_), (IdList{2, 1}));
  EXPECT_EQ(Ids("?tenant=bravo", admin_), (IdList{4, 3}));
  EXPECT_EQ(Ids("?channel=msp", admin_), (IdList{6, 3, 1}));
  EXPECT_EQ(Ids("?channel=msp&tenant=alpha&state=pending", admin_), (IdList{1}));
}

TEST_F(NotificationRoutesTest, ATenantTokenSeesOnlyItsTenantsNotifications) {
  // Its own channel's, and the MSP-wide channel's for its tenant.
  EXPECT_EQ(Ids("", alpha_token_), (IdList{6, 5, 2, 1}));
  EXPECT_EQ(Ids("", bravo_token_), (IdList{4, 3}));
  EXPECT_EQ(Ids("?channel=alpha-hook", alpha_token_), (IdList{5, 2}));
  EXPECT_EQ(Ids("?tenant=alpha&state=pending", alpha_token_), (IdList{5, 1}));
  // Another tenant's alert matches nothing (it is not told apart from a missing one).
  EXPECT_EQ(Ids("?alert=" + std::to_string(b1_), alpha_token_), IdList{});
  EXPECT_EQ(Ids("?alert=987654", alpha_token_), IdList{});
  ApiResponse all = f_.Call("GET", "/api/v1/notifications", alpha_token_);
  EXPECT_EQ(all.body.find("bravo"), std::string::npos) << all.body;

  // A channel it does not own, another tenant, and missing ones look alike.
  for (const std::string channel : {"msp", "bravo-hook", "ghost-hook", "bad!name"}) {
    ApiResponse r = f_.Call("GET", "/api/v1/notifications?channel=" + channel, alpha_token_);
    EXPECT_EQ(r.status, 404) << channel << " " << r.body;
    EXPECT_EQ(Message(r), "channel \"" + channel + "\" not found");
  }
  for (const std::string tenant : {"bravo", "ghost-tenant"}) {
    ApiResponse r = f_.Call("GET", "/api/v1/notifications?tenant=" + tenant, alpha_token_);
    EXPECT_EQ(r.status, 404) << tenant << " " << r.body;
    EXPECT_EQ(Message(r), "tenant \"" + tenant + "\" not found");
  }
}

TEST_F(NotificationRoutesTest, BadParametersAre400NamingTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"?state=done",
       "state: \"done\" is not a notification state (pending, sent, failed, suppressed)"},
      {"?limit=0", "limit: \"0\" is not a page size from 1 to 1000"},
      {"?limit=1001", "limit: \"1001\" is not a page size from 1 to 1000"},
      {"?limit=ten", "limit: \"ten\" is not a page size from 1 to 1000"},
      {"?before=0", "before: \"0\" is not a notification id (next_before)"},
      {"?before=abc", "before: \"abc\" is not a notification id (next_before)"},
      {"?alert=-3", "alert: \"-3\" is not an alert id"},
  };
  for (const auto& [query, message] : cases) {
    ApiResponse r = f_.Call("GET", "/api/v1/notifications" + query, admin_);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << query;
    EXPECT_EQ(Message(r), message) << query;
  }
  ApiResponse r = f_.Call("GET", "/api/v1/notifications?channel=nope", admin_);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Message(r), "channel \"nope\" not found");
}

}  // namespace
}  // namespace vigil
