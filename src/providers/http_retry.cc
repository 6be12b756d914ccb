#include "providers/http_retry.h"

#include <algorithm>

namespace vigil {

std::optional<int64_t> RetryAfterSeconds(const HttpResponse& response) {
  auto it = response.headers.find("retry-after");
  if (it == response.headers.end() || it->second.empty() || it->second.size() > 9) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

std::string FirstErrorLine(std::string_view text) {
  const size_t end = text.find_first_of("\r\n");
  std::string line(text.substr(0, end));
  if (line.size() > kMaxErrorMessageBytes) {
    line.resize(kMaxErrorMessageBytes);
    line.append("...");
  }
  return line;
}

JitterBackoff::JitterBackoff(int64_t initial_ms, int64_t max_ms, uint64_t seed)
    : initial_ms_(initial_ms), max_ms_(max_ms), rng_(seed != 0 ? seed : std::random_device{}()) {}

int64_t JitterBackoff::Wait(int attempt) {
  int64_t cap = std::max<int64_t>(initial_ms_, 0);
  for (int i = 1; i < attempt && cap < max_ms_; ++i) cap *= 2;
  cap = std::min(cap, max_ms_);
  if (cap <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_int_distribution<int64_t>(0, cap)(rng_);
}

}  // namespace vigil
