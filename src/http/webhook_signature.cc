#include "http/webhook_signature.h"

#include <sodium.h>

#include <charconv>

namespace vigil {
namespace {

constexpr size_t kMacBytes = crypto_auth_hmacsha256_BYTES;  // 32
constexpr size_t kMacHexDigits = kMacBytes * 2;
// Unix seconds up to the year 5138; more digits are not a timestamp.
constexpr size_t kMaxTimestampDigits = 11;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// `text` as 64 lower-case hex digits, or nullopt.
std::optional<std::string> NormalizedMacHex(std::string_view text) {
  if (text.size() != kMacHexDigits) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!IsHexDigit(c)) return std::nullopt;
    out += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// The raw MAC of `t + "." + body` under `secret`.
void ComputeMac(std::string_view secret, int64_t timestamp, std::string_view body,
                unsigned char out[kMacBytes]) {
  const std::string prefix = std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

}  // namespace

Result<WebhookSignature> ParseWebhookSignature(std::string_view header) {
  WebhookSignature signature;
  bool have_timestamp = false;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view part = Trim(header.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string_view key = eq == std::string_view::npos ? part : part.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (key == "t") {
      if (have_timestamp) return Status::InvalidArgument("more than one t=");
      int64_t seconds = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (value.empty() || value.size() > kMaxTimestampDigits || value.front() == '-' ||
          ec != std::errc() || ptr != value.data() + value.size()) {
        return Status::InvalidArgument("t=" + std::string(value.substr(0, 32)) +
                                       ": not a unix time in seconds");
      }
      signature.timestamp = seconds;
      have_timestamp = true;
    } else if (key == "v1") {
      std::optional<std::string> hex = NormalizedMacHex(value);
      if (!hex) {
        return Status::InvalidArgument("v1=" + std::string(value.substr(0, 16)) +
                                       (value.size() > 16 ? "..." : "") +
                                       ": expected 64 hex digits");
      }
      signature.v1.push_back(std::move(*hex));
    }
  }
  if (!have_timestamp) return Status::InvalidArgument("no t= timestamp");
  if (signature.v1.empty()) return Status::InvalidArgument("no v1= signature");
  return signature;
}

std::string ComputeWebhookSignature(std::string_view secret, int64_t timestamp,
                                    std::string_view body) {
  (void)SodiumReady();
  unsigned char mac[kMacBytes];
  ComputeMac(secret, timestamp, body, mac);
  std::string hex(kMacHexDigits + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();
  return hex;
}

std::string WebhookSignatureHeaderValue(std::string_view secret, int64_t timestamp,
                                        std::string_view body) {
  return "t=" + std::to_string(timestamp) +
         ",v1=" + ComputeWebhookSignature(secret, timestamp, body);
}

std::optional<std::string> MatchWebhookSignature(const WebhookSignature& signature,
                                                 std::string_view secret, std::string_view body) {
  const std::string expected = ComputeWebhookSignature(secret, signature.timestamp, body);
  std::optional<std::string> match;
  // Every candidate is compared, so the time taken does not say which matched.
  for (const std::string& candidate : signature.v1) {
    if (candidate.size() == expected.size() &&
        sodium_memcmp(candidate.data(), expected.data(), expected.size()) == 0 && !match) {
      match = candidate;
    }
  }
  return match;
}

}  // namespace vigil
