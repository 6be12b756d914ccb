// Router: the API's route table. A route (ApiRoute) is a method, a path pattern whose
// {name} segments match one non-empty path segment each, who may call it,
// and its handler. Match finds the route of a request; a path that matches
// some route but not with this method is told apart (405 with Allow), so
// the dispatcher's 404 means "no such path".
//
// Routes are added once at start; Match is then safe from any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_types.h"
#include "api/principal.h"

namespace vigil {

struct ApiEnv;
class Db;
class RateLimiter;

// Who may call a route.
enum class RouteAuth {
  kPublic,  // no token (health, metrics, the OpenAPI document, webhooks with their own check)
  kToken,   // any valid token; the handler filters by the principal's tenant
  kAdmin,   // an admin token only (403 forbidden for a tenant token)
};

// What a handler gets besides the request.
struct RouteCall {
  ApiEnv* env = nullptr;
  // A connection leased for this request; null on kPublic routes (which
  // lease one themselves when they need it).
  Db* db = nullptr;
  // The caller; null on kPublic routes.
  const Principal* principal = nullptr;
  // Webhook deliveries, per data source (ApiLimits::webhook_rate_per_second).
  RateLimiter* webhook_limiter = nullptr;
};

using RouteHandler = std::function<ApiResponse(const ApiRequest&, RouteCall&)>;

// (Not `Route`: that is a channel's route, notify/route.h.)
struct ApiRoute {
  std::string method;   // "GET", "POST", "PUT", "DELETE"
  std::string pattern;  // "/api/v1/alerts/{id}"
  RouteAuth auth = RouteAuth::kToken;
  RouteHandler handler;
};

class Router {
 public:
  // Adds a route. A pattern must start with '/'; two routes with the same
  // method and pattern are a programming error (the second is ignored).
  void Add(ApiRoute route);

  struct Match {
    const ApiRoute* route = nullptr;   // the route; null when none matched
    std::vector<std::string> allowed;  // when route is null: methods the path has (405)
  };
  // The route for (method, path), filling request->params from its {name}
  // segments. HEAD matches GET routes.
  Match Find(ApiRequest* request) const;

  const std::vector<ApiRoute>& routes() const { return routes_; }

 private:
  std::vector<ApiRoute> routes_;
};

}  // namespace vigil
