// ISO 8601 timestamps <-> milliseconds since the epoch (UTC).
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

constexpr TimeMs kMsPerDay = 24LL * 60 * 60 * 1000;

// Parses "2026-11-28T21:29:41Z", with optional fractional seconds
// ("...41.1234567Z") and an optional "+hh:mm"/"-hh:mm" offset instead of "Z".
// A date alone ("2026-11-28") means midnight UTC. Fails with InvalidArgument
// naming the text when it is not such a timestamp.
Result<TimeMs> ParseIso8601(std::string_view text);

// Formats as "2026-11-28T21:29:41Z" (whole seconds, UTC), or
// "2026-11-28T21:29:41.250Z" when the milliseconds are not zero.
std::string FormatIso8601(TimeMs ms);

}  // namespace vigil
