#include "api/api.h"

#include <chrono>
#include <exception>

#include "api/routes.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "store/api_tokens.h"

namespace vigil {
namespace {

constexpr std::string_view kBearer = "Bearer ";

ApiResponse Unauthorized(std::string_view message) {
  ApiResponse response = ErrorResponse(401, api_error::kUnauthorized, message);
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
  return response;
}

StreamChunk EndOfStream() {
  StreamChunk end;
  end.end = true;
  return end;
}

// A token route's stream: the token is authenticated again before every
// step, so a revoked token ends the stream at its next step.
class TokenCheckedStream : public ResponseStream {
 public:
  TokenCheckedStream(std::string token, int64_t token_id, std::shared_ptr<ResponseStream> inner)
      : token_(std::move(token)), token_id_(token_id), inner_(std::move(inner)) {}

  StreamChunk Next(Db* db) override {
    Result<std::optional<ApiTokenRow>> row = AuthenticateApiToken(db, token_);
    if (!row.ok()) {
      Log(LogLevel::kWarn, "api.stream_ended", {{"error", row.status().ToString()}});
      return EndOfStream();
    }
    if (!row->has_value() || (*row)->id != token_id_) return EndOfStream();
    return inner_->Next(db);
  }
  std::string Heartbeat() const override { return inner_->Heartbeat(); }

 private:
  const std::string token_;
  const int64_t token_id_;
  const std::shared_ptr<ResponseStream> inner_;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

Api::Api(ApiEnv env)
    : env_(std::move(env)),
      limiter_(env_.limits.rate_per_second, env_.limits.rate_burst, env_.clock),
      webhook_limiter_(env_.limits.webhook_rate_per_second, env_.limits.webhook_burst,
                       env_.clock) {
  AddTenantRoutes(&router_);
  AddExclusionRoutes(&router_);
  AddSourceRoutes(&router_);
  AddAlertRoutes(&router_);
  AddAlertListRoutes(&router_);
  AddAlertBulkRoutes(&router_);
  AddOverviewRoutes(&router_);
  AddChannelRoutes(&router_);
  AddNotificationRoutes(&router_);
  AddJobRoutes(&router_);
  AddTraceRoutes(&router_);
  AddEventStreamRoutes(&router_);
  AddRolloutRoutes(&router_);
  AddWebhookRoutes(&router_);
  AddSessionRoutes(&router_);
  AddOpsRoutes(&router_);
  AddConsoleRoutes(&router_);
}

ApiResponse Api::Handle(ApiRequest request) {
  const auto start = std::chrono::steady_clock::now();
  const ApiRoute* route = nullptr;
  ApiResponse response;
  try {
    response = Dispatch(&request, &route);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "api.handler_failed",
        {{"method", request.method}, {"path", request.path}, {"error", e.what()}});
    response = ErrorResponse(500, api_error::kInternal, "internal error; the server log has details");
  }
  if (env_.metrics != nullptr) {
    const std::string pattern = route != nullptr ? route->pattern : "(unmatched)";
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    env_.metrics
        ->GetCounter("vigil_http_requests_total", "HTTP requests answered, by route and status",
                     {{"method", request.method},
                      {"route", pattern},
                      {"status", std::to_string(response.status)}})
        ->Inc();
    env_.metrics
        ->GetHistogram("vigil_http_request_duration_seconds", "HTTP request handling time",
                       DurationBuckets(), {{"route", pattern}})
        ->Observe(seconds);
  }
  return response;
}

StreamChunk Api::Poll(ResponseStream* stream) {
  Result<DbLease> lease = env_.db_pool->Acquire();
  if (!lease.ok()) {
    Log(LogLevel::kWarn, "api.stream_ended", {{"error", lease.status().ToString()}});
    return EndOfStream();
  }
  try {
    return stream->Next(lease->get());
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "api.stream_failed", {{"error", e.what()}});
    return EndOfStream();
  }
}

ApiResponse Api::Dispatch(ApiRequest* request, const ApiRoute** matched) {
  if (request->body.size() > env_.limits.max_body_bytes) {
    return ErrorResponse(413, api_error::kPayloadTooLarge,
                         "request body: " + std::to_string(request->body.size()) +
                             " bytes; at most " + std::to_string(env_.limits.max_body_bytes) +
                             " are accepted");
  }
  Router::Match match = router_.Find(request);
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      ApiResponse response =
          ErrorResponse(405, api_error::kMethodNotAllowed,
                        request->method + " is not allowed on " + request->path + " (allowed: " +
                            Join(match.allowed) + ")");
      response.headers.emplace_back("Allow", Join(match.allowed));
      return response;
    }
    return ErrorResponse(404, api_error::kNotFound, "no route " + request->path);
  }
  *matched = match.route;
  if (match.route->auth == RouteAuth::kPublic) {
    RouteCall call{&env_, nullptr, nullptr, &webhook_limiter_};
    return match.route->handler(*request, call);
  }
  return Authorized(*match.route, request);
}

ApiResponse Api::Authorized(const ApiRoute& route, ApiRequest* request) {
  std::optional<std::string> header = request->Header("authorization");
  if (!header) return Unauthorized("missing Authorization: Bearer <token>");
  if (header->rfind(kBearer, 0) != 0) {
    return Unauthorized("Authorization: expected \"Bearer <token>\"");
  }
  const std::string_view token = std::string_view(*header).substr(kBearer.size());
  Result<DbLease> lease = env_.db_pool->Acquire();
  if (!lease.ok()) return ErrorFromStatus(lease.status());
  Result<std::optional<ApiTokenRow>> row = AuthenticateApiToken(lease->get(), token);
  if (!row.ok()) return ErrorFromStatus(row.status());
  if (!row->has_value()) return Unauthorized("the token is unknown or revoked");
  Principal principal;
  principal.token_id = (*row)->id;
  principal.token_name = (*row)->name;
  principal.tenant_id = (*row)->tenant_id;
  if (route.auth == RouteAuth::kAdmin && !principal.admin()) {
    return ErrorResponse(403, api_error::kForbidden,
                         route.method + " " + route.pattern + " needs an admin token");
  }
  RateLimiter::Decision decision = limiter_.Admit(principal.token_id);
  if (!decision.admitted) {
    return RateLimitedResponse("rate limit of token \"" + principal.token_name + "\" reached",
                               decision.retry_after_ms);
  }
  RouteCall call{&env_, lease->get(), &principal, &webhook_limiter_};
  ApiResponse response = route.handler(*request, call);
  if (response.stream) {
    response.stream = std::make_shared<TokenCheckedStream>(std::string(token), principal.token_id,
                                                           std::move(response.stream));
  }
  return response;
}

}  // namespace vigil
