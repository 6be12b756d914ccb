// ApiRequest and ApiResponse: an HTTP exchange as the API's handlers see it,
// independent of the server library (api/http_server.h serves them with Boost.Beast),
// so handlers are tested by calling them and the server end to end.
//
// Every error the API returns is JSON with a stable machine code and a
// message for humans: {"error": {"code": "not_found", "message": "..."}}.
// The codes are part of the API's contract (README, openapi.json).
//
// A response may go on as a stream (ApiResponse::stream): its body is the
// first piece, and the server asks the stream for the next pieces until it
// ends (api/http_connection.h writes them; the live event stream of
// api/event_stream_routes.cc is one).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, e.g. "/api/v1/alerts/7"
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;              // names lower-cased
  std::string body;
  std::string remote_addr;
  // Filled by the router: the {name} segments of the matched route.
  std::map<std::string, std::string> params;

  // The first query parameter called `name`, if any.
  std::optional<std::string> Query(std::string_view name) const;
  // The header `name` (lower case), if any.
  std::optional<std::string> Header(std::string_view name) const;
  // The path parameter `name` ("" when the route has none of that name).
  const std::string& Param(const std::string& name) const;
};

class Db;

// One step of a streamed response (ResponseStream::Next).
struct StreamChunk {
  std::string text;   // to send now; may be empty (nothing new)
  bool more = false;  // more is ready: ask again without waiting
  bool end = false;   // the stream is over: send `text`, then close
};

// The rest of a response body, produced piece by piece over a long-lived
// connection that ends when the stream ends (no Content-Length; the server
// closes the connection after the last piece).
//
// Thread safety: Next is called on a handler thread, never twice at once;
// Heartbeat from any thread.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The next piece, with `db` leased for this call only.
  virtual StreamChunk Next(Db* db) = 0;
  // What to send after a silence, so proxies and the client see the
  // connection alive (for Server-Sent Events, a comment line).
  virtual std::string Heartbeat() const = 0;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: the body is only the first piece; the rest comes from here.
  std::shared_ptr<ResponseStream> stream;
};

// Stable error codes (the "code" of an error body).
namespace api_error {
inline constexpr std::string_view kBadRequest = "bad_request";          // 400: a parameter
inline constexpr std::string_view kInvalidJson = "invalid_json";        // 400: body not JSON
inline constexpr std::string_view kJsonTooDeep = "json_too_deep";       // 400: nesting limit
inline constexpr std::string_view kUnauthorized = "unauthorized";       // 401: no/bad token
inline constexpr std::string_view kForbidden = "forbidden";             // 403: admin only
inline constexpr std::string_view kNotFound = "not_found";              // 404
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";  // 405
inline constexpr std::string_view kConflict = "conflict";               // 409
inline constexpr std::string_view kRequestTimeout = "request_timeout";   // 408: too slow
inline constexpr std::string_view kPayloadTooLarge = "payload_too_large";   // 413
inline constexpr std::string_view kHeadersTooLarge = "headers_too_large";   // 431
inline constexpr std::string_view kUnsupportedMediaType = "unsupported_media_type";  // 415
inline constexpr std::string_view kRateLimited = "rate_limited";        // 429
inline constexpr std::string_view kInvalidSignature = "invalid_signature";  // 401: webhook
inline constexpr std::string_view kStaleTimestamp = "stale_timestamp";      // 401: webhook
inline constexpr std::string_view kReplayedDelivery = "replayed_delivery";  // 409: webhook
inline constexpr std::string_view kInternal = "internal";               // 500
inline constexpr std::string_view kUnavailable = "unavailable";         // 503
}  // namespace api_error

// A JSON response with `body` serialised.
ApiResponse JsonResponse(int status, const nlohmann::json& body);

// {"error": {"code": code, "message": message}} with `status`.
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message);

// The error response for a failed Status: NotFound 404 not_found,
// InvalidArgument 400 bad_request, AlreadyExists 409 conflict,
// FailedPrecondition 409 conflict, PermissionDenied 403 forbidden,
// Unavailable 503 unavailable, anything else 500 internal.
ApiResponse ErrorFromStatus(const Status& status);

// 429 rate_limited with Retry-After: whole seconds until `retry_after_ms`
// has passed (at least 1). `message` says whose limit; "; retry in <n> s"
// is appended.
ApiResponse RateLimitedResponse(const std::string& message, int64_t retry_after_ms);

// The uniform 404 for a thing the caller may not see or that does not
// exist (the two are indistinguishable on purpose): "<what> not found".
ApiResponse NotFoundResponse(std::string_view what);

}  // namespace vigil
