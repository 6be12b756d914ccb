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

// The content hash of a stored entity: 16 hex digits over its display name
// and attributes together (the two parts cannot be confused with each other).
std::string ContentHash(std::string_view name, std::string_view attributes);

// ContentHash without allocating: its 16 hex digits written to out[0..15].
void ContentHashTo(std::string_view name, std::string_view attributes, char out[16]);

}  // namespace vigil
