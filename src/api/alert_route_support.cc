#include "api/alert_route_support.h"

#include "alerts/alert_store.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/scope.h"
#include "common/time.h"

namespace vigil {
namespace {

// The UTF-8 code points of `text` (bytes that do not continue one).
size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string NotA(std::string_view name, const std::string& value, std::string_view what) {
  return std::string(name) + ": \"" + value + "\" is not " + std::string(what);
}

}  // namespace

ApiResponse BadParameter(std::string_view name, const std::string& value, std::string_view what) {
  return ErrorResponse(400, api_error::kBadRequest, NotA(name, value, what));
}

std::optional<ApiResponse> ResolveAlert(const ApiRequest& request, const RouteCall& call,
                                        AlertRow* out) {
  const std::string& id = request.Param("alert_id");
  const std::string what = "alert " + id;
  std::optional<int64_t> alert_id = ParseId(id);
  if (!alert_id) return NotFoundResponse(what);
  Result<std::optional<AlertRow>> alert = GetAlert(call.db, *alert_id);
  if (!alert.ok()) return ErrorFromStatus(alert.status());
  if (!alert->has_value() || !call.principal->MaySee((*alert)->tenant_id)) {
    return NotFoundResponse(what);
  }
  *out = std::move(**alert);
  return std::nullopt;
}

std::optional<ApiResponse> BodyFields(const ApiRequest& request, const RouteCall& call,
                                      std::initializer_list<std::string_view> known,
                                      nlohmann::json* out) {
  if (request.body.empty()) {
    *out = nlohmann::json::object();
    return std::nullopt;
  }
  if (auto bad = ParseJsonBody(request.body, call.env->limits.max_json_depth, out)) return bad;
  if (Status s = CheckKnownFields(*out, known); !s.ok()) return ErrorFromStatus(s);
  return std::nullopt;
}

Result<std::string> ReasonField(const nlohmann::json& body, std::string_view key) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> reason, OptionalStringField(body, key));
  if (!reason) return std::string();
  const size_t chars = CodePoints(*reason);
  if (chars > kMaxReasonChars) {
    return Status::InvalidArgument(std::string(key) + ": " + std::to_string(chars) +
                                   " characters; at most " + std::to_string(kMaxReasonChars) +
                                   " are accepted");
  }
  return std::move(*reason);
}

Result<TimeMs> UntilField(const nlohmann::json& body, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, RequiredStringField(body, "until"));
  Result<TimeMs> time = ParseIso8601(text);
  if (!time.ok()) return Status::InvalidArgument(NotA("until", text, "an ISO 8601 time"));
  if (*time <= now) {
    return Status::InvalidArgument(
        NotA("until", text, "in the future (now is " + FormatIso8601(now) + ")"));
  }
  return *time;
}

}  // namespace vigil
