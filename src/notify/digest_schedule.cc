#include "notify/digest_schedule.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

namespace vigil {
namespace {

constexpr std::string_view kDailyPrefix = "daily@";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int TwoDigits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

// The zone named `name`, or nullptr when the database has none by that name.
// The date library reports an unknown name (and an unreadable database) by
// throwing; nothing of that leaves this file.
const date::time_zone* FindZone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The UTC instant at which local time `local` happens in `zone`: a time a
// change skips maps to the first instant after the gap, a time it repeats to
// its first occurrence.
date::sys_seconds LocalToSys(const date::time_zone* zone, date::local_seconds local) {
  const date::local_info info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return info.second.begin;
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      return date::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
}

}  // namespace

Result<DigestSchedule> ParseDigestSchedule(std::string_view text, std::string_view timezone) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  // Exactly "daily@HH:MM": two digits each, so the text round-trips through
  // DigestScheduleText unchanged.
  const std::string_view time = text.substr(std::min(text.size(), kDailyPrefix.size()));
  if (text.substr(0, kDailyPrefix.size()) != kDailyPrefix || time.size() != 5 ||
      !IsDigit(time[0]) || !IsDigit(time[1]) || time[2] != ':' || !IsDigit(time[3]) ||
      !IsDigit(time[4])) {
    return Status::InvalidArgument("digest: " + quoted +
                                   " is not daily@HH:MM (a local time such as daily@08:00)");
  }
  DigestSchedule schedule;
  schedule.hour = TwoDigits(time.substr(0, 2));
  schedule.minute = TwoDigits(time.substr(3, 2));
  if (schedule.hour > 23) {
    return Status::InvalidArgument("digest: " + quoted + ": the hour must be 00 to 23");
  }
  if (schedule.minute > 59) {
    return Status::InvalidArgument("digest: " + quoted + ": the minute must be 00 to 59");
  }
  if (FindZone(timezone) == nullptr) {
    return Status::InvalidArgument("timezone: unknown time zone \"" + std::string(timezone) +
                                   "\" (expected an IANA name such as Europe/Berlin)");
  }
  schedule.timezone = std::string(timezone);
  return schedule;
}

std::string DigestScheduleText(const DigestSchedule& schedule) {
  char text[32];
  std::snprintf(text, sizeof text, "daily@%02d:%02d", schedule.hour, schedule.minute);
  return text;
}

TimeMs NextDigestTime(const DigestSchedule& schedule, TimeMs after) {
  using std::chrono::milliseconds;
  const date::time_zone* zone = FindZone(schedule.timezone);
  if (zone == nullptr) zone = FindZone("UTC");
  const auto at = std::chrono::hours(schedule.hour) + std::chrono::minutes(schedule.minute);
  if (zone == nullptr) {  // no database at all: UTC by arithmetic
    const auto day = date::floor<date::days>(date::sys_time<milliseconds>(milliseconds(after)));
    TimeMs send = (day + at).time_since_epoch() / milliseconds(1);
    if (send <= after) send += 24 * 3600 * 1000LL;
    return send;
  }
  const date::sys_time<milliseconds> now{milliseconds(after)};
  const date::local_days today = date::floor<date::days>(zone->to_local(now));
  // The send of the local day of `after`, or of one of the next two (a day
  // whose send falls into a gap maps to the end of the gap, still later).
  for (int d = 0; d < 3; ++d) {
    const date::sys_seconds send = LocalToSys(zone, today + date::days(d) + at);
    const TimeMs ms = send.time_since_epoch() / milliseconds(1);
    if (ms > after) return ms;
  }
  return after + 24 * 3600 * 1000LL;  // not reached: a local day always has a later send
}

}  // namespace vigil
