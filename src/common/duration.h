// Durations as people write them on the command line: "500ms", "90s", "15m",
// "1h", "7d" (one number and one unit).
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

// Milliseconds of `text`. InvalidArgument naming the text when it is not a
// positive whole number followed by ms, s, m, h or d.
Result<int64_t> ParseDuration(std::string_view text);

// As ParseDuration, and a zero ("0", or zeros with a unit: "0s") is 0: for
// settings where zero means "at once" or "never".
Result<int64_t> ParseDurationOrZero(std::string_view text);

// The largest unit that divides `ms` exactly: 3600000 -> "1h", 90000 -> "90s".
std::string FormatDuration(int64_t ms);

}  // namespace vigil
