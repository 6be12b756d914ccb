// AlertManager and flap damping (alerts/flap_damping.h): an alert that keeps
// changing state is marked flapping once, with one history row and one
// event, and stable once it held one state for the tenant's window; what a
// user sees in the alert, its history, its JSON and the events.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alerts/alert_json.h"
#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "context/preferences.h"
#include "events/outbox.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

constexpr TimeMs kHour = 60 * 60 * 1000;
constexpr TimeMs kNow = kT0 + 1000 * kDay;  // the manager's clock

bool AnyType(std::string_view) { return true; }

class AlertManagerFlappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kNow);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
  }

  ReconcileSummary Apply(const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager_->Reconcile(run);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_TRUE(TenantConsistent(db_.get(), run.tenant_id));
    return summary.ok() ? *summary : ReconcileSummary();
  }

  // A run of `tenant` at `as_of` whose mfa batch finds u1 (with `severity`
  // and `details`) when `present`, and nothing otherwise.
  ReconcileSummary Mfa(int64_t tenant, TimeMs as_of, bool present,
                       Severity severity = Severity::kMedium, const std::string& details = "{}") {
    std::vector<Finding> findings;
    if (present) {
      findings.push_back(MakeFinding(std::string(kMfaUserNotRegistered), "u1", severity, details));
    }
    return Apply(MakeRun(tenant, "run-" + std::to_string(++runs_), as_of,
                         {Complete("mfa", std::move(findings))}));
  }

  AlertRow Alert(int64_t tenant) {
    AlertFilter filter;
    filter.state = AlertStateFilter::kAll;
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (const AlertRow& row : *rows) {
      if (row.tenant_id == tenant && row.subject == "u1") return row;
    }
    ADD_FAILURE() << "no alert u1 of tenant " << tenant;
    return AlertRow();
  }

  // "transition from->to: reason" per history row of `alert_id`.
  std::vector<std::string> History(int64_t alert_id) {
    Result<std::vector<HistoryRow>> rows = AlertHistory(db_.get(), alert_id);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const HistoryRow& h : *rows) {
      out.push_back(h.transition + " " + h.from_state.value_or("none") + "->" + h.to_state + ": " +
                    h.reason);
    }
    return out;
  }

  // The alert events appended since the last call as "type payload".
  std::vector<std::string> NewAlertEvents() {
    Result<std::vector<Event>> events =
        ListEvents(db_.get(), EventFilter{0, "alert.*"}, last_event_, 1000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<std::string> out;
    for (const Event& e : *events) {
      last_event_ = std::max(last_event_, e.id);
      out.push_back(e.type + " " + e.payload);
    }
    return out;
  }

  // The payload of an event of u1 of `tenant` after its "severity" field.
  static std::string Tail(const std::string& previous, bool flapping, const std::string& reason) {
    return ",\"previous_severity\":" + previous + ",\"flapping\":" + (flapping ? "true" : "false") +
           ",\"muted\":false,\"snoozed_until\":null,\"reason\":\"" + reason + "\"}";
  }
  std::string Expected(const std::string& type, int64_t alert_id, int run,
                       const std::string& severity, const std::string& tail) {
    return "alert." + type + " {\"tenant_id\":" + std::to_string(contoso_) +
           ",\"alert_id\":" + std::to_string(alert_id) + ",\"run_id\":\"run-" +
           std::to_string(run) +
           "\",\"alert_type\":\"mfa.user_not_registered\",\"subject\":\"u1\",\"severity\":\"" +
           severity + "\"" + tail;
  }

  void SetPreferences(int64_t tenant, std::vector<std::pair<std::string, std::string>> prefs) {
    Status s = UpdatePreferences(db_.get(), tenant, prefs, AnyType);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
  int64_t last_event_ = 0;
  int runs_ = 0;
};

TEST_F(AlertManagerFlappingTest, FourStateChangesWithinSixHoursFlapOnceThenStable) {
  Mfa(contoso_, kT0, true);               // 1: opened
  Mfa(contoso_, kT0 + 1 * kHour, false);  // 2: resolved
  Mfa(contoso_, kT0 + 2 * kHour, true);   // 3: reopened
  const int64_t id = Alert(contoso_).id;
  EXPECT_FALSE(Alert(contoso_).flapping);
  const std::vector<std::string> before = NewAlertEvents();
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before[2],
            Expected("reopened", id, 3, "medium", Tail("null", false, "finding reappeared")));

  ReconcileSummary fourth = Mfa(contoso_, kT0 + 3 * kHour, false);  // 4: resolved, flapping
  AlertRow a = Alert(contoso_);
  EXPECT_TRUE(a.flapping);
  EXPECT_EQ(a.state, "resolved");
  EXPECT_NE(AlertToJson(a).find(",\"flapping\":true}"), std::string::npos) << AlertToJson(a);
  EXPECT_EQ(History(id), (std::vector<std::string>{
                             "opened none->open: finding appeared",
                             "resolved open->resolved: finding no longer present in complete batch",
                             "reopened resolved->open: finding reappeared",
                             "resolved open->resolved: finding no longer present in complete batch",
                             "flapping resolved->resolved: changed state 4 times within 6h"}));
  EXPECT_EQ(NewAlertEvents(),
            (std::vector<std::string>{
                Expected("resolved", id, 4, "medium",
                         Tail("null", true, "finding no longer present in complete batch")),
                Expected("flapping", id, 4, "medium",
                         Tail("null", true, "changed state 4 times within 6h"))}));
  ASSERT_EQ(fourth.changes.size(), 2u);
  EXPECT_EQ(fourth.changes[1].transition, "flapping");
  EXPECT_EQ(fourth.changes[1].reason, "changed state 4 times within 6h");
  // ledger, alerts, the resolve and its history, the preferences, the count
  // of state changes, the flag and its history row, last_seen, 2 tags,
  // ledger upsert, the day's open count, events
  EXPECT_EQ(fourth.statements, 1u + 1u + 2u + 1u + 1u + 2u + 1u + 2u + 1u + 1u + 1u);

  // A fifth change of a flapping alert: no second flapping row or event.
  Mfa(contoso_, kT0 + 4 * kHour, true, Severity::kHigh);  // 5: reopened, severity changed
  EXPECT_TRUE(Alert(contoso_).flapping);
  EXPECT_EQ(History(id).size(), 6u);
  EXPECT_EQ(NewAlertEvents(),
            (std::vector<std::string>{Expected("reopened", id, 5, "high",
                                               Tail("\"medium\"", true, "finding reappeared"))}));

  // Exactly a window after the last change: still flapping.
  Mfa(contoso_, kT0 + 10 * kHour, true, Severity::kHigh);
  EXPECT_TRUE(Alert(contoso_).flapping);
  EXPECT_TRUE(NewAlertEvents().empty());

  // Held one state for more than the window: stable at this analysis.
  ReconcileSummary later = Mfa(contoso_, kT0 + 11 * kHour, true, Severity::kHigh);
  a = Alert(contoso_);
  EXPECT_FALSE(a.flapping);
  EXPECT_EQ(a.state, "open");
  EXPECT_EQ(a.last_trace_id, "trace-run-7");
  EXPECT_NE(AlertToJson(a).find(",\"flapping\":false}"), std::string::npos);
  EXPECT_EQ(History(id).back(), "stable open->open: held one state for 6h");
  EXPECT_EQ(History(id).size(), 7u);
  EXPECT_EQ(NewAlertEvents(),
            (std::vector<std::string>{
                Expected("stable", id, 7, "high", Tail("null", false, "held one state for 6h"))}));
  ASSERT_EQ(later.changes.size(), 1u);
  EXPECT_EQ(later.changes[0].transition, "stable");

  // And stays so: nothing more.
  Mfa(contoso_, kT0 + 30 * kHour, true, Severity::kHigh);
  EXPECT_EQ(History(id).size(), 7u);
  EXPECT_TRUE(NewAlertEvents().empty());
}

TEST_F(AlertManagerFlappingTest, ChangesSpreadWiderThanTheWindowDoNotFlap) {
  for (int i = 0; i < 8; ++i) Mfa(contoso_, kT0 + i * 150 * 60 * 1000, i % 2 == 0);
  EXPECT_FALSE(Alert(contoso_).flapping);  // 2.5 h apart: at most 3 changes in any 6 h
  for (const std::string& e : NewAlertEvents()) {
    EXPECT_EQ(e.find("alert.flapping"), std::string::npos) << e;
    EXPECT_NE(e.find("\"flapping\":false"), std::string::npos) << e;
  }
}

TEST_F(AlertManagerFlappingTest, ThresholdZeroTurnsDetectionOff) {
  SetPreferences(contoso_, {{"flap_threshold", "0"}});
  ReconcileSummary last;
  for (int i = 0; i < 8; ++i) last = Mfa(contoso_, kT0 + i * kHour, i % 2 == 0);
  EXPECT_FALSE(Alert(contoso_).flapping);
  EXPECT_EQ(History(Alert(contoso_).id).size(), 8u);
  for (const std::string& e : NewAlertEvents()) {
    EXPECT_EQ(e.find("alert.flapping"), std::string::npos) << e;
  }
  // The preferences are read, but no state change is counted.
  EXPECT_EQ(last.statements, 1u + 1u + 2u + 1u + 1u + 2u + 1u + 1u + 1u);
}

TEST_F(AlertManagerFlappingTest, EachTenantHasItsOwnThresholdAndWindow) {
  SetPreferences(contoso_, {{"flap_threshold", "2"}, {"flap_window", "1h"}});
  for (int64_t tenant : {contoso_, fabrikam_}) {
    Mfa(tenant, kT0, true);
    Mfa(tenant, kT0 + 30 * 60 * 1000, false);
  }
  EXPECT_TRUE(Alert(contoso_).flapping);
  EXPECT_EQ(History(Alert(contoso_).id).back(),
            "flapping resolved->resolved: changed state 2 times within 1h");
  EXPECT_FALSE(Alert(fabrikam_).flapping);  // default: 4 within 6h

  // contoso's window is an hour: stable after an hour and a bit.
  Mfa(contoso_, kT0 + 2 * kHour, false);
  EXPECT_FALSE(Alert(contoso_).flapping);
  EXPECT_EQ(History(Alert(contoso_).id).back(), "stable resolved->resolved: held one state for 1h");
}

TEST_F(AlertManagerFlappingTest, DetailsOnlyAndSeverityUpdatesAreNotStateChanges) {
  Mfa(contoso_, kT0, true);
  const int64_t id = Alert(contoso_).id;
  for (int i = 1; i <= 6; ++i) {
    Mfa(contoso_, kT0 + i * 10 * 60 * 1000, true, i % 2 == 0 ? Severity::kMedium : Severity::kHigh,
        "{\"v\":" + std::to_string(i) + "}");
  }
  Mfa(contoso_, kT0 + 2 * kHour, true, Severity::kMedium, "{\"v\":7}");  // details only
  EXPECT_FALSE(Alert(contoso_).flapping);
  EXPECT_EQ(History(id).size(), 8u);  // opened + 7 updates, no flapping row
  const std::vector<std::string> events = NewAlertEvents();
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[1], Expected("updated", id, 2, "high",
                                Tail("\"medium\"", false,
                                     "severity changed from medium to high; details changed")));
  EXPECT_EQ(events[2], Expected("updated", id, 3, "medium",
                                Tail("\"high\"", false,
                                     "severity changed from high to medium; details changed")));
  EXPECT_EQ(events[7],
            Expected("updated", id, 8, "medium", Tail("null", false, "details changed")));
}

TEST_F(AlertManagerFlappingTest, AnUpdateOfAFlappingAlertSaysFlappingAndStableComesAfter) {
  SetPreferences(contoso_, {{"flap_threshold", "2"}});
  Mfa(contoso_, kT0, true);
  Mfa(contoso_, kT0 + kHour, false);
  Mfa(contoso_, kT0 + 2 * kHour, true);  // reopened while flapping
  const int64_t id = Alert(contoso_).id;
  ASSERT_TRUE(Alert(contoso_).flapping);
  NewAlertEvents();
  // Details change after the window: the update is told as flapping, then stable.
  Mfa(contoso_, kT0 + 9 * kHour, true, Severity::kMedium, "{\"v\":1}");
  EXPECT_EQ(
      NewAlertEvents(),
      (std::vector<std::string>{
          Expected("updated", id, 4, "medium", Tail("null", true, "details changed")),
          Expected("stable", id, 4, "medium", Tail("null", false, "held one state for 6h"))}));
  EXPECT_FALSE(Alert(contoso_).flapping);
}

TEST_F(AlertManagerFlappingTest, ABatchOfAnotherTypeLeavesAFlappingAlertAlone) {
  SetPreferences(contoso_, {{"flap_threshold", "2"}});
  Mfa(contoso_, kT0, true);
  Mfa(contoso_, kT0 + kHour, false);
  ASSERT_TRUE(Alert(contoso_).flapping);
  // Only license is analysed: the mfa alert is not looked at (invariant 5).
  Apply(MakeRun(contoso_, "license-1", kT0 + kDay, {Complete("license")}));
  EXPECT_TRUE(Alert(contoso_).flapping);
  // The next mfa analysis notices it.
  Mfa(contoso_, kT0 + 2 * kDay, false);
  EXPECT_FALSE(Alert(contoso_).flapping);
}

}  // namespace
}  // namespace vigil
