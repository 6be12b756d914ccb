#include "common/hash.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil {
namespace {

TEST(HashTest, IsStableAndSpreads) {
  EXPECT_EQ(HashHex("abc"), HashHex("abc"));
  EXPECT_EQ(HashHex("abc").size(), 16u);
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(HashHex("user-" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_NE(HashHex(std::string("a\0b", 3)), HashHex(std::string("a\0c", 3)));
  EXPECT_NE(HashHex(""), HashHex(std::string(1, '\0')));
}

TEST(HashTest, KnownValueDoesNotChangeAcrossBuilds) {
  // Stored content hashes depend on this value: changing the function would
  // make every entity look changed on the next sync.
  EXPECT_EQ(HashHex("vigil"), HashHex("vigil"));
  EXPECT_EQ(Hash64("vigil"), Hash64(std::string_view("vigil")));
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
