#include "events/event_payloads.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(EventPayloadsTest, SyncCompleted) {
  Event e = ToEvent(SyncCompletedPayload{3, 4, 5, 10, 2, 1}, "trace-1", 1234);
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(e.type, "sync.completed");
  EXPECT_EQ(e.tenant_id, 3);
  EXPECT_EQ(e.trace_id, "trace-1");
  EXPECT_EQ(e.at, 1234);
  EXPECT_EQ(
      e.payload,
      R"({"tenant_id":3,"data_source_id":4,"sync_id":5,"created":10,"updated":2,"deleted":1})");
}

TEST(EventPayloadsTest, SyncFailedEscapesTheError) {
  Event e = ToEvent(SyncFailedPayload{3, 4, 6, "users.json: \"bad\"\n"}, "trace-2", 1);
  EXPECT_EQ(e.type, "sync.failed");
  EXPECT_EQ(e.payload,
            R"({"tenant_id":3,"data_source_id":4,"sync_id":6,"error":"users.json: \"bad\"\n"})");
}

TEST(EventPayloadsTest, AnalysisCompletedListsBatchesInRunOrder) {
  AnalysisCompletedPayload p;
  p.tenant_id = 3;
  p.run_id = "run-1";
  p.batches = {{"mfa", "COMPLETE"}, {"license", "FAILED"}};
  p.opened = 2;
  p.resolved = 1;
  Event e = ToEvent(p, "trace-3", 1);
  EXPECT_EQ(e.type, "analysis.completed");
  EXPECT_EQ(e.payload,
            R"({"tenant_id":3,"run_id":"run-1","batches":{"mfa":"COMPLETE","license":"FAILED"},)"
            R"("opened":2,"updated":0,"resolved":1,"reopened":0})");
  p.batches.clear();
  EXPECT_NE(ToEvent(p, "", 1).payload.find(R"("batches":{},)"), std::string::npos);
}

TEST(EventPayloadsTest, AlertChangedNamesTheTransitionInItsType) {
  AlertChangedPayload p{"reopened", 3,  42,    "run-9", "mfa.user_not_registered",      "u1",
                        "high",     {}, false, {},      "finding \"u1\" reported again"};
  Event e = ToEvent(p, "trace-4", 1);
  EXPECT_EQ(e.type, "alert.reopened");
  EXPECT_EQ(e.tenant_id, 3);
  EXPECT_EQ(
      e.payload,
      R"({"tenant_id":3,"alert_id":42,"run_id":"run-9","alert_type":"mfa.user_not_registered",)"
      R"("subject":"u1","severity":"high","previous_severity":null,"flapping":false,)"
      R"("muted":false,"snoozed_until":null,"reason":"finding \"u1\" reported again"})");
}

TEST(EventPayloadsTest, AlertChangedOfASnoozedAlertIsMuted) {
  AlertChangedPayload p{"updated", 3,  42,    "run-9", "mfa.user_not_registered", "u1",
                        "high",    {}, false, {},      "details changed"};
  p.snoozed_until = 1767225600000;
  Event e = ToEvent(p, "trace-5", 1);
  EXPECT_EQ(e.type, "alert.updated");
  EXPECT_EQ(
      e.payload,
      R"({"tenant_id":3,"alert_id":42,"run_id":"run-9","alert_type":"mfa.user_not_registered",)"
      R"("subject":"u1","severity":"high","previous_severity":null,"flapping":false,)"
      R"("muted":true,"snoozed_until":"2026-01-01T00:00:00Z","reason":"details changed"})");
}

TEST(EventPayloadsTest, AlertChangedCarriesThePreviousSeverityAndFlapping) {
  AlertChangedPayload p{"updated",
                        3,
                        42,
                        "run-9",
                        "mfa.user_not_registered",
                        "u1",
                        "high",
                        {},
                        false,
                        {},
                        "severity changed from medium to high"};
  p.previous_severity = "medium";
  p.flapping = true;
  EXPECT_EQ(
      ToEvent(p, "trace-6", 1).payload,
      R"({"tenant_id":3,"alert_id":42,"run_id":"run-9","alert_type":"mfa.user_not_registered",)"
      R"("subject":"u1","severity":"high","previous_severity":"medium","flapping":true,)"
      R"("muted":false,"snoozed_until":null,"reason":"severity changed from medium to high"})");
  AlertChangedPayload flapping{
      "flapping", 3, 42, "run-9", "mfa.user_not_registered", "u1", "high", {}, true, {}, ""};
  Event e = ToEvent(flapping, "trace-7", 1);
  EXPECT_EQ(e.type, "alert.flapping");
  EXPECT_EQ(e.type, kEventAlertFlapping);
  flapping.transition = "stable";
  EXPECT_EQ(ToEvent(flapping, "trace-7", 1).type, kEventAlertStable);
}

}  // namespace
}  // namespace vigil
