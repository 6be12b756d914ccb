// /api/v1/tenants and a tenant's preferences as an API client sees them:
// what an admin and a tenant token see, the counts per tenant, creating
// tenants, and preferences checked before anything is stored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "common/time.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::Body;
using testing::Message;

using testing::ApiFixture;
using testing::Count;

void AddAlert(Db* db, int64_t tenant_id, const std::string& subject, const std::string& severity,
              const std::string& state) {
  Status s = db->Execute(
      "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name, severity,"
      " state, details, details_digest, first_seen, last_seen, updated_at, last_trace_id)"
      " VALUES (?, 'mfa', 'mfa.user_not_registered', ?, ?, ?, ?, '{}', 'd', 1, 1, 1, 't')",
      {tenant_id, subject, subject, severity, state});
  ASSERT_TRUE(s.ok()) << s.ToString();
}

class TenantRoutesTest : public ::testing::Test {
 protected:
  TenantRoutesTest() : f_(Limits()) {}

  static ApiLimits Limits() {
    ApiLimits limits;
    limits.rate_per_second = 0;
    return limits;
  }

  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso");    // tenant 1
    fabrikam_token_ = f_.TenantToken("fabrikam");  // tenant 2
    contoso_ = FindTenant(f_.db(), "contoso").value()->id;
    fabrikam_ = FindTenant(f_.db(), "fabrikam").value()->id;
  }

  // The stored preference rows of a tenant.
  int64_t StoredPreferences(int64_t tenant_id) {
    return Count(f_.db(), "SELECT COUNT(*) FROM tenant_preferences WHERE tenant_id = " +
                              std::to_string(tenant_id));
  }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
  int64_t contoso_ = 0, fabrikam_ = 0;
};

TEST_F(TenantRoutesTest, AdminListsEveryTenantWithItsSourcesAndOpenAlerts) {
  for (const char* name : {"graph", "m365"}) {
    ASSERT_TRUE(EnsureDataSource(f_.db(), contoso_, name, "graph_json", "{}", 1).ok());
  }
  AddAlert(f_.db(), contoso_, "u1", "critical", "open");
  AddAlert(f_.db(), contoso_, "u2", "critical", "open");
  AddAlert(f_.db(), contoso_, "u3", "low", "open");
  AddAlert(f_.db(), contoso_, "u4", "high", "resolved");
  AddAlert(f_.db(), fabrikam_, "u1", "medium", "open");

  ApiResponse r = f_.Call("GET", "/api/v1/tenants", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string created = FormatIso8601(f_.clock()->NowMs());
  EXPECT_EQ(Body(r), nlohmann::json::parse(R"({"items": [
      {"id": 1, "name": "contoso", "created_at": ")" +
                                           created + R"(", "data_sources": 2,
       "open_alerts": {"total": 3, "critical": 2, "high": 0, "medium": 0, "low": 1}},
      {"id": 2, "name": "fabrikam", "created_at": ")" +
                                           created + R"(", "data_sources": 0,
       "open_alerts": {"total": 1, "critical": 0, "high": 0, "medium": 1, "low": 0}}]})"));

  // One tenant answers with the same object.
  ApiResponse one = f_.Call("GET", "/api/v1/tenants/contoso", admin_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one), Body(r)["items"][0]);
}

TEST_F(TenantRoutesTest, ATenantTokenSeesOnlyItsOwnTenant) {
  ApiResponse r = f_.Call("GET", "/api/v1/tenants", contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Body(r)["items"].size(), 1u);
  EXPECT_EQ(Body(r)["items"][0]["name"], "contoso");

  EXPECT_EQ(f_.Call("GET", "/api/v1/tenants/contoso", contoso_token_).status, 200);
  for (const char* path : {"/api/v1/tenants/fabrikam", "/api/v1/tenants/fabrikam/preferences"}) {
    ApiResponse other = f_.Call("GET", path, contoso_token_);
    EXPECT_EQ(other.status, 404) << path;
    EXPECT_EQ(Body(other)["error"]["code"], "not_found");
    EXPECT_EQ(Message(other), "tenant \"fabrikam\" not found");
  }
  // A tenant that does not exist, or a name that is not valid, answers alike.
  EXPECT_EQ(Message(f_.Call("GET", "/api/v1/tenants/nobody", admin_)),
            "tenant \"nobody\" not found");
  EXPECT_EQ(Message(f_.Call("GET", "/api/v1/tenants/bad!name", admin_)),
            "tenant \"bad!name\" not found");
}

TEST_F(TenantRoutesTest, AnAdminCreatesATenantOnce) {
  ApiResponse created = f_.Call("POST", "/api/v1/tenants", admin_, R"({"name": "northwind"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created)["name"], "northwind");
  EXPECT_EQ(Body(created)["id"], 3);
  EXPECT_EQ(Body(created)["data_sources"], 0);
  ApiResponse again = f_.Call("POST", "/api/v1/tenants", admin_, R"({"name": "northwind"})");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again), Body(created));
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM tenants"), 3);

  ApiResponse tenant = f_.Call("POST", "/api/v1/tenants", contoso_token_, R"({"name": "x"})");
  EXPECT_EQ(tenant.status, 403);
  EXPECT_EQ(Message(tenant), "POST /api/v1/tenants needs an admin token");
}

TEST_F(TenantRoutesTest, CreatingATenantNamesWhatIsWrongWithTheBody) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"name": "bad name!"})",
       "tenant name \"bad name!\" must be 1 to 128 letters, digits, '.', '-' or '_'"},
      {R"({"name": "ok", "colour": "red"})",
       "request body: unknown field \"colour\" (known: name)"},
      {R"({"name": "ok", "a": 1, "b": 2})",
       "request body: unknown fields \"a\", \"b\" (known: name)"},
      {R"({})", "name: required"},
      {R"({"name": 7})", "name: expected a string, got number"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("POST", "/api/v1/tenants", admin_, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.body;
    EXPECT_EQ(Message(r), c.message) << c.body;
  }
  EXPECT_EQ(Body(f_.Call("POST", "/api/v1/tenants", admin_, "[1]"))["error"]["code"],
            "invalid_json");
  EXPECT_EQ(Count(f_.db(), "SELECT COUNT(*) FROM tenants"), 2);
}

TEST_F(TenantRoutesTest, PreferencesShowEveryEffectiveValueWithItsType) {
  ApiResponse r = f_.Call("GET", "/api/v1/tenants/contoso/preferences", contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), nlohmann::json::parse(R"({"stale_days": 90, "min_global_admins": 2,
      "max_global_admins": 4, "max_sync_age_hours": 72, "flap_threshold": 4,
      "flap_window": "6h", "disabled_alert_types": [], "severity_overrides": {}})"));
}

TEST_F(TenantRoutesTest, SeverityOverridesAreAnObjectOfAlertTypeToSeverity) {
  ApiResponse r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_,
                          R"({"severity_overrides": {"stale.user": "high",
                                                     "mfa.user_not_registered": "low"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["severity_overrides"],
            nlohmann::json::parse(R"({"mfa.user_not_registered": "low", "stale.user": "high"})"));
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/tenants/contoso/preferences", admin_))["severity_overrides"],
            Body(r)["severity_overrides"]);
  // An empty object takes every override away.
  r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", admin_, R"({"severity_overrides": {}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["severity_overrides"], nlohmann::json::object());
}

// Values that are each valid but impossible together, with what is stored.
TEST_F(TenantRoutesTest, ImpossibleThresholdsAnswer400NamingBothKeys) {
  ApiResponse r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_,
                          R"({"stale_days": 30, "min_global_admins": 5})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Body(r)["error"]["code"], "bad_request");
  EXPECT_EQ(Message(r), "min_global_admins (5) is greater than max_global_admins (4)");
  EXPECT_EQ(StoredPreferences(contoso_), 0);
  ASSERT_EQ(f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_,
                    R"({"max_global_admins": 8, "min_global_admins": 5})")
                .status,
            200);
  r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_,
              R"({"max_global_admins": 3})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "min_global_admins (5) is greater than max_global_admins (3)");
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/tenants/contoso/preferences", admin_))["max_global_admins"],
            8);
}

TEST_F(TenantRoutesTest, APartialUpdateChangesOnlyItsKeysAndAnswersTheNewPreferences) {
  ApiResponse r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_,
                          R"({"stale_days": 60,
                              "disabled_alert_types": ["stale.user", "license.unused"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json expected = nlohmann::json::parse(R"({"stale_days": 60,
      "min_global_admins": 2, "max_global_admins": 4, "max_sync_age_hours": 72,
      "flap_threshold": 4, "flap_window": "6h",
      "disabled_alert_types": ["license.unused", "stale.user"], "severity_overrides": {}})");
  EXPECT_EQ(Body(r), expected);
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/tenants/contoso/preferences", admin_)), expected);
  EXPECT_EQ(StoredPreferences(contoso_), 2);

  // Another partial update keeps the first; an empty list turns every type on.
  r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", admin_,
              R"({"max_global_admins": 6, "disabled_alert_types": []})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["stale_days"], 60);
  EXPECT_EQ(Body(r)["max_global_admins"], 6);
  EXPECT_EQ(Body(r)["disabled_alert_types"], nlohmann::json::array());
  EXPECT_EQ(StoredPreferences(fabrikam_), 0);

  // The flap window is a duration, given as text.
  r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", admin_,
              R"({"flap_threshold": 0, "flap_window": "90m"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["flap_threshold"], 0);
  EXPECT_EQ(Body(r)["flap_window"], "90m");
}

TEST_F(TenantRoutesTest, AnyBadPreferenceRefusesTheWholeUpdate) {
  ASSERT_EQ(
      f_.Call("PUT", "/api/v1/tenants/contoso/preferences", admin_, R"({"stale_days": 60})").status,
      200);
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"stale_days": 30, "colour": "red"})",
       "unknown preference \"colour\" (known: stale_days, min_global_admins, max_global_admins, "
       "max_sync_age_hours, flap_threshold, flap_window, disabled_alert_types, "
       "severity_overrides)"},
      {R"({"flap_window": 6})",
       "preference flap_window: expected a duration such as \"6h\", got 6"},
      {R"({"flap_window": "6 hours"})",
       "preference flap_window: \"6 hours\" is not a duration (e.g. 90m, 6h, 1d)"},
      {R"({"stale_days": "30"})", "preference stale_days: expected a whole number, got \"30\""},
      {R"({"stale_days": 2.5})", "preference stale_days: expected a whole number, got 2.5"},
      {R"({"stale_days": 0})", "preference stale_days: \"0\" is not a whole number from 1 to 3650"},
      {R"({"min_global_admins": -1, "stale_days": 30})",
       "preference min_global_admins: \"-1\" is not a whole number from 0 to 1000"},
      {R"({"stale_days": 30, "disabled_alert_types": ["stale.user", "mfa.nope"]})",
       "disabled_alert_types: unknown alert type \"mfa.nope\""},
      {R"({"disabled_alert_types": "stale.user"})",
       "preference disabled_alert_types: expected an array of alert type names, got "
       "\"stale.user\""},
      {R"({"disabled_alert_types": ["stale.user,stale.guest"]})",
       "preference disabled_alert_types: expected an array of alert type names, got "
       "[\"stale.user,stale.guest\"]"},
      {R"({"disabled_alert_types": [1]})",
       "preference disabled_alert_types: expected an array of alert type names, got [1]"},
      {R"({"severity_overrides": {"stale.user": "urgent"}})",
       "preference severity_overrides: unknown severity \"urgent\" for stale.user (known: low, "
       "medium, high, critical)"},
      {R"({"severity_overrides": {"mfa.nope": "high"}})",
       "severity_overrides: unknown alert type \"mfa.nope\""},
      {R"({"severity_overrides": "stale.user=high"})",
       "preference severity_overrides: expected an object of alert type to severity, got "
       "\"stale.user=high\""},
      {R"({"severity_overrides": {"stale.user": 3}})",
       "preference severity_overrides: expected an object of alert type to severity, got "
       "{\"stale.user\":3}"},
      {R"({"severity_overrides": {"stale.user=low,x": "high"}})",
       "preference severity_overrides: expected an object of alert type to severity, got "
       "{\"stale.user=low,x\":\"high\"}"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("PUT", "/api/v1/tenants/contoso/preferences", contoso_token_, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.body;
    EXPECT_EQ(Message(r), c.message) << c.body;
  }
  ApiResponse now = f_.Call("GET", "/api/v1/tenants/contoso/preferences", admin_);
  EXPECT_EQ(Body(now)["stale_days"], 60);
  EXPECT_EQ(Body(now)["disabled_alert_types"], nlohmann::json::array());
  EXPECT_EQ(StoredPreferences(contoso_), 1);
}

TEST_F(TenantRoutesTest, ATenantTokenCannotChangeAnotherTenantsPreferences) {
  ApiResponse r = f_.Call("PUT", "/api/v1/tenants/fabrikam/preferences", contoso_token_,
                          R"({"stale_days": 60})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "tenant \"fabrikam\" not found");
  EXPECT_EQ(StoredPreferences(fabrikam_), 0);
  EXPECT_EQ(f_.Call("PUT", "/api/v1/tenants/fabrikam/preferences", fabrikam_token_,
                    R"({"stale_days": 60})")
                .status,
            200);
  EXPECT_EQ(StoredPreferences(fabrikam_), 1);
}

}  // namespace
}  // namespace vigil
