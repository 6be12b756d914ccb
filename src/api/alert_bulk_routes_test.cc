// POST /api/v1/alerts/bulk through Api::Handle: one action on many alerts,
// answered in the order of the ids; all or nothing when an id is missing or
// another tenant's; a 400 naming the field for every malformed body; each
// alert's action logged with the reason, never in its history.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

// contoso: mfa users u0..u4 open; fabrikam: u0 open.
class AlertBulkRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso", "contoso-ops");
    f_.TenantToken("fabrikam", "fabrikam-ops");
    std::vector<Finding> users;
    for (int i = 0; i < 5; ++i) {
      users.push_back(
          alerts_test::MakeFinding(std::string(kMfaUserNotRegistered), "u" + std::to_string(i)));
    }
    for (const std::string tenant : {"contoso", "fabrikam"}) {
      Result<std::optional<TenantRow>> row = FindTenant(f_.db(), tenant);
      ASSERT_TRUE(row.ok() && row->has_value());
      AlertManager manager(f_.db(), f_.clock());
      Result<ReconcileSummary> r = manager.Reconcile(alerts_test::MakeRun(
          (*row)->id, "run-" + tenant, alerts_test::kT0,
          {alerts_test::Complete("mfa",
                                 tenant == "contoso" ? users : std::vector<Finding>{users[0]})}));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const AlertChange& c : r->changes) ids_[tenant].push_back(c.alert_id);
    }
  }

  ApiResponse Bulk(const nlohmann::json& body, const std::string& token = "") {
    return f_.Call("POST", "/api/v1/alerts/bulk", token.empty() ? contoso_token_ : token,
                   body.dump());
  }

  // What a bulk action may change: the operator's columns and the log.
  std::string Operated() {
    return std::to_string(testing::Count(f_.db(), "SELECT COUNT(*) FROM alert_actions")) + " " +
           std::to_string(testing::Count(f_.db(),
                                         "SELECT COUNT(*) FROM alerts WHERE snoozed_until IS NOT "
                                         "NULL OR acknowledged_at IS NOT NULL"));
  }

  ApiFixture f_;
  std::string admin_, contoso_token_;
  std::map<std::string, std::vector<int64_t>> ids_;
};

TEST_F(AlertBulkRoutesTest, SnoozesEveryAlertAndAnswersThemInTheOrderOfIds) {
  const std::vector<int64_t>& c = ids_["contoso"];
  const std::string history_before = alerts_test::DumpTables(f_.db());
  ApiResponse r = Bulk({{"ids", {c[3], c[0], c[2]}},
                        {"action", "snooze"},
                        {"until", "2026-12-01T00:00:00Z"},
                        {"reason", "onboarding"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json items = Body(r)["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0]["id"], c[3]);
  EXPECT_EQ(items[1]["id"], c[0]);
  EXPECT_EQ(items[2]["id"], c[2]);
  for (const nlohmann::json& alert : items) {
    EXPECT_EQ(alert["snoozed_until"], "2026-12-01T00:00:00Z");
    EXPECT_EQ(alert["state"], "open");
    // The same JSON as the single routes answer.
    const std::string path = "/api/v1/alerts/" + std::to_string(alert["id"].get<int64_t>());
    nlohmann::json single = Body(f_.Call("GET", path, contoso_token_));
    single.erase("history");
    single.erase("actions");
    EXPECT_EQ(alert, single);
    const nlohmann::json log = Body(f_.Call("GET", path + "/actions", contoso_token_))["items"];
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["action"], "snoozed");
    EXPECT_EQ(log[0]["by"], "contoso-ops");
    EXPECT_EQ(log[0]["until"], "2026-12-01T00:00:00Z");
    EXPECT_EQ(log[0]["reason"], "onboarding");
  }
  EXPECT_EQ(alerts_test::DumpTables(f_.db()), history_before) << "never history";
  // The list agrees.
  ApiResponse snoozed = f_.Call("GET", "/api/v1/alerts?snoozed=true", contoso_token_);
  EXPECT_EQ(Body(snoozed)["items"].size(), 3u);

  ApiResponse acked = Bulk({{"ids", {c[1]}}, {"action", "acknowledge"}});
  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(Body(acked)["items"][0]["acknowledged"]["by"], "contoso-ops");
  ApiResponse unsnoozed = Bulk({{"ids", {c[0], c[3]}}, {"action", "unsnooze"}, {"reason", "back"}});
  ASSERT_EQ(unsnoozed.status, 200) << unsnoozed.body;
  EXPECT_TRUE(Body(unsnoozed)["items"][1]["snoozed_until"].is_null());
}

// All or nothing: one id that does not exist or is another tenant's, and
// nothing changes; the 404 names every such id, in the order given.
TEST_F(AlertBulkRoutesTest, AMissingOrForeignIdIsNamedAndNothingChanges) {
  const std::vector<int64_t>& c = ids_["contoso"];
  const int64_t theirs = ids_["fabrikam"][0];
  const std::string before = Operated();
  ApiResponse r = Bulk({{"ids", {c[0], 987654, theirs, c[1]}}, {"action", "acknowledge"}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Body(r)["error"]["code"], "not_found");
  EXPECT_EQ(Message(r), "alerts not found: 987654, " + std::to_string(theirs));
  EXPECT_EQ(Operated(), before);
  // An admin sees both tenants' alerts.
  EXPECT_EQ(Bulk({{"ids", {c[0], theirs}}, {"action", "acknowledge"}}, admin_).status, 200);
}

TEST_F(AlertBulkRoutesTest, AMalformedBodyAnswers400NamingTheFieldAndChangesNothing) {
  const int64_t id = ids_["contoso"][0];
  std::vector<int64_t> many;
  for (int64_t i = 1; i <= 1001; ++i) many.push_back(i);
  struct Case {
    nlohmann::json body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {nlohmann::json::object(), "ids: required"},
      {{{"ids", "1,2"}, {"action", "acknowledge"}},
       "ids: expected an array of alert ids, got string"},
      {{{"ids", nlohmann::json::array()}, {"action", "acknowledge"}},
       "ids: expected 1 to 1000 alert ids, got 0"},
      {{{"ids", many}, {"action", "acknowledge"}}, "ids: expected 1 to 1000 alert ids, got 1001"},
      {{{"ids", {id, "2"}}, {"action", "acknowledge"}},
       "ids[1]: expected an alert id (a positive integer), got string"},
      {{{"ids", {id, 1.5}}, {"action", "acknowledge"}},
       "ids[1]: expected an alert id (a positive integer), got number"},
      {{{"ids", {-3}}, {"action", "acknowledge"}},
       "ids[0]: expected an alert id (a positive integer), got -3"},
      {{{"ids", {id, id}}, {"action", "acknowledge"}},
       "ids[1]: " + std::to_string(id) + " is given twice"},
      {{{"ids", {id}}}, "action: required"},
      {{{"ids", {id}}, {"action", "delete"}},
       "action: \"delete\" is not an action (acknowledge, snooze, unsnooze)"},
      {{{"ids", {id}}, {"action", "snooze"}}, "until: required"},
      {{{"ids", {id}}, {"action", "snooze"}, {"until", "2020-01-01T00:00:00Z"}},
       "until: \"2020-01-01T00:00:00Z\" is not in the future (now is 2026-11-18T11:06:40Z)"},
      {{{"ids", {id}}, {"action", "snooze"}, {"until", "soon"}},
       "until: \"soon\" is not an ISO 8601 time"},
      {{{"ids", {id}}, {"action", "unsnooze"}, {"until", "2030-01-01T00:00:00Z"}},
       "until: only for the action snooze, not unsnooze"},
      {{{"ids", {id}}, {"action", "acknowledge"}, {"reason", std::string(501, 'r')}},
       "reason: 501 characters; at most 500 are accepted"},
      {{{"ids", {id}}, {"action", "acknowledge"}, {"reason", 7}},
       "reason: expected a string, got number"},
      {{{"ids", {id}}, {"action", "acknowledge"}, {"tenant", "contoso"}},
       "request body: unknown field \"tenant\" (known: ids, action, until, reason)"},
  };
  const std::string before = Operated();
  for (const Case& c : cases) {
    ApiResponse r = Bulk(c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump().substr(0, 200);
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.body.dump().substr(0, 200);
    EXPECT_EQ(Message(r), c.message) << c.body.dump().substr(0, 200);
  }
  EXPECT_EQ(Body(f_.Call("POST", "/api/v1/alerts/bulk", contoso_token_, "[1]"))["error"]["code"],
            "invalid_json");
  EXPECT_EQ(Operated(), before);
  // 1,000 ids are accepted (all missing but one here: a 404, not a 400).
  std::vector<int64_t> thousand_ids = {id};
  for (int64_t i = 1; i < 1000; ++i) thousand_ids.push_back(1000000 + i);
  ApiResponse thousand = Bulk({{"ids", thousand_ids}, {"action", "acknowledge"}});
  EXPECT_EQ(thousand.status, 404) << thousand.body.substr(0, 200);
  EXPECT_EQ(Message(thousand).rfind("alerts not found: 1000001, 1000002, ", 0), 0u);
}

}  // namespace
}  // namespace vigil
