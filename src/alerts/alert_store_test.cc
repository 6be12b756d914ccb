#include "alerts/alert_store.h"

#include <gtest/gtest.h>

#include "alerts/alert_actions.h"
#include "alerts/alert_json.h"
#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "alerts/analysis_ledger.h"
#include "analysis/alert_types.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    contoso_ = AddTenant(db_.get(), "contoso");
    clock_ = NewFixedClock(kT0 + 5 * kDay);
    AlertManager manager(db_.get(), clock_.get());
    for (int64_t tenant : {contoso_, fabrikam_}) {
      Finding zed = MakeFinding(std::string(kMfaUserNotRegistered), "id-z");
      zed.subject_name = "zed@contoso.example";
      Finding amy = MakeFinding(std::string(kMfaUserNotRegistered), "id-a", Severity::kMedium,
                                R"({"upn":"amy@contoso.example","methods":[]})");
      amy.subject_name = "amy@contoso.example";
      Result<ReconcileSummary> r = manager.Reconcile(MakeRun(
          tenant, "run-1-" + std::to_string(tenant), kT0,
          {Complete("mfa", {zed, amy}),
           Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1", Severity::kLow)}),
           Complete("policy", {MakeFinding(std::string(kPolicyLegacyAuthNotBlocked), "tenant",
                                           Severity::kHigh)})}));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    Result<ReconcileSummary> r =
        manager.Reconcile(MakeRun(contoso_, "run-2", kT0 + kDay, {Complete("license", {})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::vector<std::string> List(const AlertFilter& filter) {
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    if (!rows.ok()) return out;
    for (const AlertRow& a : *rows) {
      out.push_back(a.tenant + " " + a.type + " " + a.subject_name + " " + a.state);
    }
    return out;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

TEST_F(AlertStoreTest, ListsOpenAlertsOrderedByTenantTypeAndSubjectName) {
  EXPECT_EQ(List(AlertFilter()),
            (std::vector<std::string>{
                "contoso mfa.user_not_registered amy@contoso.example open",
                "contoso mfa.user_not_registered zed@contoso.example open",
                "contoso policy.legacy_auth_not_blocked tenant@contoso.example open",
                "fabrikam license.unused sku1@contoso.example open",
                "fabrikam mfa.user_not_registered amy@contoso.example open",
                "fabrikam mfa.user_not_registered zed@contoso.example open",
                "fabrikam policy.legacy_auth_not_blocked tenant@contoso.example open",
            }));
}

TEST_F(AlertStoreTest, FiltersByTenantStateAndType) {
  AlertFilter filter;
  filter.tenant = "contoso";
  filter.state = AlertStateFilter::kResolved;
  EXPECT_EQ(List(filter),
            std::vector<std::string>{"contoso license.unused sku1@contoso.example resolved"});
  filter.state = AlertStateFilter::kAll;
  EXPECT_EQ(List(filter).size(), 4u);
  filter.type = std::string(kMfaUserNotRegistered);
  EXPECT_EQ(List(filter).size(), 2u);
  filter.type.reset();
  filter.analysis_type = "policy";
  EXPECT_EQ(List(filter),
            std::vector<std::string>{
                "contoso policy.legacy_auth_not_blocked tenant@contoso.example open"});

  filter.tenant = "northwind";
  Result<std::vector<AlertRow>> none = ListAlerts(db_.get(), filter);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().ToString(), "not found: no tenant named \"northwind\"");
}

TEST_F(AlertStoreTest, ParsesStateFilterNames) {
  for (AlertStateFilter f :
       {AlertStateFilter::kOpen, AlertStateFilter::kResolved, AlertStateFilter::kAll}) {
    EXPECT_EQ(ParseAlertStateFilter(AlertStateFilterName(f)), f);
  }
  EXPECT_EQ(ParseAlertStateFilter("closed"), std::nullopt);
}

TEST_F(AlertStoreTest, GetsAnAlertAndItsHistory) {
  AlertFilter filter;
  filter.tenant = "contoso";
  filter.state = AlertStateFilter::kResolved;
  Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const int64_t id = rows->front().id;

  Result<std::optional<AlertRow>> alert = GetAlert(db_.get(), id);
  ASSERT_TRUE(alert.ok());
  ASSERT_TRUE(alert->has_value());
  EXPECT_EQ((*alert)->tenant, "contoso");
  EXPECT_EQ((*alert)->tenant_id, contoso_);
  EXPECT_EQ((*alert)->analysis_type, "license");
  EXPECT_EQ((*alert)->tag, "license:unused");
  EXPECT_EQ((*alert)->resolved_at, kT0 + kDay);
  EXPECT_EQ((*alert)->last_trace_id, "trace-run-2");

  Result<std::vector<HistoryRow>> history = AlertHistory(db_.get(), id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].transition, "opened");
  EXPECT_EQ((*history)[1].transition, "resolved");
  EXPECT_EQ((*history)[1].run_id, "run-2");

  Result<std::optional<AlertRow>> missing = GetAlert(db_.get(), 999);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  Result<std::vector<HistoryRow>> no_history = AlertHistory(db_.get(), 999);
  ASSERT_FALSE(no_history.ok());
  EXPECT_EQ(no_history.status().ToString(), "not found: no alert with id 999");
}

TEST_F(AlertStoreTest, ListsDistinctTagsOfOneTenant) {
  Result<std::vector<std::pair<std::string, std::string>>> tags = ListTags(db_.get(), contoso_);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::pair<std::string, std::string>>{{"id-a", "mfa:missing"},
                                                                     {"id-z", "mfa:missing"}}));
  tags = ListTags(db_.get(), fabrikam_);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->size(), 3u);
}

TEST_F(AlertStoreTest, AlertJsonHasTheStableKeys) {
  AlertFilter filter;
  filter.tenant = "contoso";
  filter.state = AlertStateFilter::kAll;
  filter.type = std::string(kMfaUserNotRegistered);
  Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const AlertRow& amy = rows->front();
  EXPECT_EQ(AlertToJson(amy),
            "{\"id\":" + std::to_string(amy.id) +
                ",\"tenant\":\"contoso\",\"type\":\"mfa.user_not_registered\",\"subject\":\"id-a\","
                "\"subject_name\":\"amy@contoso.example\",\"severity\":\"medium\","
                "\"state\":\"open\",\"first_seen\":\"2026-01-01T00:00:00Z\","
                "\"last_seen\":\"2026-01-01T00:00:00Z\",\"resolved_at\":null,"
                "\"details\":{\"upn\":\"amy@contoso.example\",\"methods\":[]},"
                "\"analysis_type\":\"mfa\",\"tag\":\"mfa:missing\",\"details_digest\":\"" +
                amy.details_digest +
                "\",\"updated_at\":\"2026-01-06T00:00:00Z\",\"last_trace_id\":\"trace-run-1-" +
                std::to_string(contoso_) +
                "\",\"acknowledged\":null,\"snoozed_until\":null,\"flapping\":false}");
  const std::string array = AlertsToJson(*rows);
  EXPECT_EQ(array.front(), '[');
  EXPECT_NE(array.find("zed@contoso.example"), std::string::npos);
  EXPECT_EQ(AlertsToJson({}), "[]");

  AlertRow resolved = amy;
  resolved.resolved_at = kT0 + kDay + 250;
  resolved.details = "not json";
  resolved.tag.reset();
  const std::string json = AlertToJson(resolved, 2);
  EXPECT_NE(json.find("\"resolved_at\": \"2026-01-02T00:00:00.250Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"details\": \"not json\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"tag\": null"), std::string::npos) << json;

  AlertRow flapping = amy;
  flapping.flapping = true;
  EXPECT_NE(AlertToJson(flapping).find(",\"snoozed_until\":null,\"flapping\":true}"),
            std::string::npos);

  AlertRow acted = amy;
  acted.acknowledged_at = kT0 + 2 * kDay;
  acted.acknowledged_by = "ops-bot";
  acted.snoozed_until = kT0 + 9 * kDay;
  const std::string tail = AlertToJson(acted);
  EXPECT_NE(tail.find(",\"acknowledged\":{\"at\":\"2026-01-03T00:00:00Z\",\"by\":\"ops-bot\"},"
                      "\"snoozed_until\":\"2026-01-10T00:00:00Z\",\"flapping\":false}"),
            std::string::npos)
      << tail;
}

TEST_F(AlertStoreTest, HistoryJsonHasItsKeys) {
  Result<std::vector<HistoryRow>> history = TenantHistory(db_.get(), contoso_);
  ASSERT_TRUE(history.ok());
  ASSERT_FALSE(history->empty());
  const HistoryRow& first = history->front();
  EXPECT_EQ(HistoryToJson(first),
            "{\"id\":" + std::to_string(first.id) +
                ",\"alert_id\":" + std::to_string(first.alert_id) +
                ",\"at\":\"2026-01-01T00:00:00Z\",\"transition\":\"opened\",\"from_state\":null,"
                "\"to_state\":\"open\",\"severity\":\"" +
                first.severity + "\",\"reason\":\"finding appeared\",\"details\":" + first.details +
                ",\"details_digest\":\"" + first.details_digest + "\",\"trace_id\":\"" +
                first.trace_id + "\",\"run_id\":\"" + first.run_id + "\",\"analysis_type\":\"" +
                first.analysis_type + "\",\"rule_version\":1,\"tenant_id\":" +
                std::to_string(contoso_) + "}");
  EXPECT_EQ(HistoryListToJson({}), "[]");
  EXPECT_NE(HistoryListToJson(*history).find("\"transition\":\"resolved\""), std::string::npos);
}

// The overview's counts: open alerts per tenant and severity in one
// aggregate, the open flapping and snoozed ones apart; a resolved alert
// counts in none of them, and a snooze counts while it lasts.
TEST_F(AlertStoreTest, CountsOpenAlertsBySeverityAndTheFlappingAndSnoozedOnes) {
  Result<std::map<int64_t, std::map<std::string, int64_t>>> open =
      CountOpenAlertsByTenant(db_.get(), 0);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->at(contoso_), (std::map<std::string, int64_t>{{"high", 1}, {"medium", 2}}));
  EXPECT_EQ(open->at(fabrikam_),
            (std::map<std::string, int64_t>{{"high", 1}, {"low", 1}, {"medium", 2}}));

  const int64_t sku = *db_->QueryInt("SELECT id FROM alerts WHERE tenant_id = ? AND subject = ?",
                                     {contoso_, std::string("sku1")})
                           .value();  // resolved
  const int64_t zed = *db_->QueryInt("SELECT id FROM alerts WHERE tenant_id = ? AND subject = ?",
                                     {contoso_, std::string("id-z")})
                           .value();
  const int64_t amy = *db_->QueryInt("SELECT id FROM alerts WHERE tenant_id = ? AND subject = ?",
                                     {fabrikam_, std::string("id-a")})
                           .value();
  ASSERT_TRUE(db_->Execute("UPDATE alerts SET flapping = 1 WHERE id IN (?, ?)", {sku, zed}).ok());
  const TimeMs now = kT0 + 5 * kDay;
  for (int64_t id : {sku, zed, amy}) ASSERT_TRUE(SnoozeAlert(db_.get(), id, now + kDay, now).ok());
  auto counts = [&](int64_t tenant, TimeMs at) {
    Result<std::map<int64_t, FlappingAndSnoozed>> c =
        CountFlappingAndSnoozedByTenant(db_.get(), tenant, at);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::map<int64_t, std::pair<int64_t, int64_t>> out;
    for (const auto& [t, n] : *c) out[t] = {n.flapping, n.snoozed};
    return out;
  };
  using Counts = std::map<int64_t, std::pair<int64_t, int64_t>>;
  EXPECT_EQ(counts(0, now), (Counts{{contoso_, {1, 1}}, {fabrikam_, {0, 1}}}));
  EXPECT_EQ(counts(fabrikam_, now), (Counts{{fabrikam_, {0, 1}}}));
  EXPECT_EQ(counts(0, now + kDay), (Counts{{contoso_, {1, 0}}}));  // the snoozes ended
}

TEST_F(AlertStoreTest, TheLastAnalysisOfEachTenantIsItsNewestLedgerRow) {
  ASSERT_TRUE(db_->Execute("UPDATE analysis_ledger SET applied_at = ? WHERE tenant_id = ? AND "
                           "analysis_type = 'policy'",
                           {int64_t{kT0 + 9 * kDay}, fabrikam_})
                  .ok());
  Result<std::map<int64_t, TimeMs>> last = LastAnalysisByTenant(db_.get(), 0);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, (std::map<int64_t, TimeMs>{{contoso_, kT0 + 5 * kDay},
                                              {fabrikam_, kT0 + 9 * kDay}}));
  EXPECT_EQ(*LastAnalysisByTenant(db_.get(), contoso_),
            (std::map<int64_t, TimeMs>{{contoso_, kT0 + 5 * kDay}}));
  const int64_t never = AddTenant(db_.get(), "never");
  EXPECT_TRUE(LastAnalysisByTenant(db_.get(), never)->empty());
}

}  // namespace
}  // namespace vigil
