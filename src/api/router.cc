#include "api/router.h"

#include <algorithm>

namespace vigil {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` matches `pattern`; fills `params` when it does.
bool PathMatches(std::string_view pattern, std::string_view path,
                 std::map<std::string, std::string>* params) {
  const auto want = Segments(pattern);
  const auto have = Segments(path);
  if (want.size() != have.size()) return false;
  // A trailing slash is a different path ("/api/v1/alerts/" is not a route).
  if (path.size() > 1 && path.back() == '/') return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsParam(want[i])) {
      found[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(have[i]);
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(ApiRoute route) {
  for (const ApiRoute& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) return;
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(ApiRequest* request) const {
  Match match;
  const std::string method = request->method == "HEAD" ? "GET" : request->method;
  for (const ApiRoute& r : routes_) {
    std::map<std::string, std::string> params;
    if (!PathMatches(r.pattern, request->path, &params)) continue;
    if (r.method == method) {
      request->params = std::move(params);
      match.route = &r;
      match.allowed.clear();
      return match;
    }
    if (std::find(match.allowed.begin(), match.allowed.end(), r.method) == match.allowed.end()) {
      match.allowed.push_back(r.method);
    }
  }
  return match;
}

}  // namespace vigil
