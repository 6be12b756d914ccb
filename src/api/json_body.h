// The JSON body of a request, within the API's limits: a body that is not
// JSON answers 400 invalid_json naming the byte where parsing stopped (for
// a number no double can hold, such as 1e400, the byte where it starts and
// the number); one
// nested deeper than ApiLimits::max_json_depth answers 400 json_too_deep
// before it is parsed (so a hostile body cannot exhaust the stack).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "api/api_types.h"

namespace vigil {

// The nesting depth of the JSON text `text` (arrays and objects; strings
// are skipped with their escapes). Counts brackets only, so it is defined
// for any bytes, JSON or not.
int JsonDepth(std::string_view text);

// Parses `body` into *out. Returns the error response when it is not a JSON
// value, deeper than `max_depth`, or (when require_object) not an object.
std::optional<ApiResponse> ParseJsonBody(std::string_view body, int max_depth,
                                         nlohmann::json* out, bool require_object = true);

}  // namespace vigil
