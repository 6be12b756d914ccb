#include "common/duration.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(*ParseDuration("500ms"), 500);
  EXPECT_EQ(*ParseDuration("90s"), 90000);
  EXPECT_EQ(*ParseDuration("15m"), 900000);
  EXPECT_EQ(*ParseDuration("1h"), 3600000);
  EXPECT_EQ(*ParseDuration("7d"), 7 * 86400000LL);
}

TEST(DurationTest, RejectsWhatIsNotADuration) {
  for (const char* text : {"", "h", "0s", "-5m", "1.5h", "10", "3 h", "2w", "99999999999999999d"}) {
    Result<int64_t> parsed = ParseDuration(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(), "\"" + std::string(text) +
                                             "\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)");
  }
}

TEST(DurationTest, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(FormatDuration(3600000), "1h");
  EXPECT_EQ(FormatDuration(90000), "90s");
  EXPECT_EQ(FormatDuration(5400000), "90m");
  EXPECT_EQ(FormatDuration(1500), "1500ms");
  EXPECT_EQ(FormatDuration(2 * 86400000LL), "2d");
}

TEST(DurationTest, ZeroOnlyWhereAllowed) {
  EXPECT_EQ(*ParseDurationOrZero("0"), 0);
  EXPECT_EQ(*ParseDurationOrZero("0s"), 0);
  EXPECT_EQ(*ParseDurationOrZero("00ms"), 0);
  EXPECT_EQ(*ParseDurationOrZero("30s"), 30000);
  EXPECT_FALSE(ParseDurationOrZero("0x").ok());
  EXPECT_FALSE(ParseDurationOrZero("").ok());
  EXPECT_FALSE(ParseDuration("0").ok());
}

}  // namespace
}  // namespace vigil
