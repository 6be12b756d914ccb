// Identifiers: trace ids and run ids.
#pragma once

#include <string>

namespace vigil {

// 32 lowercase hex digits of randomness (128 bits), as W3C trace context uses.
// Thread-safe.
std::string NewTraceId();

// A run id: "run-" followed by 16 hex digits of randomness. Thread-safe.
std::string NewRunId();

}  // namespace vigil
