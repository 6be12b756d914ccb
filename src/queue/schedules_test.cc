#include "queue/schedules.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

TimeMs At(const char* iso) { return *ParseIso8601(iso); }

TEST(OffPeakWindowTest, ParsesAndFormats) {
  Result<OffPeakWindow> w = ParseOffPeakWindow("22:00-06:30");
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->start_min, 22 * 60);
  EXPECT_EQ(w->end_min, 6 * 60 + 30);
  EXPECT_EQ(FormatOffPeakWindow(*w), "22:00-06:30");
}

TEST(OffPeakWindowTest, RejectsMalformedWindows) {
  for (const char* text : {"", "22-06", "25:00-06:00", "22:00-06:60", "22:00-06:00x",
                           "22:00 06:00"}) {
    Result<OffPeakWindow> w = ParseOffPeakWindow(text);
    ASSERT_FALSE(w.ok()) << text;
    EXPECT_EQ(w.status().ToString(), "invalid argument: \"" + std::string(text) +
                                         "\" is not an off-peak window (HH:MM-HH:MM, UTC)");
  }
  Result<OffPeakWindow> empty = ParseOffPeakWindow("22:00-22:00");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().ToString(),
            "invalid argument: off-peak window 22:00-22:00 is not a window of the day");
}

TEST(OffPeakWindowTest, NextInWindowWrapsMidnight) {
  const std::optional<OffPeakWindow> night = OffPeakWindow{22 * 60, 6 * 60};
  EXPECT_EQ(NextInWindow(night, At("2026-11-28T12:00:00Z")), At("2026-11-28T22:00:00Z"));
  EXPECT_EQ(NextInWindow(night, At("2026-11-28T23:10:00Z")), At("2026-11-28T23:10:00Z"));
  EXPECT_EQ(NextInWindow(night, At("2026-11-28T03:00:00Z")), At("2026-11-28T03:00:00Z"));
  EXPECT_EQ(NextInWindow(night, At("2026-11-28T06:00:00Z")), At("2026-11-28T22:00:00Z"));
  const std::optional<OffPeakWindow> early = OffPeakWindow{60, 180};
  EXPECT_EQ(NextInWindow(early, At("2026-11-28T04:00:00Z")), At("2026-11-29T01:00:00Z"));
  EXPECT_EQ(NextInWindow(std::nullopt, 12345), 12345);
}

TEST(ScheduleTest, MissedRunsCollapseIntoOne) {
  Schedule s;
  s.interval_ms = 3600000;
  const TimeMs due = At("2026-11-28T00:00:00Z");
  // On time: the next run is one interval later.
  EXPECT_EQ(NextRunAfter(s, due, due + 10), due + 3600000);
  // Five hours late: the next run is the first whole interval after now.
  EXPECT_EQ(NextRunAfter(s, due, due + 5 * 3600000 + 10), due + 6 * 3600000);
  // With a window, the next run moves into it.
  s.window = OffPeakWindow{22 * 60, 6 * 60};
  EXPECT_EQ(NextRunAfter(s, At("2026-11-28T05:30:00Z"), At("2026-11-28T05:30:01Z")),
            At("2026-11-28T22:00:00Z"));
}

TEST(ScheduleTest, PutGetListAndAdvance) {
  testing::TestTenant t = testing::NewTestTenant();
  Schedule s;
  s.data_source_id = t.data_source_id;
  s.tenant_id = t.tenant_id;
  s.interval_ms = 15 * 60000;
  s.window = OffPeakWindow{22 * 60, 6 * 60};
  s.next_run_at = 1000;
  ASSERT_TRUE(PutSchedule(t.db.get(), s, 1).ok());

  Result<std::optional<Schedule>> got = GetSchedule(t.db.get(), t.data_source_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->interval_ms, 15 * 60000);
  ASSERT_TRUE((*got)->window.has_value());
  EXPECT_EQ(FormatOffPeakWindow(*(*got)->window), "22:00-06:00");

  EXPECT_EQ(DueSchedules(t.db.get(), 999, 10)->size(), 0u);
  EXPECT_EQ(DueSchedules(t.db.get(), 1000, 10)->size(), 1u);

  // Only the scheduler that read due time 1000 moves it.
  EXPECT_TRUE(*AdvanceSchedule(t.db.get(), t.data_source_id, 1000, 5000, "sync:1:1000", 2));
  EXPECT_FALSE(*AdvanceSchedule(t.db.get(), t.data_source_id, 1000, 9000, "sync:1:1000", 3));
  got = GetSchedule(t.db.get(), t.data_source_id);
  EXPECT_EQ((*got)->next_run_at, 5000);
  EXPECT_EQ((*got)->last_job_id, "sync:1:1000");
  EXPECT_EQ(ListSchedules(t.db.get(), t.tenant_id)->size(), 1u);
  EXPECT_EQ(ListSchedules(t.db.get(), t.tenant_id + 1)->size(), 0u);
}

TEST(ScheduleTest, RefusesTooShortIntervals) {
  testing::TestTenant t = testing::NewTestTenant();
  Schedule s;
  s.data_source_id = t.data_source_id;
  s.tenant_id = t.tenant_id;
  s.interval_ms = 1000;
  Status put = PutSchedule(t.db.get(), s, 1);
  EXPECT_EQ(put.message(), "schedule interval must be at least 1m");
  EXPECT_FALSE(GetSchedule(t.db.get(), t.data_source_id)->has_value());
}

}  // namespace
}  // namespace vigil
