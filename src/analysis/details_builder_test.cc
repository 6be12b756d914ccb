#include "analysis/details_builder.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(DetailsBuilderTest, EmptyObject) { EXPECT_EQ(DetailsBuilder().Finish(), "{}"); }

TEST(DetailsBuilderTest, KeysInCallOrderWithEveryValueKind) {
  std::string text = DetailsBuilder()
                         .String("upn", "a@contoso.com")
                         .Int("n", -3)
                         .Bool("yes", true)
                         .Bool("no", false)
                         .Time("at", 1780315200000)
                         .Time("never", std::nullopt)
                         .StringArray("list", {"x", "y"})
                         .StringArray("none", {})
                         .Finish();
  EXPECT_EQ(text,
            "{\"upn\":\"a@contoso.com\",\"n\":-3,\"yes\":true,\"no\":false,"
            "\"at\":\"2026-06-01T12:00:00Z\",\"never\":null,\"list\":[\"x\",\"y\"],\"none\":[]}");
}

TEST(DetailsBuilderTest, EscapesStrings) {
  EXPECT_EQ(DetailsBuilder().String("name", "a\"b\\c\n").StringArray("l", {"\t"}).Finish(),
            "{\"name\":\"a\\\"b\\\\c\\n\",\"l\":[\"\\t\"]}");
}

TEST(DetailsBuilderTest, ReusableAfterFinish) {
  DetailsBuilder builder;
  EXPECT_EQ(builder.Int("a", 1).Finish(), "{\"a\":1}");
  EXPECT_EQ(builder.Int("b", 2).Finish(), "{\"b\":2}");
}

}  // namespace
}  // namespace vigil
