// Route: which alert transitions go to a channel, and how they are grouped.
// Every channel has exactly one route (set with the channel).
//
//  - tenants: ids of the tenants it takes; empty: every tenant (a channel
//    owned by a tenant takes only that tenant, whatever this says).
//  - types: alert type globs ("mfa.*", "privilege.global_admin_count"; `*`
//    matches any run of characters, `?` one); empty: every type.
//  - min_severity: low < medium < high < critical.
//  - changes: which notify/notification.h changes it sends. "flapping" and
//    "stable" are sent whenever the route takes the alert at all (they say
//    why the alert goes quiet and when it speaks again).
//  - group_wait_ms: transitions of one (channel, tenant) pending within this
//    time of the first go out as one message; 0 sends at once.
//  - repeat_interval_ms: > 0 reminds of alerts still open (not acknowledged,
//    not snoozed, not flapping) that often; 0: never.
//  - digest: set: no message per group; one per period with everything the
//    period collected, across tenants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "notify/digest_schedule.h"

namespace vigil {

struct Route {
  std::vector<int64_t> tenant_ids;
  std::vector<std::string> types;
  std::string min_severity = "low";
  std::vector<std::string> changes = {"opened", "reopened", "resolved"};
  int64_t group_wait_ms = 30000;
  int64_t repeat_interval_ms = 0;
  std::optional<DigestSchedule> digest;
};

// What a route is asked about one transition.
struct RouteInput {
  int64_t tenant_id = 0;
  std::string_view alert_type;
  std::string_view severity;
  std::string_view change;
};

// Whether `route` (of a channel owned by `owner`, if any) takes `input`.
bool RouteTakes(const Route& route, std::optional<int64_t> owner, const RouteInput& input);

// Whether `glob` matches all of `text` (`*` any run, `?` one character).
bool GlobMatches(std::string_view glob, std::string_view text);

// Severity rank: low 0, medium 1, high 2, critical 3; -1 for an unknown name.
int SeverityRank(std::string_view severity);

// Checks a route as a user gave it: InvalidArgument naming the field and the
// bad value ("changes: unknown change \"opend\" (expected one of opened,
// reopened, ...)", "min_severity: ...", "types: empty glob", "group_wait:
// negative"), or when it can send nothing (no changes).
Status ValidateRoute(const Route& route);

}  // namespace vigil
