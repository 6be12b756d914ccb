#include "common/time.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TimeTest, ParsesGraphTimestamps) {
  EXPECT_EQ(*ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601("2026-11-28T21:29:41Z"), 1795901381000);
  EXPECT_EQ(*ParseIso8601("2026-11-28T21:29:41.25Z"), 1795901381250);
  EXPECT_EQ(*ParseIso8601("2026-11-28T21:29:41.1234567Z"), 1795901381123);
  EXPECT_EQ(*ParseIso8601("2026-11-28T22:29:41+01:00"), 1795901381000);
  EXPECT_EQ(*ParseIso8601("2026-11-28"), 1795824000000);
  EXPECT_EQ(*ParseIso8601("2024-02-29"), 1709164800000);  // a leap day
  EXPECT_EQ(*ParseIso8601("2000-02-29"), 951782400000);   // divisible by 400
  EXPECT_EQ(*ParseIso8601("2026-11-28T21:29:41-23:59"), 1795901381000 + (23 * 60 + 59) * 60000LL);
  EXPECT_LT(*ParseIso8601("0001-01-01T00:00:00Z"), 0);
}

TEST(TimeTest, RejectsWhatIsNotATimestampAndSaysWhat) {
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-28T25:00:00Z",
                          "2026-11-28T21:29:41Q", "2026-11-28T21:29:41.Z", "2026-02-29",
                          "2024-02-30T00:00:00Z", "1900-02-29", "2026-04-31", "2026-11-31",
                          "2026-11-28T21:29:41+99:99", "2026-11-28T21:29:41-10:60",
                          "2026-11-28T21:60:00Z"}) {
    auto r = ParseIso8601(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("not an ISO 8601 timestamp: \"") + bad + "\"");
  }
}

TEST(TimeTest, FormatRoundTrips) {
  EXPECT_EQ(FormatIso8601(1795901381000), "2026-11-28T21:29:41Z");
  EXPECT_EQ(FormatIso8601(1795901381250), "2026-11-28T21:29:41.250Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  for (TimeMs t : {TimeMs{0}, TimeMs{951782400000}, TimeMs{4102444799000}, TimeMs{-86400000}}) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(t)), t) << t;
  }
}

}  // namespace
}  // namespace vigil
