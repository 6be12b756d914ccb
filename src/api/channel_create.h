// POST /api/v1/channels: the request body read into a channel, with the
// fields `vigil channel add` takes named by their JSON keys, the secrets in
// the body instead of files, and the route as an object:
//
//   {"name", "kind", "tenant" (the owner's name),
//    "url", "signing_secret", "routing_key", "smtp_url", "smtp_user",
//    "smtp_password", "from", "to": [addresses],
//    "route": {"tenants": [names], "types": [globs], "min_severity",
//              "changes": [...], "group_wait", "repeat_interval",
//              "digest": "daily@HH:MM", "timezone"},
//    "give_up", "timeout", "max_retry_wait", "max_per_second": number}
//
// Durations are text as the channel's JSON shows them ("30s", "6h"; "0" or
// "0ms" for none where none is allowed), never bare numbers. Defaults are
// the CLI's: min_severity low, changes opened, reopened, resolved,
// group_wait 30s, repeat_interval 0, timezone UTC, give_up 6h, timeout 10s,
// max_retry_wait 5m (retries wait 1s, doubling up to it).
//
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "notify/channel_spec.h"

namespace vigil {

struct ChannelBody {
  // Everything but the tenants (route.tenant_ids and tenant_id are left
  // for the route to resolve); the secrets as given, so signing_secret is
  // empty when the caller gave none.
  ChannelSpec spec;
  std::optional<std::string> owner;        // "tenant"
  std::vector<std::string> route_tenants;  // "route"."tenants"
};

// Reads `body` (an object). InvalidArgument (400) naming the field: an
// unknown field (also inside "route"), a field of the wrong JSON type, a bad
// name, an unknown kind, a secret that is empty, holds more than one line or
// is larger than 64 KiB, a duration that is not one, a bad digest or time
// zone, a negative max_per_second, and what ValidateRoute refuses (as
// "route.<field>: ..."). Type errors name the type sent, never the value.
Result<ChannelBody> ReadChannelBody(const nlohmann::json& body);

}  // namespace vigil
