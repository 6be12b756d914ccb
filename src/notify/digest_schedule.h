// DigestSchedule: when a digest channel sends (Route::digest): once a day
// at a local time of a named time zone ("daily@08:00", Europe/Berlin).
//
// Pure functions over the system's time zone database; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

struct DigestSchedule {
  int hour = 8;                  // local time of the send, 0..23
  int minute = 0;                // 0..59
  std::string timezone = "UTC";  // an IANA name, "Europe/Berlin"
};

// "daily@08:00" -> {8, 0, timezone}. InvalidArgument naming the text when it
// is not daily@HH:MM, and naming the zone when the time zone is unknown.
// Exactly two digits each ("daily@8:00" is refused), so the text a user gave
// is the text DigestScheduleText gives back:
//   digest: "weekly@08:00" is not daily@HH:MM (a local time such as daily@08:00)
//   digest: "daily@24:00": the hour must be 00 to 23
//   digest: "daily@08:60": the minute must be 00 to 59
//   timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin)
Result<DigestSchedule> ParseDigestSchedule(std::string_view text, std::string_view timezone);

// The schedule as the user writes it: "daily@08:00".
std::string DigestScheduleText(const DigestSchedule& schedule);

// The first send time of `schedule` strictly after `after` (UTC ms), taking
// the zone's offsets and daylight-saving changes into account: a local time
// that a change skips is sent at the first instant after the gap; one that a
// change repeats, at its first occurrence. A schedule whose zone is unknown
// (ParseDigestSchedule refuses those) is read as UTC.
TimeMs NextDigestTime(const DigestSchedule& schedule, TimeMs after);

}  // namespace vigil
