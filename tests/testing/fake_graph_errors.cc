#include "testing/fake_graph_errors.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "common/time.h"

namespace vigil::testing::fake_graph {
namespace {

std::string UtcNow() {  // "2026-01-01T00:00:00" as Graph's innerError.date has it
  std::string text = FormatIso8601(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes * 2; ++i) out.push_back(kHex[rng() & 15]);
  return out;
}

std::string Guid() {
  std::string hex = RandomHex(16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

FakeGraphReply GraphError(int status, const std::string& code, const std::string& message) {
  const std::string id = Guid();
  nlohmann::json body = {
      {"error",
       {{"code", code},
        {"message", message},
        {"innerError", {{"date", UtcNow()}, {"request-id", id}, {"client-request-id", id}}}}}};
  return {status, body.dump()};
}

FakeGraphReply IdentityError(int status, const std::string& error, int aadsts,
                             const std::string& description) {
  const std::string trace = Guid(), correlation = Guid(), now = UtcNow() + "Z";
  nlohmann::json body = {
      {"error", error},
      {"error_description", "AADSTS" + std::to_string(aadsts) + ": " + description + " Trace ID: " +
                                trace + " Correlation ID: " + correlation + " Timestamp: " + now},
      {"error_codes", {aadsts}},
      {"timestamp", now},
      {"trace_id", trace},
      {"correlation_id", correlation}};
  return {status, body.dump()};
}

// The body an injected status gets when the fault has none.
FakeGraphReply DefaultFaultReply(int status, bool token_path) {
  if (token_path) {
    if (status == 401)
      return IdentityError(401, "invalid_client", 7000215, "Invalid client secret provided.");
    if (status < 500 && status != 429)
      return IdentityError(status, "invalid_request", 900144, "The request is not valid.");
    return IdentityError(status, "temporarily_unavailable", 50196,
                         "The server is temporarily unavailable.");
  }
  static const std::map<int, std::pair<const char*, const char*>> kErrors = {
      {400, {"BadRequest", "The request is not valid."}},
      {401, {"InvalidAuthenticationToken", "Access token has expired or is not yet valid."}},
      {403, {"Authorization_RequestDenied", "Insufficient privileges to complete the operation."}},
      {404, {"Request_ResourceNotFound", "Resource does not exist."}},
      {429, {"TooManyRequests", "Too many requests. Please try again later."}},
      {500, {"InternalServerError", "An internal server error occurred."}},
      {502, {"BadGateway", "The gateway received an invalid response."}},
      {503, {"serviceNotAvailable", "The service is temporarily unavailable."}},
      {504, {"GatewayTimeout", "The gateway timed out."}},
  };
  auto it = kErrors.find(status);
  if (it == kErrors.end()) return GraphError(status, "UnknownError", "An error occurred.");
  return GraphError(status, it->second.first, it->second.second);
}

FakeGraphReply NotFound(const std::string& path) {
  return GraphError(
      404, "Request_ResourceNotFound",
      "Resource '" + path +
          "' does not exist or one of its queried reference-property objects are not present.");
}

FakeGraphReply BadSkipToken() {
  return GraphError(400, "BadRequest", "The $skiptoken is not valid.");
}

FakeGraphReply ResyncRequired() {
  return GraphError(
      410, "resyncRequired",
      "The delta token is expired or not valid; the application must do a full resync.");
}

}  // namespace vigil::testing::fake_graph
