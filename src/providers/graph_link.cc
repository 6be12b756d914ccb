#include "providers/graph_link.h"

#include <algorithm>
#include <cctype>

namespace vigil {
namespace {

// A URI reference split as RFC 3986 appendix B splits it. Absent parts are
// not the same as empty ones ("?" has an empty query, "" has none).
struct UrlParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
};

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

UrlParts Split(std::string_view text) {
  UrlParts parts;
  text = text.substr(0, text.find('#'));  // the fragment is never sent
  // A scheme is what comes before the first ':' when that ':' comes before
  // any '/', '?' and '#' and the text before it is a valid scheme.
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon > 0 && colon < text.find_first_of("/?")) {
    bool valid = true;
    for (size_t i = 0; i < colon; ++i) valid = valid && IsSchemeChar(text[i], i == 0);
    if (valid) {
      parts.scheme = std::string(text.substr(0, colon));
      text.remove_prefix(colon + 1);
    }
  }
  if (text.substr(0, 2) == "//") {
    text.remove_prefix(2);
    const size_t end = text.find_first_of("/?");
    parts.authority = std::string(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end);
  }
  const size_t question = text.find('?');
  parts.path = std::string(text.substr(0, question));
  if (question != std::string_view::npos) parts.query = std::string(text.substr(question + 1));
  return parts;
}

// RFC 3986 section 5.2.4.
std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  while (!input.empty()) {
    if (input.substr(0, 3) == "../") {
      input.remove_prefix(3);
    } else if (input.substr(0, 2) == "./") {
      input.remove_prefix(2);
    } else if (input.substr(0, 3) == "/./") {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.substr(0, 4) == "/../" || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      const size_t last = output.rfind('/');
      output.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      // The first segment, with its leading '/' if any, up to the next '/'.
      const size_t end = input.find('/', input[0] == '/' ? 1 : 0);
      output.append(input.substr(0, end));
      input.remove_prefix(end == std::string_view::npos ? input.size() : end);
    }
  }
  return output;
}

// RFC 3986 section 5.2.3.
std::string Merge(const UrlParts& base, const std::string& reference_path) {
  if (base.authority && base.path.empty()) return "/" + reference_path;
  const size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return reference_path;
  return base.path.substr(0, slash + 1) + reference_path;
}

std::string Join(const UrlParts& parts) {
  std::string out;
  if (parts.scheme) out += Lower(*parts.scheme) + ":";
  if (parts.authority) out += "//" + *parts.authority;
  out += parts.path;
  if (parts.query) out += "?" + *parts.query;
  return out;
}

}  // namespace

std::optional<std::string> UrlOrigin(std::string_view url) {
  const UrlParts parts = Split(url);
  if (!parts.scheme || !parts.authority) return std::nullopt;
  const std::string scheme = Lower(*parts.scheme);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const std::string& authority = *parts.authority;
  if (authority.find('@') != std::string::npos) return std::nullopt;
  // host, or [IPv6 literal], then an optional ":port".
  size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {
    host_end = authority.find(']');
    if (host_end == std::string::npos) return std::nullopt;
    ++host_end;
  } else {
    host_end = std::min(authority.find(':'), authority.size());
  }
  const std::string host = Lower(std::string_view(authority).substr(0, host_end));
  if (host.empty() || host == "[]") return std::nullopt;
  std::string port;
  if (host_end < authority.size()) {
    if (authority[host_end] != ':') return std::nullopt;
    port = authority.substr(host_end + 1);
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    port.erase(0, std::min(port.find_first_not_of('0'), port.size()));
    if (port.empty()) return std::nullopt;  // ":" alone, or port 0
  }
  const bool default_port =
      port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  return scheme + "://" + host + (default_port ? "" : ":" + port);
}

std::string ResolveUrlReference(std::string_view base_text, std::string_view reference_text) {
  const UrlParts base = Split(base_text);
  const UrlParts reference = Split(reference_text);
  if (!base.scheme) return std::string(reference_text);
  UrlParts target;
  if (reference.scheme) {
    target = reference;
    target.path = RemoveDotSegments(reference.path);
  } else {
    if (reference.authority) {
      target.authority = reference.authority;
      target.path = RemoveDotSegments(reference.path);
      target.query = reference.query;
    } else {
      if (reference.path.empty()) {
        target.path = base.path;
        target.query = reference.query ? reference.query : base.query;
      } else {
        target.path = reference.path[0] == '/' ? RemoveDotSegments(reference.path)
                                               : RemoveDotSegments(Merge(base, reference.path));
        target.query = reference.query;
      }
      target.authority = base.authority;
    }
    target.scheme = base.scheme;
  }
  return Join(target);
}

}  // namespace vigil
