// The alert routes through Api::Handle: listing with filters and cursor
// pages, one alert with its history and action log, acknowledge and snooze
// with their reasons, and what a tenant token may see. (The list's console
// filters and CSV: alert_list_routes_test.cc; bulk actions:
// alert_bulk_routes_test.cc.)
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::ApiFixture;

using testing::Body;
using testing::Message;

// The "id"s of a list response's items.
std::vector<int64_t> Ids(const ApiResponse& r) {
  std::vector<int64_t> ids;
  const nlohmann::json body = Body(r);
  for (const nlohmann::json& item : body["items"]) ids.push_back(item["id"]);
  return ids;
}

// contoso: mfa users u0..u9 (u3, u6 high; u8, u9 resolved by a second run)
// and license sku1 (low); fabrikam: mfa users u0, u1.
class AlertRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso", "contoso-ops");
    fabrikam_token_ = f_.TenantToken("fabrikam", "fabrikam-ops");
    contoso_ = TenantId("contoso");
    fabrikam_ = TenantId("fabrikam");
    const std::string mfa(kMfaUserNotRegistered);
    std::vector<Finding> users;
    for (int i = 0; i < 10; ++i) {
      users.push_back(alerts_test::MakeFinding(
          mfa, "u" + std::to_string(i), i == 3 || i == 6 ? Severity::kHigh : Severity::kMedium));
    }
    const Finding sku =
        alerts_test::MakeFinding(std::string(kLicenseUnused), "sku1", Severity::kLow);
    Reconcile(alerts_test::MakeRun(
        contoso_, "c1", kAsOf,
        {alerts_test::Complete("mfa", users), alerts_test::Complete("license", {sku})}));
    Reconcile(alerts_test::MakeRun(
        fabrikam_, "f1", kAsOf,
        {alerts_test::Complete("mfa", std::vector<Finding>(users.begin(), users.begin() + 2))}));
    users.resize(8);
    Reconcile(
        alerts_test::MakeRun(contoso_, "c2", kAsOf + 1000, {alerts_test::Complete("mfa", users)}));
  }

  int64_t TenantId(const std::string& name) {
    Result<std::optional<TenantRow>> row = FindTenant(f_.db(), name);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->id : 0;
  }

  void Reconcile(const AnalysisRun& run) {
    AlertManager manager(f_.db(), f_.clock());
    Result<ReconcileSummary> summary = manager.Reconcile(run);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  // The id of alert (type, subject) of `tenant_id`.
  int64_t AlertId(int64_t tenant_id, const std::string& subject,
                  std::string_view type = kMfaUserNotRegistered) {
    Result<std::optional<int64_t>> id =
        f_.db()->QueryInt("SELECT id FROM alerts WHERE tenant_id = ? AND type = ? AND subject = ?",
                          {tenant_id, std::string(type), subject});
    EXPECT_TRUE(id.ok() && id->has_value()) << subject;
    return id.ok() && id->has_value() ? **id : 0;
  }

  std::string Path(int64_t alert_id, const std::string& rest = "") {
    return "/api/v1/alerts/" + std::to_string(alert_id) + rest;
  }

  static constexpr TimeMs kAsOf = alerts_test::kT0;
  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

TEST_F(AlertRoutesTest, ATenantTokenListsOnlyItsOwnOpenAlertsByDefault) {
  ApiResponse r = f_.Call("GET", "/api/v1/alerts", fabrikam_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), (std::vector<int64_t>{AlertId(fabrikam_, "u0"), AlertId(fabrikam_, "u1")}));
  EXPECT_TRUE(Body(r)["next_cursor"].is_null());
  const nlohmann::json first = Body(r)["items"][0];
  EXPECT_EQ(first["tenant"], "fabrikam");
  EXPECT_EQ(first["type"], "mfa.user_not_registered");
  EXPECT_EQ(first["subject"], "u0");
  EXPECT_EQ(first["subject_name"], "u0@contoso.example");
  EXPECT_EQ(first["state"], "open");
  EXPECT_EQ(first["first_seen"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(first["resolved_at"].is_null());
  EXPECT_TRUE(first["acknowledged"].is_null());
  EXPECT_TRUE(first["snoozed_until"].is_null());
  EXPECT_TRUE(first["details"].is_object());

  // ?tenant= naming its own tenant is the same list.
  EXPECT_EQ(f_.Call("GET", "/api/v1/alerts?tenant=fabrikam", fabrikam_token_).body, r.body);
  // An admin sees both tenants: 9 open of contoso, 2 of fabrikam.
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts", admin_)).size(), 11u);
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts?tenant=fabrikam", admin_)), Ids(r));
}

TEST_F(AlertRoutesTest, PagesAcrossThreePagesByCursorWithExactIds) {
  std::vector<int64_t> open;
  for (int i = 0; i < 8; ++i) open.push_back(AlertId(contoso_, "u" + std::to_string(i)));
  open.push_back(AlertId(contoso_, "sku1", kLicenseUnused));
  std::sort(open.begin(), open.end());

  ApiResponse page1 = f_.Call("GET", "/api/v1/alerts?limit=4", contoso_token_);
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_EQ(Ids(page1), std::vector<int64_t>(open.begin(), open.begin() + 4));
  const std::string cursor1 = Body(page1)["next_cursor"];
  ApiResponse page2 = f_.Call("GET", "/api/v1/alerts?limit=4&cursor=" + cursor1, contoso_token_);
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_EQ(Ids(page2), std::vector<int64_t>(open.begin() + 4, open.begin() + 8));
  const std::string cursor2 = Body(page2)["next_cursor"];
  ApiResponse page3 = f_.Call("GET", "/api/v1/alerts?limit=4&cursor=" + cursor2, contoso_token_);
  ASSERT_EQ(page3.status, 200) << page3.body;
  EXPECT_EQ(Ids(page3), std::vector<int64_t>{open[8]});
  EXPECT_TRUE(Body(page3)["next_cursor"].is_null());
  EXPECT_NE(cursor1, cursor2);
  EXPECT_EQ(cursor1.find(std::to_string(open[3])), std::string::npos) << "the cursor is opaque";
}

TEST_F(AlertRoutesTest, FiltersByTypeStateAndSeverity) {
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts?type=license.unused", contoso_token_)),
            std::vector<int64_t>{AlertId(contoso_, "sku1", kLicenseUnused)});
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts?state=resolved", contoso_token_)),
            (std::vector<int64_t>{AlertId(contoso_, "u8"), AlertId(contoso_, "u9")}));
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts?state=all", contoso_token_)).size(), 11u);
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/alerts?severity=high&type=mfa.user_not_registered",
                        contoso_token_)),
            (std::vector<int64_t>{AlertId(contoso_, "u3"), AlertId(contoso_, "u6")}));
  EXPECT_TRUE(Ids(f_.Call("GET", "/api/v1/alerts?severity=critical", admin_)).empty());
}

TEST_F(AlertRoutesTest, BadParametersAnswer400NamingTheParameterAndTheAcceptedValues) {
  struct Case {
    std::string query;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"state=closed", "state: \"closed\" is not an alert state (open, resolved, all)"},
      {"severity=urgent", "severity: \"urgent\" is not a severity (low, medium, high, critical)"},
      {"type=mfa",
       "type: \"mfa\" is not an alert type (mfa.user_not_registered, "
       "mfa.admin_not_registered, mfa.not_enforced, mfa.user_not_enforced, license.unused, "
       "license.overassigned, license.disabled_user, stale.user, stale.guest, "
       "privilege.global_admin_count, privilege.guest_admin, privilege.stale_admin, "
       "policy.legacy_auth_not_blocked)"},
      {"limit=0", "limit: \"0\" is not a page size from 1 to 1000"},
      {"cursor=12", "cursor: \"12\" is not a next_cursor of this listing"},
      // Well-formed base64url, but not one of ours ("tenants:5").
      {"cursor=dGVuYW50czo1", "cursor: \"dGVuYW50czo1\" is not a next_cursor of this listing"},
      {"cursor=", "cursor: \"\" is not a next_cursor of this listing"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("GET", "/api/v1/alerts?" + c.query, contoso_token_);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.query;
    EXPECT_EQ(Message(r), c.message) << c.query;
  }
}

TEST_F(AlertRoutesTest, AnotherTenantsAlertsAnswerExactlyAsMissingOnes) {
  ApiResponse other = f_.Call("GET", "/api/v1/alerts?tenant=fabrikam", contoso_token_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Message(other), "tenant \"fabrikam\" not found");
  EXPECT_EQ(Message(f_.Call("GET", "/api/v1/alerts?tenant=nowhere", contoso_token_)),
            "tenant \"nowhere\" not found");

  const int64_t theirs = AlertId(fabrikam_, "u0");
  const std::string missing = "987654";
  for (const auto& [method, rest, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "", ""},
           {"GET", "/history", ""},
           {"GET", "/actions", ""},
           {"POST", "/acknowledge", ""},
           {"POST", "/snooze", R"({"until":"2030-01-01T00:00:00Z"})"},
           {"DELETE", "/snooze", ""}}) {
    SCOPED_TRACE(method + " " + rest);
    ApiResponse r = f_.Call(method, Path(theirs, rest), contoso_token_, body);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Body(r)["error"]["code"], "not_found");
    EXPECT_EQ(Message(r), "alert " + std::to_string(theirs) + " not found");
    ApiResponse m = f_.Call(method, "/api/v1/alerts/" + missing + rest, contoso_token_, body);
    EXPECT_EQ(m.status, 404);
    EXPECT_EQ(Message(m), "alert " + missing + " not found");
    EXPECT_EQ(f_.Call(method, "/api/v1/alerts/abc" + rest, contoso_token_, body).status, 404);
  }
  EXPECT_EQ(f_.Call("GET", Path(theirs), fabrikam_token_).status, 200);
  EXPECT_EQ(f_.Call("GET", Path(theirs), admin_).status, 200);
  EXPECT_EQ(testing::Count(f_.db(),
                           "SELECT COUNT(*) FROM alerts WHERE acknowledged_at IS NOT NULL"
                           " OR snoozed_until IS NOT NULL"),
            0);
}

TEST_F(AlertRoutesTest, OneAlertCarriesItsHistory) {
  const int64_t id = AlertId(contoso_, "u9");
  ApiResponse r = f_.Call("GET", Path(id), contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json alert = Body(r);
  EXPECT_EQ(alert["id"], id);
  EXPECT_EQ(alert["state"], "resolved");
  EXPECT_EQ(alert["resolved_at"], "2026-01-01T00:00:01Z");
  ASSERT_EQ(alert["history"].size(), 2u);
  const nlohmann::json& resolved = alert["history"][1];
  EXPECT_EQ(resolved["transition"], "resolved");
  EXPECT_EQ(resolved["from_state"], "open");
  EXPECT_EQ(resolved["to_state"], "resolved");
  EXPECT_EQ(resolved["severity"], "medium");
  EXPECT_EQ(resolved["at"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(resolved["run_id"], "c2");
  EXPECT_EQ(resolved["trace_id"], "trace-c2");
  EXPECT_EQ(resolved["reason"], "finding no longer present in complete batch");
  EXPECT_TRUE(resolved["details"].is_object());
  EXPECT_TRUE(alert["history"][0]["from_state"].is_null());

  ApiResponse h = f_.Call("GET", Path(id, "/history"), contoso_token_);
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(Body(h)["items"], alert["history"]);
}

TEST_F(AlertRoutesTest, AcknowledgeRecordsTheFirstTokenAndTimeAndChangesNothingElse) {
  const int64_t id = AlertId(contoso_, "u1");
  const std::string before = alerts_test::DumpTables(f_.db());
  ApiResponse r = f_.Call("POST", Path(id, "/acknowledge"), contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["acknowledged"],
            (nlohmann::json{{"at", "2026-11-18T11:06:40Z"}, {"by", "contoso-ops"}}));
  EXPECT_EQ(Body(r)["state"], "open");

  f_.clock()->Advance(60 * 1000);
  const std::string second_token = f_.TenantToken("contoso", "second");
  ApiResponse again =
      f_.Call("POST", Path(id, "/acknowledge"), second_token, R"({"note": "seen it"})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["acknowledged"], Body(r)["acknowledged"]);
  // State, severity, details, history and tags are as they were.
  EXPECT_EQ(alerts_test::DumpTables(f_.db()), before);
  EXPECT_EQ(Body(f_.Call("GET", Path(id), contoso_token_))["history"].size(), 1u);

  ApiResponse unknown =
      f_.Call("POST", Path(id, "/acknowledge"), contoso_token_, R"({"note": "x", "color": "red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Message(unknown).rfind("request body: unknown field \"color\"", 0), 0u)
      << Message(unknown);
  ApiResponse typed = f_.Call("POST", Path(id, "/acknowledge"), contoso_token_, R"({"note": 5})");
  EXPECT_EQ(typed.status, 400);
  EXPECT_EQ(Message(typed), "note: expected a string, got number");
  EXPECT_EQ(Body(f_.Call("POST", Path(id, "/acknowledge"), contoso_token_, "[1]"))["error"]["code"],
            "invalid_json");
}

TEST_F(AlertRoutesTest, SnoozeSetsATimeInTheFutureAndUnsnoozeClearsIt) {
  const int64_t id = AlertId(contoso_, "u2");
  const std::string before = alerts_test::DumpTables(f_.db());
  ApiResponse r =
      f_.Call("POST", Path(id, "/snooze"), contoso_token_, R"({"until":"2026-12-01T08:00:00Z"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["snoozed_until"], "2026-12-01T08:00:00Z");
  EXPECT_EQ(Body(r)["state"], "open");
  EXPECT_EQ(Body(f_.Call("GET", Path(id), contoso_token_))["snoozed_until"],
            "2026-12-01T08:00:00Z");

  ApiResponse cleared = f_.Call("DELETE", Path(id, "/snooze"), contoso_token_);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(Body(cleared)["snoozed_until"].is_null());
  EXPECT_EQ(alerts_test::DumpTables(f_.db()), before);
}

TEST_F(AlertRoutesTest, SnoozeRefusesAMissingMalformedOrPastTime) {
  const int64_t id = AlertId(contoso_, "u2");
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "until: required"},
      {"{}", "until: required"},
      {R"({"until": 1800000000})", "until: expected a string, got number"},
      {R"({"until": "next week"})", "until: \"next week\" is not an ISO 8601 time"},
      {R"({"until": "2026-11-18T11:06:40Z"})",
       "until: \"2026-11-18T11:06:40Z\" is not in the future (now is 2026-11-18T11:06:40Z)"},
      {R"({"until": "2020-01-01"})",
       "until: \"2020-01-01\" is not in the future (now is 2026-11-18T11:06:40Z)"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("POST", Path(id, "/snooze"), contoso_token_, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.body;
    EXPECT_EQ(Message(r), c.message) << c.body;
  }
  ApiResponse extra = f_.Call("POST", Path(id, "/snooze"), contoso_token_,
                              R"({"until": "2030-01-01T00:00:00Z", "why": "holiday"})");
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(Message(extra), "request body: unknown field \"why\" (known: until, reason)");
  EXPECT_TRUE(Body(f_.Call("GET", Path(id), contoso_token_))["snoozed_until"].is_null());
}

// Each action is logged with who, when and why; the alert shows its log
// beside its history (oldest first), and /actions shows it alone. "note",
// the acknowledge route's older field, is stored as the reason.
TEST_F(AlertRoutesTest, ActionsAreLoggedWithTheirReasonBesideTheHistory) {
  const int64_t id = AlertId(contoso_, "u2");
  ASSERT_EQ(f_.Call("POST", Path(id, "/acknowledge"), contoso_token_, R"({"note": "seen it"})")
                .status,
            200);
  f_.clock()->Advance(60 * 1000);
  ASSERT_EQ(f_.Call("POST", Path(id, "/snooze"), contoso_token_,
                    R"({"until": "2026-12-01T08:00:00Z", "reason": "patch window"})")
                .status,
            200);
  ASSERT_EQ(f_.Call("DELETE", Path(id, "/snooze"), admin_).status, 200);
  ApiResponse r = f_.Call("GET", Path(id), contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json expected = nlohmann::json::parse(R"([
    {"action": "acknowledged", "at": "2026-11-18T11:06:40Z", "by": "contoso-ops",
     "until": null, "reason": "seen it"},
    {"action": "snoozed", "at": "2026-11-18T11:07:40Z", "by": "contoso-ops",
     "until": "2026-12-01T08:00:00Z", "reason": "patch window"},
    {"action": "unsnoozed", "at": "2026-11-18T11:07:40Z", "by": "admin",
     "until": null, "reason": ""}])");
  nlohmann::json actions = Body(r)["actions"];
  ASSERT_EQ(actions.size(), 3u) << r.body;
  EXPECT_LT(actions[0]["id"], actions[1]["id"]);
  for (nlohmann::json& a : actions) a.erase("id");
  EXPECT_EQ(actions, expected);
  EXPECT_EQ(Body(r)["history"].size(), 1u) << "actions are never history";
  ApiResponse log = f_.Call("GET", Path(id, "/actions"), contoso_token_);
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(Body(log)["items"], Body(r)["actions"]);
  EXPECT_EQ(Body(f_.Call("GET", Path(AlertId(contoso_, "u1"), "/actions"), contoso_token_)),
            nlohmann::json::parse(R"({"items": []})"));
}

TEST_F(AlertRoutesTest, AReasonIsAStringOfAtMost500CharactersGivenOnce) {
  const int64_t id = AlertId(contoso_, "u2");
  const std::string long_reason(501, 'x');
  struct Case {
    std::string method, rest, body, message;
  };
  const std::vector<Case> cases = {
      {"POST", "/acknowledge", R"({"reason": "a", "note": "b"})",
       "request body: give \"reason\" or \"note\" (its older name), not both"},
      {"POST", "/acknowledge", R"({"reason": 5})", "reason: expected a string, got number"},
      {"POST", "/acknowledge", "{\"reason\": \"" + long_reason + "\"}",
       "reason: 501 characters; at most 500 are accepted"},
      {"POST", "/snooze", "{\"until\": \"2030-01-01T00:00:00Z\", \"reason\": \"" + long_reason +
                               "\"}",
       "reason: 501 characters; at most 500 are accepted"},
      {"DELETE", "/snooze", R"({"reason": ["x"]})", "reason: expected a string, got array"},
      {"DELETE", "/snooze", R"({"until": "2030-01-01T00:00:00Z"})",
       "request body: unknown field \"until\" (known: reason)"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call(c.method, Path(id, c.rest), contoso_token_, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Message(r), c.message) << c.body;
  }
  // 500 characters of several bytes each are 500 characters.
  std::string accented;
  for (int i = 0; i < 500; ++i) accented += "\xC3\xA9";  // é
  ApiResponse ok = f_.Call("POST", Path(id, "/acknowledge"), contoso_token_,
                           nlohmann::json{{"reason", accented}}.dump());
  EXPECT_EQ(ok.status, 200) << ok.body;
  const nlohmann::json log = Body(f_.Call("GET", Path(id, "/actions"), contoso_token_))["items"];
  ASSERT_EQ(log.size(), 1u) << "only the accepted request is logged";
  EXPECT_EQ(log[0]["reason"], accented);
}

}  // namespace
}  // namespace vigil
