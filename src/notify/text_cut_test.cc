#include "notify/text_cut.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(TextCutTest, CutNeverSplitsACharacter) {
  EXPECT_EQ(CutUtf8("abc", 5), "abc");
  EXPECT_EQ(CutUtf8("abc", 2), "ab");
  // "é" is 2 bytes, "€" 3: a cut inside either leaves it out whole.
  EXPECT_EQ(CutUtf8("a\xC3\xA9", 2), "a");
  EXPECT_EQ(CutUtf8("a\xE2\x82\xAC"
                    "b",
                    3),
            "a");
  EXPECT_EQ(CutUtf8("a\xE2\x82\xAC"
                    "b",
                    4),
            "a\xE2\x82\xAC");
  EXPECT_EQ(CutUtf8("abc", 0), "");
}

TEST(TextCutTest, AbbreviateEndsWithAnEllipsisWithinTheBound) {
  EXPECT_EQ(Abbreviate("short", 5), "short");
  EXPECT_EQ(Abbreviate("longer text", 8), "longe\xE2\x80\xA6");
  EXPECT_EQ(Abbreviate("\xC3\xA9\xC3\xA9\xC3\xA9", 5), "\xC3\xA9\xE2\x80\xA6");
  // Two bytes left for "aé...": "é" would be split, so only "a" stays.
  EXPECT_EQ(Abbreviate("a\xC3\xA9\xC3\xA9\xC3\xA9", 5), "a\xE2\x80\xA6");
  EXPECT_EQ(Abbreviate("abcdef", 2), "");
}

}  // namespace
}  // namespace vigil
