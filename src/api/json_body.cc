#include "api/json_body.h"

#include <algorithm>
#include <string>

namespace vigil {
namespace {

// Walks a JSON text without building anything, to find where parsing
// stops: the DOM parser reports a number it cannot hold (out_of_range 406)
// without its position, the SAX interface gives it.
class ErrorFinder : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception&) override {
    position_ = position;
    token_ = last_token;
    return false;
  }

  size_t position() const { return position_; }  // bytes read, the token's included
  const std::string& token() const { return token_; }

 private:
  size_t position_ = 0;
  std::string token_;
};

constexpr size_t kTokenShown = 20;

// 400 invalid_json for a number that no double holds, naming its first
// byte (1-based, as parse errors do) and the number (cut when long).
ApiResponse NumberOutOfRange(std::string_view body) {
  ErrorFinder finder;
  nlohmann::json::sax_parse(body, &finder);
  const std::string& token = finder.token();
  const size_t first = finder.position() >= token.size() ? finder.position() - token.size() + 1 : 1;
  const std::string shown =
      token.size() <= kTokenShown
          ? token
          : token.substr(0, kTokenShown) + "..., " + std::to_string(token.size()) + " characters";
  return ErrorResponse(400, api_error::kInvalidJson,
                       "request body: the number at byte " + std::to_string(first) + " (" + shown +
                           ") is too large");
}

}  // namespace

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
  } catch (const nlohmann::json::out_of_range&) {
    return NumberOutOfRange(body);  // the only one parse throws: a number beyond a double
  } catch (const nlohmann::json::exception& e) {
    return ErrorResponse(400, api_error::kInvalidJson,
                         std::string("request body: not valid JSON (") + e.what() + ")");
  }
  if (require_object && !out->is_object()) {
    return ErrorResponse(400, api_error::kInvalidJson,
                         std::string("request body: expected a JSON object, got ") +
                             out->type_name());
  }
  return std::nullopt;
}

}  // namespace vigil
