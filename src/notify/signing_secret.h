// A webhook channel's signing secret when the user gives none: 32 random
// bytes as 64 lower-case hex digits (the HMAC-SHA256 key of
// X-Vigil-Signature). `vigil channel add` and POST /api/v1/channels make
// one the same way and show it once.
//
// Thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace vigil {

// A new secret; Internal when libsodium cannot be initialised.
Result<std::string> NewSigningSecret();

}  // namespace vigil
