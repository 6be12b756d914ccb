// API tokens: bearer credentials for the HTTP API (api/). A token is
// "vigil_" followed by 64 hex digits (256 random bits from libsodium); it is
// shown once, at creation, and only its SHA-256 is stored. A token belongs
// to one tenant (sees only that tenant) or is an admin token (sees all).
//
// Lookup: the first 8 hex digits of the random part are stored in clear as
// a lookup key; every row with that key has its hash compared with the
// presented token's in constant time (sodium_memcmp). A revoked token
// never authenticates again.
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
#include "store/db.h"

namespace vigil {

struct ApiTokenRow {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> tenant_id;  // none: admin
  std::string tenant;                // tenant name; "" for admin
  TimeMs created_at = 0;
  std::optional<TimeMs> revoked_at;
};

struct NewApiToken {
  ApiTokenRow row;
  std::string token;  // the secret; shown once, never stored
};

// Creates a token called `name` (1 to 64 printable characters) for
// `tenant_id` (none: admin). InvalidArgument names a bad name.
Result<NewApiToken> CreateApiToken(Db* db, const std::string& name,
                                   std::optional<int64_t> tenant_id, TimeMs now);

// The token row `token` belongs to, or nullopt when it is malformed,
// unknown or revoked. Fails only with the database's error.
Result<std::optional<ApiTokenRow>> AuthenticateApiToken(Db* db, std::string_view token);

// Every token (revoked ones too), by id.
Result<std::vector<ApiTokenRow>> ListApiTokens(Db* db);

// Revokes token `id`. NotFound "no API token with id N"; revoking a revoked
// token is a no-op.
Status RevokeApiToken(Db* db, int64_t id, TimeMs now);

}  // namespace vigil
