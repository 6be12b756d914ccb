#include "api/json_body.h"

#include <string>

namespace vigil {

int JsonDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::optional<ApiResponse> ParseJsonBody(std::string_view body, int max_depth,
                                         nlohmann::json* out, bool require_object) {
  const int depth = JsonDepth(body);
  if (depth > max_depth) {
    return ErrorResponse(400, api_error::kJsonTooDeep,
                         "request body: JSON nested " + std::to_string(depth) +
                             " levels deep; at most " + std::to_string(max_depth) +
                             " are accepted");
  }
  try {
    *out = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return ErrorResponse(400, api_error::kInvalidJson,
                         "request body: not valid JSON at byte " + std::to_string(e.byte));
  }
  if (require_object && !out->is_object()) {
    return ErrorResponse(400, api_error::kInvalidJson,
                         std::string("request body: expected a JSON object, got ") +
                             out->type_name());
  }
  return std::nullopt;
}

}  // namespace vigil
