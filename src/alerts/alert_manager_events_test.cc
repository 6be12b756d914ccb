// AlertManager and the event outbox: one alert.<transition> event per
// change, with the reason of its history row, then one analysis.completed
// naming the batches recorded; nothing for stale or duplicate news.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_manager_fixture.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "events/outbox.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

// The expected payload of the event of `change` in run `run_id`.
std::string AlertPayload(int64_t tenant_id, const std::string& run_id, const AlertChange& c) {
  return "{\"tenant_id\":" + std::to_string(tenant_id) +
         ",\"alert_id\":" + std::to_string(c.alert_id) + ",\"run_id\":\"" + run_id +
         "\",\"alert_type\":\"" + c.alert_type + "\",\"subject\":\"" + c.subject +
         "\",\"severity\":\"" + c.severity + "\",\"previous_severity\":" +
         (c.previous_severity ? "\"" + *c.previous_severity + "\"" : std::string("null")) +
         ",\"flapping\":" + (c.flapping ? "true" : "false") +
         ",\"muted\":false,\"snoozed_until\":null,\"reason\":" + nlohmann::json(c.reason).dump() +
         "}";
}

TEST_F(AlertManagerTest, EventsMatchTheChangesOneToOne) {
  const std::string kType(kMfaUserNotRegistered);
  const std::vector<AnalysisRun> runs = {
      MakeRun(contoso_, "run-1", kT0,
              {Complete("mfa", {MakeFinding(kType, "u1"), MakeFinding(kType, "u2")}),
               Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}),
      MakeRun(
          contoso_, "run-2", kT0 + kDay,
          {Complete("mfa", {MakeFinding(kType, "u2", Severity::kHigh), MakeFinding(kType, "u3")}),
           Complete("license")}),
      MakeRun(contoso_, "run-3", kT0 + 2 * kDay,
              {Complete("mfa", {MakeFinding(kType, "u1"), MakeFinding(kType, "u2", Severity::kHigh),
                                MakeFinding(kType, "u3")}),
               NotComplete("license", BatchStatus::kIncomplete, "subscribedSkus.json is missing")}),
  };
  std::set<std::string> transitions;
  for (const AnalysisRun& run : runs) {
    ReconcileSummary s = Apply(run);
    std::vector<Event> events = NewEvents();
    ASSERT_EQ(events.size(), s.changes.size() + 1) << run.run_id;
    for (size_t i = 0; i < s.changes.size(); ++i) {
      const AlertChange& c = s.changes[i];
      transitions.insert(c.transition);
      EXPECT_EQ(events[i].type, "alert." + c.transition);
      EXPECT_EQ(events[i].tenant_id, contoso_);
      EXPECT_EQ(events[i].trace_id, run.trace_id);
      EXPECT_EQ(events[i].at, kT0 + 1000 * kDay);  // the Clock's time
      EXPECT_EQ(events[i].payload, AlertPayload(contoso_, run.run_id, c));
    }
    const Event& done = events.back();
    EXPECT_EQ(done.type, "analysis.completed");
    EXPECT_EQ(done.trace_id, run.trace_id);
    std::string batches;
    for (const BatchSummary& b : s.batches) {
      batches += (batches.empty() ? "\"" : ",\"") + b.analysis_type + "\":\"" +
                 std::string(BatchStatusName(b.status)) + "\"";
    }
    EXPECT_EQ(done.payload,
              "{\"tenant_id\":" + std::to_string(contoso_) + ",\"run_id\":\"" + run.run_id +
                  "\",\"batches\":{" + batches + "},\"opened\":" + std::to_string(s.opened) +
                  ",\"updated\":" + std::to_string(s.updated) + ",\"resolved\":" +
                  std::to_string(s.resolved) + ",\"reopened\":" + std::to_string(s.reopened) + "}");
  }
  EXPECT_EQ(transitions, (std::set<std::string>{"opened", "updated", "resolved", "reopened"}));
  // Spelled out once: run-3 reopened u1 and recorded license as INCOMPLETE.
  Result<std::vector<Event>> last = ListEvents(db_.get(), EventFilter{0, "analysis.*"}, 0, 10);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ(
      last->back().payload,
      "{\"tenant_id\":" + std::to_string(contoso_) +
          ",\"run_id\":\"run-3\",\"batches\":{\"mfa\":\"COMPLETE\",\"license\":\"INCOMPLETE\"},"
          "\"opened\":0,\"updated\":0,\"resolved\":0,\"reopened\":1}");
}

TEST_F(AlertManagerTest, OnlyRecordedBatchesAreAnnounced) {
  const AnalysisRun mfa_only =
      MakeRun(contoso_, "run-1", kT0,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})});
  Apply(mfa_only);
  NewEvents();
  // The same run re-delivered with a batch it lacked: only that one is new.
  AnalysisRun grown = mfa_only;
  grown.batches.push_back(NotComplete("license", BatchStatus::kFailed, "license analyzer: boom"));
  ReconcileSummary s = Apply(grown);
  EXPECT_EQ(s.batches[0].outcome, BatchOutcome::kDuplicate);
  std::vector<Event> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "analysis.completed");
  EXPECT_NE(events[0].payload.find(R"("batches":{"license":"FAILED"},"opened":0,)"),
            std::string::npos)
      << events[0].payload;
  // Stale news announces nothing.
  Apply(MakeRun(contoso_, "run-0", kT0 - kDay, {Complete("mfa")}));
  EXPECT_TRUE(NewEvents().empty());
}

}  // namespace
}  // namespace vigil
