// Api: vigil's HTTP API as a function from request to response, served by
// api/http_server.h. Handle runs, in order:
//   1. body size (413 payload_too_large over ApiLimits::max_body_bytes);
//   2. routing (404 not_found, 405 method_not_allowed with Allow);
//   3. for token routes: "Authorization: Bearer <token>" (401 unauthorized,
//      with WWW-Authenticate), admin-only routes (403 forbidden), and the
//      per-token rate limit (429 rate_limited with Retry-After in seconds);
//   4. the route's handler, with a database connection leased for the request.
// A handler that throws answers 500 internal (the exception's text is
// logged, not returned). Every request is counted in the metrics registry
// (vigil_http_requests_total by route and status, and a duration histogram).
//
// A response with a stream (ApiResponse::stream) is continued with Poll,
// which leases a connection per step. On a token route the token is
// authenticated again at every step, so revoking it ends the stream.
//
// Thread safety: Handle may be called from many threads at once; each call
// leases its own connection.
#pragma once

#include <memory>

#include "api/api_env.h"
#include "api/api_types.h"
#include "api/rate_limiter.h"
#include "api/router.h"

namespace vigil {

class Api {
 public:
  // `env`'s pointers must outlive the Api.
  explicit Api(ApiEnv env);

  ApiResponse Handle(ApiRequest request);

  // The next step of a response's stream, with a connection leased from the
  // pool for this step only. The stream ends (end set, no text) when no
  // connection can be had, the step throws, or its token was revoked.
  StreamChunk Poll(ResponseStream* stream);

  const Router& router() const { return router_; }
  ApiEnv* env() { return &env_; }

 private:
  ApiResponse Dispatch(ApiRequest* request, const ApiRoute** matched);
  ApiResponse Authorized(const ApiRoute& route, ApiRequest* request);

  ApiEnv env_;
  Router router_;
  RateLimiter limiter_;
  RateLimiter webhook_limiter_;
};

}  // namespace vigil
