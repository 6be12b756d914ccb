// AlertManager and snoozes: the events of an alert snoozed at the time of
// its change are muted, and a snooze changes nothing else about a reconcile
// -- not its outcome, not its history, not its statement count.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "alerts/alert_actions.h"
#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "events/outbox.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

constexpr TimeMs kNow = kT0 + 1000 * kDay;  // the manager's clock

class AlertManagerMutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    clock_ = NewFixedClock(kNow);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
  }

  ReconcileSummary Apply(const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager_->Reconcile(run);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_TRUE(TenantConsistent(db_.get(), run.tenant_id));
    return summary.ok() ? *summary : ReconcileSummary();
  }

  // The payloads of the alert events appended since the last call, by alert id.
  std::map<int64_t, std::string> NewAlertPayloads() {
    Result<std::vector<Event>> events =
        ListEvents(db_.get(), EventFilter{0, "alert.*"}, last_, 1000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::map<int64_t, std::string> out;
    if (!events.ok()) return out;
    for (const Event& e : *events) {
      last_ = std::max(last_, e.id);
      const size_t at = e.payload.find("\"alert_id\":");
      out[std::stoll(e.payload.substr(at + 11))] = e.payload;
    }
    return out;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t contoso_ = 0;
  int64_t last_ = 0;
};

TEST_F(AlertManagerMutingTest, EventsOfAnAlertSnoozedAtTheChangeAreMuted) {
  const std::string type(kMfaUserNotRegistered);
  ReconcileSummary opened =
      Apply(MakeRun(contoso_, "run-1", kT0,
                    {Complete("mfa", {MakeFinding(type, "u1"), MakeFinding(type, "u2"),
                                      MakeFinding(type, "u3"), MakeFinding(type, "u4")})}));
  ASSERT_EQ(opened.changes.size(), 4u);
  const int64_t u1 = opened.changes[0].alert_id;
  const int64_t u2 = opened.changes[1].alert_id;
  const int64_t u3 = opened.changes[2].alert_id;
  for (const auto& [id, payload] : NewAlertPayloads()) {
    EXPECT_NE(payload.find(R"("muted":false,"snoozed_until":null,"reason":)"), std::string::npos)
        << payload;
  }
  // u1 snoozed beyond the change; u2's snooze ended before it; u3 never snoozed.
  ASSERT_TRUE(SnoozeAlert(db_.get(), u1, kNow + kDay, kNow).ok());
  ASSERT_TRUE(SnoozeAlert(db_.get(), u2, kNow - 1, kNow - kDay).ok());

  // u1 gets worse, u2 and u3 go away, u4 stays as it was.
  ReconcileSummary changed = Apply(MakeRun(
      contoso_, "run-2", kT0 + kDay,
      {Complete("mfa", {MakeFinding(type, "u1", Severity::kHigh), MakeFinding(type, "u4")})}));
  EXPECT_EQ(changed.updated, 1);
  EXPECT_EQ(changed.resolved, 2);
  EXPECT_EQ(changed.unchanged, 1);
  // ledger, alerts (snoozed_until with them), the update and its history,
  // the 2 resolves and their history (one statement each), the preferences
  // and the count of their state changes (flap damping), last_seen, 2 tags,
  // ledger upsert, the day's open count, events: the same as without any
  // snooze.
  EXPECT_EQ(changed.statements, 1u + 1u + 2u + 2u + 2u + 1u + 2u + 1u + 1u + 1u);

  std::map<int64_t, std::string> payloads = NewAlertPayloads();
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_EQ(payloads[u1], "{\"tenant_id\":" + std::to_string(contoso_) +
                              ",\"alert_id\":" + std::to_string(u1) +
                              ",\"run_id\":\"run-2\",\"alert_type\":\"mfa.user_not_registered\","
                              "\"subject\":\"u1\",\"severity\":\"high\","
                              "\"previous_severity\":\"medium\",\"flapping\":false,"
                              "\"muted\":true,"
                              "\"snoozed_until\":\"2028-09-28T00:00:00Z\","
                              "\"reason\":\"severity changed from medium to high\"}");
  EXPECT_NE(payloads[u2].find(R"("muted":false,"snoozed_until":null,"reason":)"), std::string::npos)
      << payloads[u2];
  EXPECT_NE(payloads[u3].find(R"("muted":false,"snoozed_until":null,"reason":)"), std::string::npos)
      << payloads[u3];

  // The snooze did not hold the change back: u1 is updated, u2 resolved.
  Result<std::optional<AlertRow>> row = GetAlert(db_.get(), u1);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->severity, "high");
  EXPECT_EQ((*row)->state, "open");
  EXPECT_EQ((*row)->snoozed_until, kNow + kDay);
  row = GetAlert(db_.get(), u2);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->state, "resolved");
}

}  // namespace
}  // namespace vigil
