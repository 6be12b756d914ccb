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

// The largest unit that divides `ms` exactly: 3600000 -> "1h", 90000 -> "90s".
std::string FormatDuration(int64_t ms);

}  // namespace vigil
