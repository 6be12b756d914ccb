#include "observe/log.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(LogTest, FieldsAreJsonWithTextQuotedAndNumbersBare) {
  EXPECT_EQ(FormatLogFields("job.failed", {{"job", "sync:1:2"},
                                           {"attempt", 2},
                                           {"ms", 12.5},
                                           {"error", "users.json: \"bad\"\n"}}),
            R"("event":"job.failed","job":"sync:1:2","attempt":2,"ms":12.500,)"
            R"("error":"users.json: \"bad\"\n")");
}

TEST(LogTest, ParsesLevelNames) {
  LogLevel level = LogLevel::kInfo;
  EXPECT_TRUE(ParseLogLevel("warn", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
}

}  // namespace
}  // namespace vigil
