#include "common/duration.h"

#include <charconv>

namespace vigil {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};
// Longest suffix first, so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};

}  // namespace

Result<int64_t> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)");
  };
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || number <= 0) return bad();
  const std::string_view suffix(end, text.data() + text.size() - end);
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    if (number > INT64_MAX / unit.ms) return bad();
    return number * unit.ms;
  }
  return bad();
}

Result<int64_t> ParseDurationOrZero(std::string_view text) {
  const size_t digits_end = text.find_first_not_of('0');
  if (!text.empty() && digits_end != 0) {  // only zeros, then perhaps a unit
    const std::string_view unit =
        digits_end == std::string_view::npos ? std::string_view() : text.substr(digits_end);
    for (const Unit& u : kUnits) {
      if (unit.empty() || unit == u.suffix) return 0;
    }
  }
  return ParseDuration(text);
}

std::string FormatDuration(int64_t ms) {
  for (int i = 4; i >= 1; --i) {
    if (ms != 0 && ms % kUnits[i].ms == 0) {
      return std::to_string(ms / kUnits[i].ms) + std::string(kUnits[i].suffix);
    }
  }
  return std::to_string(ms) + "ms";
}

}  // namespace vigil
