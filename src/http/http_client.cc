#include "http/http_client.h"

#include <string_view>

namespace vigil {
namespace {

void AppendFormEncoded(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const unsigned char c : text) {
    const bool as_is = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~';
    if (as_is) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

std::string DescribeRequest(const HttpRequest& request) {
  const size_t query = request.url.find('?');
  return request.method + " " + request.url.substr(0, query);
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    AppendFormEncoded(name, &out);
    out.push_back('=');
    AppendFormEncoded(value, &out);
  }
  return out;
}

}  // namespace vigil
