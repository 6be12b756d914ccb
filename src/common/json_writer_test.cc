#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace vigil {
namespace {

TEST(JsonObjectWriterTest, EmptyObject) { EXPECT_EQ(JsonObjectWriter().Finish(), "{}"); }

TEST(JsonObjectWriterTest, KeysInCallOrderWithEveryValueKind) {
  std::string text = JsonObjectWriter()
                         .String("upn", "a@contoso.com")
                         .Int("n", -3)
                         .Int("max", INT64_MAX)
                         .Bool("yes", true)
                         .Bool("no", false)
                         .OptionalInt("units", 7)
                         .OptionalInt("unknown", std::nullopt)
                         .Time("at", 1780315200000)
                         .Time("never", std::nullopt)
                         .Strings("list", {"x", "y"})
                         .Strings("none", {})
                         .Raw("inner", "{\"a\":1}")
                         .Finish();
  EXPECT_EQ(text,
            "{\"upn\":\"a@contoso.com\",\"n\":-3,\"max\":9223372036854775807,\"yes\":true,"
            "\"no\":false,\"units\":7,\"unknown\":null,\"at\":\"2026-06-01T12:00:00Z\","
            "\"never\":null,\"list\":[\"x\",\"y\"],\"none\":[],\"inner\":{\"a\":1}}");
}

TEST(JsonObjectWriterTest, EscapesStringValues) {
  EXPECT_EQ(JsonObjectWriter().String("name", "a\"b\\c\n").Strings("l", {"\t", "\x01"}).Finish(),
            "{\"name\":\"a\\\"b\\\\c\\n\",\"l\":[\"\\t\",\"\\u0001\"]}");
}

TEST(JsonObjectWriterTest, ReusableAfterFinish) {
  JsonObjectWriter writer(8);
  EXPECT_EQ(writer.Int("a", 1).Finish(), "{\"a\":1}");
  EXPECT_EQ(writer.Finish(), "{}");
  EXPECT_EQ(writer.Int("b", 2).String("c", "d").Finish(), "{\"b\":2,\"c\":\"d\"}");
}

}  // namespace
}  // namespace vigil
