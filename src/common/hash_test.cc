#include "common/hash.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil {
namespace {

TEST(HashTest, SpreadsAndTellsLookalikesApart) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(HashHex("user-" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_NE(HashHex(std::string("a\0b", 3)), HashHex(std::string("a\0c", 3)));
  EXPECT_NE(HashHex(""), HashHex(std::string(1, '\0')));
}

TEST(HashTest, KnownValuesDoNotChangeAcrossBuilds) {
  // Stored content hashes depend on these values: changing the function would
  // make every entity look changed on the next sync. The inputs cover the
  // tail alone, one whole word, and whole words followed by a tail.
  EXPECT_EQ(Hash64(""), 0x24491ade244f174cULL);
  EXPECT_EQ(Hash64("abc"), 0x877cb0584c7c3c02ULL);
  EXPECT_EQ(Hash64(std::string(8, '\0')), 0x7f1dd9a7c1f7eb0eULL);
  EXPECT_EQ(Hash64("alice@contoso.com/16+bytes"), 0xf200178303c5a288ULL);
}

TEST(HashTest, HexIsSixteenLowercaseDigitsWithLeadingZeros) {
  EXPECT_EQ(HashHex("abc"), "877cb0584c7c3c02");
  EXPECT_EQ(HashHex("user-28"), "08230f0da1427eac");  // Hash64 below 2^60
}

TEST(HashTest, ContentHashIsPinned) {
  // Stored rows carry this digest; a different value would rewrite every
  // entity of every data source on the next sync.
  EXPECT_EQ(HashHex("vigil"), "e35091d548b12f51");
  EXPECT_EQ(ContentHash("alice@contoso.com", R"({"enabled":true})"), "9906fe478ecec60a");
}

TEST(HashTest, ContentHashToWritesTheSameDigits) {
  char digits[16];
  ContentHashTo("alice@contoso.com", R"({"enabled":true})", digits);
  EXPECT_EQ(std::string(digits, 16), ContentHash("alice@contoso.com", R"({"enabled":true})"));
}

}  // namespace
}  // namespace vigil
