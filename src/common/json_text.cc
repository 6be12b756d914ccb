#include "common/json_text.h"

#include <cstdio>
#include <cstring>

namespace vigil {

bool NeedsJsonEscape(std::string_view value) {
  // Per byte of a 64-bit word: (x - 1) & ~x has its high bit set when x is
  // 0, and (x - 0x20) & ~x when x < 0x20; a word holds such a byte exactly
  // when the high bit of some byte of the result is set.
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, value.data() + i, 8);
    const uint64_t quote = w ^ (kOnes * '"');
    const uint64_t backslash = w ^ (kOnes * '\\');
    const uint64_t hits =
        ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w);
    if (hits & kHigh) return true;
  }
  for (; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\' || c < 0x20) return true;
  }
  return false;
}

void AppendJsonString(std::string* out, std::string_view value) {
  out->push_back('"');
  if (!NeedsJsonEscape(value)) {  // the usual case: copied whole
    out->append(value);
    out->push_back('"');
    return;
  }
  for (char c : value) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonQuote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  AppendJsonString(&out, value);
  return out;
}

}  // namespace vigil
