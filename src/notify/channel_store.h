// The `channels` table: a channel's settings, route and delivery policy as a
// JSON object, with its secrets (url, signing_secret, routing_key,
// smtp_password) sealed under the operator's secret key (store/secret_box.h).
// Nothing here logs or returns a secret except LoadChannelSpecs, which opens
// them for the notifier; the listing says only which secrets are set.
//
// Thread safety: as the Db's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/channel_spec.h"
#include "store/db.h"
#include "store/secret_box.h"

namespace vigil {

// A channel as `vigil channels` and the API show it: no secret, and how its
// deliveries are going.
struct ChannelRow {
  int64_t id = 0;
  std::string name;
  std::string kind;
  std::optional<int64_t> tenant_id;
  std::string tenant;               // the owner's name; empty for an MSP-wide channel
  std::vector<std::string> route_tenants;  // names of Route::tenant_ids
  Route route;
  DeliveryPolicy policy;
  std::string smtp_url;             // email: not secret
  std::string smtp_user;
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> secrets;  // names of the secrets set, e.g. {"url", "signing_secret"}
  TimeMs created_at = 0;
  std::optional<TimeMs> last_attempt_at;
  std::string last_outcome;         // "", "sent", "retry", "failed"
  std::string last_error;
  int64_t pending = 0;              // notifications waiting
  int64_t failed = 0;               // notifications given up on
};

// A channel name: 1 to 64 characters of letters, digits, '.', '-' and '_'.
Status ValidateChannelName(std::string_view name);

// Stores `spec` (id ignored) with its secrets sealed under `key`; returns the
// new id. AlreadyExists "channel \"ops\" exists" when the name is taken;
// InvalidArgument for a bad name, an unknown kind or route (ValidateRoute);
// NotFound when a route tenant or the owner does not exist. Whether the
// kind's own fields are complete is the channel factory's check, which the
// caller runs first.
Result<int64_t> AddChannel(Db* db, const ChannelSpec& spec, const SecretKey& key, TimeMs now);

// Removes the channel `name` and its pending notifications (the delivery log
// stays). NotFound "no channel \"ops\"".
Status RemoveChannel(Db* db, std::string_view name);

// Every channel (optionally only those of `tenant_id`), by name.
Result<std::vector<ChannelRow>> ListChannels(Db* db, std::optional<int64_t> tenant_id = {});
// One channel by name; NotFound "no channel \"ops\"".
Result<ChannelRow> GetChannel(Db* db, std::string_view name);

// Every channel with its secrets opened (the notifier's view). A channel
// whose secrets do not open under `key` is an InvalidArgument naming it.
Result<std::vector<ChannelSpec>> LoadChannelSpecs(Db* db, const SecretKey& key);
// One, by name (`vigil channel test`).
Result<ChannelSpec> LoadChannelSpec(Db* db, std::string_view name, const SecretKey& key);

// Records the latest delivery attempt's outcome on the channel (shown by
// `vigil channels`).
Status NoteChannelAttempt(Db* db, int64_t channel_id, TimeMs at, std::string_view outcome,
                          std::string_view error);

}  // namespace vigil
