#include "observe/trace.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TraceTest, SpansContinueTheRootParentOfAnotherProcess) {
  auto clock = NewFixedClock(1000);
  Trace trace("t1", clock.get(), nullptr, "parent0000000001");
  EXPECT_EQ(trace.CurrentSpanId(), "parent0000000001");
  {
    auto job = trace.StartSpan("job.sync");
    EXPECT_NE(trace.CurrentSpanId(), "parent0000000001");
    auto inner = trace.StartSpan("sync");
  }
  std::vector<SpanRecord> spans = trace.TakeFinished();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].parent_span_id, "parent0000000001");
  EXPECT_EQ(spans[1].parent_span_id, spans[0].span_id);
}

TEST(TraceTest, WaterfallIndentsChildrenAndShowsOrphansAsRoots) {
  std::vector<SpanRecord> spans(3);
  spans[0].span_id = "a";
  spans[0].name = "trigger";
  spans[0].start_ms = 1;
  spans[1].span_id = "b";
  spans[1].parent_span_id = "a";
  spans[1].name = "queue.wait";
  spans[1].start_ms = 2;
  spans[2].span_id = "c";
  spans[2].parent_span_id = "missing";
  spans[2].name = "job.analyze";
  spans[2].start_ms = 3;
  spans[2].status = "error";
  const std::string text = FormatWaterfall(spans);
  EXPECT_NE(text.find("  trigger\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    queue.wait\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  job.analyze  [error]\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigil
