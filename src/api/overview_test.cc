// GET /api/v1/overview through Api::Handle, and LoadOverview's statements:
// every tenant the token may see, worst first, with counts equal to what
// the alert list shows, its data sources' health, its last sync and
// analysis and a 30-day trend -- read in a fixed number of statements,
// whatever the number of tenants.
#include "api/overview.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "common/time.h"
#include "context/preferences.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"
#include "testing/recording_db.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;
using testing::Message;

constexpr TimeMs kHour = 3600 * 1000;

// alpha: 1 critical, 2 high (one flapping), 1 medium (snoozed); bravo: 3
// high; charlie: 1 critical, 1 low; delta: nothing open (one resolved).
// alpha's sources: m365 synced an hour ago, sign-in activity unavailable;
// files failed. bravo's: one synced 100 hours ago (stale at the default 72
// hours); charlie's: the same, but charlie keeps data for 200 hours (ok);
// delta's: never synced.
class OverviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    now_ = f_.clock()->NowMs();
    const std::string mfa(kMfaUserNotRegistered);
    alpha_ = Tenant("alpha");
    Run(alpha_, "a1", now_ - 3 * alerts_test::kDay,
        {F(mfa, "u1", Severity::kCritical), F(mfa, "u2", Severity::kHigh)});
    Run(alpha_, "a2", now_ - 2 * kHour,
        {F(mfa, "u1", Severity::kCritical), F(mfa, "u2", Severity::kHigh),
         F(mfa, "u3", Severity::kHigh), F(mfa, "u4", Severity::kMedium)});
    bravo_ = Tenant("bravo");
    Run(bravo_, "b1", now_ - kHour,
        {F(mfa, "u1", Severity::kHigh), F(mfa, "u2", Severity::kHigh),
         F(mfa, "u3", Severity::kHigh)});
    charlie_ = Tenant("charlie");
    Run(charlie_, "c1", now_ - kHour,
        {F(mfa, "u1", Severity::kCritical), F(mfa, "u2", Severity::kLow)});
    delta_ = Tenant("delta");
    Run(delta_, "d1", now_ - 40 * alerts_test::kDay, {F(mfa, "u1", Severity::kHigh)});
    Run(delta_, "d2", now_ - 10 * alerts_test::kDay, {});
    Exec("UPDATE alerts SET flapping = 1 WHERE tenant_id = ? AND subject = 'u3'", {alpha_});
    Exec("UPDATE alerts SET snoozed_until = ? WHERE tenant_id = ? AND subject = 'u4'",
         {now_ + kHour, alpha_});
    Exec("UPDATE alerts SET snoozed_until = ? WHERE tenant_id = ? AND subject = 'u1'",
         {now_ - kHour, bravo_});  // ended

    const int64_t m365 = Source(alpha_, "alpha-m365", now_ - kHour, "succeeded", "");
    Exec(
        "INSERT INTO data_availability (data_source_id, kind, available, reason, updated_at)"
        " VALUES (?, 'signin', 0, 'sign-in activity needs Entra ID P1', ?),"
        " (?, 'user', 1, '', ?)",
        {m365, now_, m365, now_});
    Source(alpha_, "alpha-files", now_ - 2 * kHour, "failed", "users.json: no such file");
    Source(bravo_, "bravo-m365", now_ - 100 * kHour, "succeeded", "");
    Source(charlie_, "charlie-m365", now_ - 100 * kHour, "succeeded", "");
    ASSERT_TRUE(
        UpdatePreferences(f_.db(), charlie_, {{"max_sync_age_hours", "200"}}, [](std::string_view) {
          return true;
        }).ok());
    Source(delta_, "delta-m365", std::nullopt, "", "");
  }

  static Finding F(const std::string& type, const std::string& subject, Severity severity) {
    return alerts_test::MakeFinding(type, subject, severity);
  }

  int64_t Tenant(const std::string& name) {
    Result<TenantRow> t = EnsureTenant(f_.db(), name, now_);
    EXPECT_TRUE(t.ok());
    return t.ok() ? t->id : 0;
  }

  void Run(int64_t tenant, const std::string& id, TimeMs as_of, std::vector<Finding> findings) {
    AlertManager manager(f_.db(), f_.clock());
    Result<ReconcileSummary> r = manager.Reconcile(
        alerts_test::MakeRun(tenant, id, as_of, {alerts_test::Complete("mfa", findings)}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Exec(const std::string& sql, const std::vector<DbValue>& params) {
    Status s = f_.db()->Execute(sql, params);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  int64_t Source(int64_t tenant, const std::string& name, std::optional<TimeMs> synced,
                 const std::string& status, const std::string& error) {
    Result<DataSourceRow> row = EnsureDataSource(f_.db(), tenant, name, "graph_json", "{}", now_);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok()) return 0;
    if (synced) {
      Exec(
          "UPDATE data_sources SET last_sync_at = ?, last_sync_status = ?, last_sync_error = ?"
          " WHERE id = ?",
          {*synced, status, error.empty() ? DbValue() : DbValue(error), row->id});
    }
    return row->id;
  }

  nlohmann::json Overview(const std::string& token, const std::string& query = "") {
    ApiResponse r = f_.Call("GET", "/api/v1/overview" + query, token);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return Body(r);
  }

  // How many alerts GET /api/v1/alerts lists for `query`, every page followed.
  size_t Listed(const std::string& query) {
    size_t n = 0;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      const nlohmann::json body =
          Body(f_.Call("GET", "/api/v1/alerts?limit=2&" + query + cursor, admin_));
      n += body["items"].size();
      if (body["next_cursor"].is_null()) break;
      cursor = "&cursor=" + body["next_cursor"].get<std::string>();
    }
    return n;
  }

  ApiFixture f_;
  std::string admin_;
  TimeMs now_ = 0;
  int64_t alpha_ = 0, bravo_ = 0, charlie_ = 0, delta_ = 0;
};

TEST_F(OverviewTest, EveryTenantWorstFirstWithItsCountsSourcesAndTrend) {
  const nlohmann::json body = Overview(admin_);
  EXPECT_EQ(body["generated_at"], FormatIso8601(now_));
  std::vector<std::string> order;
  for (const nlohmann::json& row : body["tenants"]) order.push_back(row["tenant"]);
  // Two criticals first (alpha: more high than charlie), then bravo's three
  // highs, then delta with nothing open.
  EXPECT_EQ(order, (std::vector<std::string>{"alpha", "charlie", "bravo", "delta"}));

  nlohmann::json alpha = body["tenants"][0];
  ASSERT_EQ(alpha["trend"].size(), 30u);
  nlohmann::json trend = alpha["trend"];
  alpha.erase("trend");
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "tenant": "alpha",
    "open": {"critical": 1, "high": 2, "medium": 1, "low": 0, "total": 4},
    "flapping": 1, "snoozed": 1,
    "last_sync_at": ")" + FormatIso8601(now_ - kHour) + R"(",
    "last_analysis_at": ")" + FormatIso8601(now_) + R"(",
    "sources": [
      {"id": 1, "name": "alpha-m365", "provider": "graph_json", "status": "ok",
       "last_sync_at": ")" + FormatIso8601(now_ - kHour) +
                                                        R"(", "error": null,
       "unavailable": [{"kind": "signin", "reason": "sign-in activity needs Entra ID P1"}]},
      {"id": 2, "name": "alpha-files", "provider": "graph_json", "status": "failed",
       "last_sync_at": ")" + FormatIso8601(now_ - 2 * kHour) +
                                                        R"(",
       "error": "users.json: no such file", "unavailable": []}]})");
  EXPECT_EQ(alpha, expected);
  // 2 open three days ago, 4 since today's run (2 hours ago, the same UTC
  // day as now or the day before: the last two entries hold it).
  EXPECT_EQ(trend[29], (nlohmann::json{{"day", UtcDay(now_)}, {"open", 4}}));
  EXPECT_EQ(trend[26],
            (nlohmann::json{{"day", UtcDay(now_ - 3 * alerts_test::kDay)}, {"open", 2}}));
  EXPECT_EQ(trend[0]["open"], 0);
  EXPECT_EQ(trend[0]["day"], UtcDay(now_ - 29 * alerts_test::kDay));

  // delta resolved its alert ten days ago: 1 until then (from before the
  // window), 0 since; its source never synced.
  const nlohmann::json delta = body["tenants"][3];
  EXPECT_EQ(delta["trend"][0]["open"], 1);
  EXPECT_EQ(delta["trend"][19]["open"], 0);
  EXPECT_EQ(delta["trend"][18]["open"], 1);
  EXPECT_EQ(delta["sources"][0]["status"], "never");
  EXPECT_TRUE(delta["sources"][0]["last_sync_at"].is_null());
  EXPECT_TRUE(delta["last_sync_at"].is_null());
  EXPECT_EQ(delta["open"]["total"], 0);
  // Stale at the default 72 hours; charlie keeps data for 200.
  EXPECT_EQ(body["tenants"][2]["sources"][0]["status"], "stale");
  EXPECT_EQ(body["tenants"][1]["sources"][0]["status"], "ok");
  EXPECT_EQ(body["tenants"][2]["snoozed"], 0) << "bravo's snooze has ended";
  EXPECT_FALSE(body["tenants"][0].contains("display_name"));
}

// The overview's numbers are the alert list's: what a console shows in the
// table is what the technician finds behind it.
TEST_F(OverviewTest, CountsEqualWhatTheAlertListShows) {
  const nlohmann::json overview = Overview(admin_);  // the loop must not outlive it
  for (const nlohmann::json& row : overview["tenants"]) {
    const std::string tenant = "tenant=" + row["tenant"].get<std::string>();
    SCOPED_TRACE(tenant);
    for (const char* severity : {"critical", "high", "medium", "low"}) {
      EXPECT_EQ(row["open"][severity], Listed(tenant + "&severity=" + severity)) << severity;
    }
    EXPECT_EQ(row["open"]["total"], Listed(tenant));
    EXPECT_EQ(row["flapping"], Listed(tenant + "&flapping=true"));
    EXPECT_EQ(row["snoozed"], Listed(tenant + "&snoozed=true"));
  }
}

TEST_F(OverviewTest, ATenantTokenSeesItsOwnRowAndNoOtherTenantAtAll) {
  const std::string bravo = f_.TenantToken("bravo", "bravo-ops");
  const nlohmann::json own = Overview(bravo);
  ASSERT_EQ(own["tenants"].size(), 1u);
  EXPECT_EQ(own["tenants"][0]["tenant"], "bravo");
  EXPECT_EQ(own["tenants"][0]["open"]["high"], 3);
  const std::string text = own.dump();
  for (const char* other : {"alpha", "charlie", "delta"}) {
    EXPECT_EQ(text.find(other), std::string::npos) << other;
  }
  EXPECT_EQ(Overview(bravo, "?tenant=bravo"), own);
  ApiResponse theirs = f_.Call("GET", "/api/v1/overview?tenant=alpha", bravo);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(Message(theirs), "tenant \"alpha\" not found");
  EXPECT_EQ(Message(f_.Call("GET", "/api/v1/overview?tenant=nowhere", bravo)),
            "tenant \"nowhere\" not found");
  // An admin may narrow it to one tenant.
  const nlohmann::json one = Overview(admin_, "?tenant=charlie");
  ASSERT_EQ(one["tenants"].size(), 1u);
  EXPECT_EQ(one["tenants"][0]["tenant"], "charlie");
}

// The overview of 4 tenants and of 40 costs the same statements, among them
// ONE aggregate of the open alerts of every tenant.
TEST_F(OverviewTest, TheStatementsAreAFixedFewWhateverTheNumberOfTenants) {
  auto record = [&](int64_t tenant_id) {
    testing::RecordingDb recording(f_.db());
    Result<vigil::Overview> overview = LoadOverview(&recording, tenant_id, now_);
    EXPECT_TRUE(overview.ok()) << overview.status().ToString();
    std::vector<std::string> sql;
    for (const testing::RecordedStatement& s : recording.recorded()) sql.push_back(s.sql);
    return sql;
  };
  const std::vector<std::string> four = record(0);
  EXPECT_EQ(four.size(), static_cast<size_t>(kOverviewStatements));
  for (int i = 0; i < 36; ++i) {
    const int64_t t = Tenant("extra-" + std::to_string(i));
    Run(t, "x" + std::to_string(i), now_,
        {F(std::string(kMfaUserNotRegistered), "u", Severity::kLow)});
    Source(t, "extra-source-" + std::to_string(i), now_, "succeeded", "");
  }
  const std::vector<std::string> forty = record(0);
  EXPECT_EQ(forty, four);
  size_t aggregates = 0;
  for (const std::string& sql : forty) {
    if (sql.find("GROUP BY tenant_id, severity") != std::string::npos) ++aggregates;
  }
  EXPECT_EQ(aggregates, 1u);
  EXPECT_EQ(record(alpha_).size(), static_cast<size_t>(kOverviewStatements));
  Result<vigil::Overview> overview = LoadOverview(f_.db(), 0, now_);
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->tenants.size(), 40u);
}

}  // namespace
}  // namespace vigil
