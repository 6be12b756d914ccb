#include "common/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

bool NeedsEscapeByteByByte(std::string_view value) {
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == '"' || u == '\\' || u < 0x20) return true;
  }
  return false;
}

// Every byte value at every position of strings around the 8-byte word size,
// beside plain text and beside bytes >= 0x80 (UTF-8), which never need it.
TEST(NeedsJsonEscapeTest, AgreesWithAByteByByteCheckForEveryByteAndPosition) {
  for (const char filler : {'a', '\x80', '\xff', '!'}) {
    for (size_t length : {1u, 7u, 8u, 9u, 16u, 17u}) {
      for (size_t at = 0; at < length; ++at) {
        for (int b = 0; b < 256; ++b) {
          std::string text(length, filler);
          text[at] = static_cast<char>(b);
          ASSERT_EQ(NeedsJsonEscape(text), NeedsEscapeByteByByte(text))
              << "byte " << b << " at " << at << " of " << length;
        }
      }
    }
  }
  EXPECT_FALSE(NeedsJsonEscape(""));
  EXPECT_FALSE(NeedsJsonEscape("adele.vance@contoso.onmicrosoft.com"));
  EXPECT_TRUE(NeedsJsonEscape("Adele \"AV\" Vance"));
}

TEST(AppendJsonStringTest, EscapesWhatJsonRequires) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace vigil
