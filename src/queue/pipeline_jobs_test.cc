#include "queue/pipeline_jobs.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(PipelineJobsTest, SyncPayloadRoundTrips) {
  SyncJobPayload p{7, 9, "trace", "span", "schedule", true};
  Result<SyncJobPayload> back = ParseSyncJobPayload(ToJson(p));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->tenant_id, 7);
  EXPECT_EQ(back->data_source_id, 9);
  EXPECT_EQ(back->trace_id, "trace");
  EXPECT_EQ(back->parent_span_id, "span");
  EXPECT_EQ(back->trigger, "schedule");
  EXPECT_TRUE(back->force);
  EXPECT_EQ(TraceIdOfPayload(ToJson(p)), "trace");
}

TEST(PipelineJobsTest, MalformedPayloadsNameTheField) {
  EXPECT_EQ(ParseSyncJobPayload("[1]").status().message(), "sync payload: not a JSON object");
  EXPECT_EQ(ParseSyncJobPayload("{\"tenant_id\":1,\"data_source_id\":\"x\",\"trace_id\":\"t\"}")
                .status()
                .message(),
            "sync payload: \"data_source_id\": expected a positive integer");
  EXPECT_EQ(ParseSyncJobPayload("{\"tenant_id\":1,\"data_source_id\":2}").status().message(),
            "sync payload: \"trace_id\": expected a string");
  EXPECT_EQ(ParseAnalyzeJobPayload("{\"tenant_id\":0,\"trace_id\":\"t\"}").status().message(),
            "analyze payload: \"tenant_id\": expected a positive integer");
  EXPECT_EQ(ParseAnalyzeJobPayload("not json").status().message(),
            "analyze payload: not a JSON object");
}

TEST(PipelineJobsTest, AnalyzeJobsOfOneWindowShareAnIdAndStartAtItsEnd) {
  const AnalyzeJobPlan a = PlanAnalyzeJob(3, 10'000, 2000);
  const AnalyzeJobPlan b = PlanAnalyzeJob(3, 11'999, 2000);
  const AnalyzeJobPlan c = PlanAnalyzeJob(3, 12'000, 2000);
  EXPECT_EQ(a.job_id, "analyze:3:5");
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.delay_ms, 2000);
  EXPECT_EQ(b.delay_ms, 1);
  EXPECT_NE(c.job_id, a.job_id);
  EXPECT_NE(PlanAnalyzeJob(4, 10'000, 2000).job_id, a.job_id);
  EXPECT_EQ(PlanAnalyzeJob(3, 10'000, 0).delay_ms, 0);
}

}  // namespace
}  // namespace vigil
