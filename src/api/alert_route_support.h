// What the alert routes share (alert_routes.cc, alert_list_routes.cc,
// alert_bulk_routes.cc): finding the alert a path names, reading a request
// body that holds only known fields, and the fields of an operator action
// ("reason", "until"). Every failure is the response to give: 400
// bad_request naming the parameter or field, or the uniform 404.
//
// Thread-safe (no state).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/alert_row.h"
#include "api/api_types.h"
#include "api/router.h"
#include "common/clock.h"
#include "common/status.h"

namespace vigil {

// Most characters (UTF-8 code points) of an action's reason.
inline constexpr size_t kMaxReasonChars = 500;

// 400 bad_request: `<name>: "<value>" is not <what>`, `what` naming the
// accepted values.
ApiResponse BadParameter(std::string_view name, const std::string& value, std::string_view what);

// The alert {alert_id} when the caller may see it; otherwise the 404
// "alert <id> not found" (also for an id that is not a number).
std::optional<ApiResponse> ResolveAlert(const ApiRequest& request, const RouteCall& call,
                                        AlertRow* out);

// The request body as a JSON object holding only `known` fields (an empty
// body is {}); otherwise the 400 naming what is wrong.
std::optional<ApiResponse> BodyFields(const ApiRequest& request, const RouteCall& call,
                                      std::initializer_list<std::string_view> known,
                                      nlohmann::json* out);

// The string field `key` of `body` as an action's reason: "" when absent or
// null; InvalidArgument "<key>: expected a string, got <type>" or "<key>: 501
// characters; at most 500 are accepted".
Result<std::string> ReasonField(const nlohmann::json& body, std::string_view key = "reason");

// The required field "until": an ISO 8601 time after `now`.
// InvalidArgument "until: required", "until: expected a string, got
// number", `until: "next week" is not an ISO 8601 time`, `until: "..." is
// not in the future (now is <now>)`.
Result<TimeMs> UntilField(const nlohmann::json& body, TimeMs now);

}  // namespace vigil
