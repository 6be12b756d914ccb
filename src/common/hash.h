// Content hashing: a stable 64-bit digest used to diff entities and finding
// details. Not cryptographic; stable across runs, machines and builds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

uint64_t Hash64(std::string_view data);

// Hash64 as 16 lowercase hex digits.
std::string HashHex(std::string_view data);

}  // namespace vigil
