#include "console/http_negotiation.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

namespace vigil {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The weight of one Accept-Encoding element's parameters ("q=0.5"): 1 when
// none is given; 0 for a weight that is not a number (refuse what we cannot read).
double Weight(std::string_view params) {
  while (!params.empty()) {
    const size_t semicolon = params.find(';');
    std::string_view param = Trim(params.substr(0, semicolon));
    params = semicolon == std::string_view::npos ? "" : params.substr(semicolon + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q' ||
        param[1] != '=') {
      continue;
    }
    const std::string value(Trim(param.substr(2)));
    if (value.empty() || !(std::isdigit(static_cast<unsigned char>(value[0])))) return 0;
    return std::strtod(value.c_str(), nullptr);
  }
  return 1;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  double gzip = -1;  // -1: not named
  double any = -1;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    const size_t semicolon = element.find(';');
    const std::string_view coding = Trim(element.substr(0, semicolon));
    const double weight =
        semicolon == std::string_view::npos ? 1 : Weight(element.substr(semicolon + 1));
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = std::max(gzip, weight);
    } else if (coding == "*") {
      any = std::max(any, weight);
    }
  }
  if (gzip >= 0) return gzip > 0;
  return any > 0;
}

bool IfNoneMatchMatches(std::string_view if_none_match,
                        const std::vector<std::string_view>& etags) {
  std::string_view rest = Trim(if_none_match);
  if (rest == "*") return true;
  while (!rest.empty()) {
    if (IsSpace(rest.front()) || rest.front() == ',') {
      rest.remove_prefix(1);
      continue;
    }
    if (rest.substr(0, 2) == "W/") rest.remove_prefix(2);
    if (rest.empty() || rest.front() != '"') return false;
    const size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    const std::string_view tag = rest.substr(0, close + 1);
    if (std::find(etags.begin(), etags.end(), tag) != etags.end()) return true;
    rest.remove_prefix(close + 1);
  }
  return false;
}

}  // namespace vigil
