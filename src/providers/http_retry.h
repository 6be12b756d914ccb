// What the API clients (providers/graph_client.h, providers/google_client.h)
// share to retry a request and to report its error: the Retry-After header,
// exponential backoff with full jitter, and the one line of an error
// message that goes into vigil's own messages.
//
// Thread-safe: a JitterBackoff may be used by several threads at once.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "http/http_client.h"

namespace vigil {

// Error messages of a service are cut to this many bytes.
inline constexpr size_t kMaxErrorMessageBytes = 300;

// Retry-After in whole seconds; nullopt when absent or not a number (an HTTP
// date is not honoured).
std::optional<int64_t> RetryAfterSeconds(const HttpResponse& response);

// The first line of `text`, at most kMaxErrorMessageBytes long ("..." marks
// a cut).
std::string FirstErrorLine(std::string_view text);

// The wait before retry `attempt` (1-based): a uniform draw in
// [0, min(max_ms, initial_ms * 2^(attempt-1))]; 0 when that cap is not above 0.
class JitterBackoff {
 public:
  // seed 0: a random seed.
  JitterBackoff(int64_t initial_ms, int64_t max_ms, uint64_t seed);
  int64_t Wait(int attempt);

 private:
  const int64_t initial_ms_;
  const int64_t max_ms_;
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace vigil
