#include "api/api_types.h"

#include <algorithm>

namespace vigil {

std::optional<std::string> ApiRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> ApiRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

const std::string& ApiRequest::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

ApiResponse JsonResponse(int status, const nlohmann::json& body) {
  ApiResponse response;
  response.status = status;
  // Invalid UTF-8 in stored text (a provider's display name) is replaced,
  // never a reason to fail the response.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return JsonResponse(status, body);
}

ApiResponse RateLimitedResponse(const std::string& message, int64_t retry_after_ms) {
  const int64_t seconds = std::max<int64_t>(1, (retry_after_ms + 999) / 1000);
  ApiResponse response = ErrorResponse(429, api_error::kRateLimited,
                                       message + "; retry in " + std::to_string(seconds) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

ApiResponse ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case Code::kNotFound:
      return ErrorResponse(404, api_error::kNotFound, status.message());
    case Code::kInvalidArgument:
      return ErrorResponse(400, api_error::kBadRequest, status.message());
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return ErrorResponse(409, api_error::kConflict, status.message());
    case Code::kPermissionDenied:
      return ErrorResponse(403, api_error::kForbidden, status.message());
    case Code::kUnavailable:
      return ErrorResponse(503, api_error::kUnavailable, status.message());
    default:
      return ErrorResponse(500, api_error::kInternal, status.message());
  }
}

ApiResponse NotFoundResponse(std::string_view what) {
  return ErrorResponse(404, api_error::kNotFound, std::string(what) + " not found");
}

}  // namespace vigil
