#include "notify/digest_schedule.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <chrono>

namespace vigil {
namespace {

// 2026-mm-dd hh:mm UTC in ms.
TimeMs Utc(int month, int day, int hour, int minute) {
  const auto t = date::sys_days{date::year{2026} / month / day} + std::chrono::hours(hour) +
                 std::chrono::minutes(minute);
  return t.time_since_epoch() / std::chrono::milliseconds(1);
}

DigestSchedule At(int hour, int minute, const std::string& zone) {
  auto schedule = ParseDigestSchedule(DigestScheduleText({hour, minute, zone}), zone);
  EXPECT_TRUE(schedule.ok()) << schedule.status().ToString();
  return schedule.ok() ? *schedule : DigestSchedule{hour, minute, zone};
}

TEST(ParseDigestScheduleTest, ReadsDailyAtALocalTime) {
  auto schedule = ParseDigestSchedule("daily@08:05", "Europe/Berlin");
  ASSERT_TRUE(schedule.ok()) << schedule.status().ToString();
  EXPECT_EQ(schedule->hour, 8);
  EXPECT_EQ(schedule->minute, 5);
  EXPECT_EQ(schedule->timezone, "Europe/Berlin");
  EXPECT_EQ(DigestScheduleText(*schedule), "daily@08:05");
  auto late = ParseDigestSchedule("daily@23:59", "UTC");
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(DigestScheduleText(*late), "daily@23:59");
  EXPECT_EQ(DigestScheduleText({0, 0, "UTC"}), "daily@00:00");
}

TEST(ParseDigestScheduleTest, RefusesWithTheTextOrTheZone) {
  const std::string shape = " is not daily@HH:MM (a local time such as daily@08:00)";
  EXPECT_EQ(ParseDigestSchedule("daily@8:00", "UTC").status().message(),
            "digest: \"daily@8:00\"" + shape);
  EXPECT_EQ(ParseDigestSchedule("weekly@08:00", "UTC").status().message(),
            "digest: \"weekly@08:00\"" + shape);
  EXPECT_EQ(ParseDigestSchedule("daily@08:00:00", "UTC").status().message(),
            "digest: \"daily@08:00:00\"" + shape);
  EXPECT_EQ(ParseDigestSchedule("", "UTC").status().message(), "digest: \"\"" + shape);
  EXPECT_EQ(ParseDigestSchedule("daily@24:00", "UTC").status().message(),
            "digest: \"daily@24:00\": the hour must be 00 to 23");
  EXPECT_EQ(ParseDigestSchedule("daily@08:60", "UTC").status().message(),
            "digest: \"daily@08:60\": the minute must be 00 to 59");
  const Status zone = ParseDigestSchedule("daily@08:00", "Mars/Olympus").status();
  EXPECT_EQ(zone.code(), Code::kInvalidArgument);
  EXPECT_EQ(zone.message(),
            "timezone: unknown time zone \"Mars/Olympus\" (expected an IANA name such as "
            "Europe/Berlin)");
  EXPECT_EQ(ParseDigestSchedule("daily@24:00", "UTC").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(ParseDigestSchedule("daily@08:00", "").ok());
}

TEST(NextDigestTimeTest, BerlinInWinterAndInSummer) {
  const DigestSchedule berlin = At(8, 0, "Europe/Berlin");
  EXPECT_EQ(NextDigestTime(berlin, Utc(1, 15, 0, 0)), Utc(1, 15, 7, 0));   // CET, UTC+1
  EXPECT_EQ(NextDigestTime(berlin, Utc(7, 15, 0, 0)), Utc(7, 15, 6, 0));   // CEST, UTC+2
  EXPECT_EQ(NextDigestTime(berlin, Utc(1, 15, 7, 30)), Utc(1, 16, 7, 0));  // today's has gone
  EXPECT_EQ(NextDigestTime(berlin, Utc(12, 31, 23, 30)) - Utc(12, 31, 23, 30),
            (7 * 60 + 30) * 60 * 1000LL);  // into the next year
}

TEST(NextDigestTimeTest, ASendTimeItselfGivesTheNextDays) {
  const DigestSchedule berlin = At(8, 0, "Europe/Berlin");
  EXPECT_EQ(NextDigestTime(berlin, Utc(1, 15, 7, 0)), Utc(1, 16, 7, 0));
  EXPECT_EQ(NextDigestTime(berlin, Utc(1, 15, 7, 0) - 1), Utc(1, 15, 7, 0));
}

TEST(NextDigestTimeTest, ATimeTheSpringChangeSkipsIsSentWhenTheGapEnds) {
  // 2026-03-29: at 01:00 UTC Berlin goes from 02:00 CET to 03:00 CEST.
  const DigestSchedule berlin = At(2, 30, "Europe/Berlin");
  EXPECT_EQ(NextDigestTime(berlin, Utc(3, 28, 12, 0)), Utc(3, 29, 1, 0));
  EXPECT_EQ(NextDigestTime(berlin, Utc(3, 29, 1, 0)), Utc(3, 30, 0, 30));
  EXPECT_EQ(NextDigestTime(berlin, Utc(3, 27, 12, 0)), Utc(3, 28, 1, 30));
}

TEST(NextDigestTimeTest, ATimeTheAutumnChangeRepeatsIsSentAtItsFirstOccurrence) {
  // 2026-10-25: at 01:00 UTC Berlin goes from 03:00 CEST back to 02:00 CET,
  // so 02:30 happens at 00:30 UTC and again at 01:30 UTC.
  const DigestSchedule berlin = At(2, 30, "Europe/Berlin");
  EXPECT_EQ(NextDigestTime(berlin, Utc(10, 24, 12, 0)), Utc(10, 25, 0, 30));
  EXPECT_EQ(NextDigestTime(berlin, Utc(10, 25, 0, 30)), Utc(10, 26, 1, 30));
  EXPECT_EQ(NextDigestTime(berlin, Utc(10, 25, 1, 0)), Utc(10, 26, 1, 30));
}

TEST(NextDigestTimeTest, NewYorkAndUtc) {
  const DigestSchedule new_york = At(8, 0, "America/New_York");
  EXPECT_EQ(NextDigestTime(new_york, Utc(1, 15, 0, 0)), Utc(1, 15, 13, 0));  // EST, UTC-5
  EXPECT_EQ(NextDigestTime(new_york, Utc(7, 15, 0, 0)), Utc(7, 15, 12, 0));  // EDT, UTC-4
  // 2026-03-08: New York skips 02:00..03:00 local (07:00 UTC).
  EXPECT_EQ(NextDigestTime(At(2, 15, "America/New_York"), Utc(3, 8, 0, 0)), Utc(3, 8, 7, 0));

  const DigestSchedule utc = At(0, 0, "UTC");
  EXPECT_EQ(NextDigestTime(utc, Utc(1, 15, 0, 0)), Utc(1, 16, 0, 0));
  EXPECT_EQ(NextDigestTime(utc, Utc(1, 15, 0, 0) - 1), Utc(1, 15, 0, 0));
  EXPECT_EQ(NextDigestTime(At(23, 59, "UTC"), Utc(1, 15, 12, 0)), Utc(1, 15, 23, 59));
}

TEST(NextDigestTimeTest, AnUnknownZoneIsReadAsUtc) {
  const DigestSchedule mars{8, 0, "Mars/Olympus"};
  EXPECT_EQ(NextDigestTime(mars, Utc(1, 15, 0, 0)), Utc(1, 15, 8, 0));
  EXPECT_EQ(NextDigestTime(mars, Utc(1, 15, 8, 0)), Utc(1, 16, 8, 0));
}

}  // namespace
}  // namespace vigil
