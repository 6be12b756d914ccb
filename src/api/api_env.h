// ApiEnv: what the API's handlers work with. The app wires it (src/app/ is
// the only place that names concrete backends); the API holds pointers
// only, owned by the caller, which must outlive the Api.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db_pool.h"
#include "store/tenants.h"

namespace vigil {

class HttpClient;
class Queue;
class MetricsRegistry;
class SecretKey;
struct ChannelSpec;

// The API's limits. Every one has a default fit for production.
struct ApiLimits {
  size_t max_body_bytes = 1 << 20;  // larger bodies: 413 payload_too_large
  int max_json_depth = 32;          // deeper bodies: 400 json_too_deep
  int default_page_size = 100;
  int max_page_size = 1000;         // larger ?limit=: 400 bad_request
  // Per token: a bucket of `rate_burst` requests refilled at `rate_per_second`;
  // an empty bucket answers 429 rate_limited with Retry-After. 0: no limit.
  double rate_per_second = 50;
  int rate_burst = 100;
  // Webhooks: a signature's timestamp may be this far from now (either way).
  int64_t webhook_tolerance_ms = 300 * 1000;
  // Webhooks, per data source: a bucket of `webhook_burst` deliveries
  // refilled at `webhook_rate_per_second`, checked before the signature, so a
  // flood (signed or not) costs no database work; an empty bucket answers
  // 429 rate_limited with Retry-After. 0: no limit.
  double webhook_rate_per_second = 1;
  int webhook_burst = 10;
};

// The concrete backends the API uses but cannot name: the app supplies them
// (src/app/api_wiring.cc). The use cases themselves (adding and checking a
// data source, ...) are called directly in src/pipeline/.
struct ApiHooks {
  // The HTTP client Graph requests go through (POST
  // /api/v1/sources/{id}/test); null: that route answers 503 unavailable.
  std::shared_ptr<HttpClient> graph_http;
  // /readyz checks besides the database, e.g. {"redis", ...}, {"nats", ...}:
  // OK when reachable, otherwise the reason.
  std::vector<std::pair<std::string, std::function<Status()>>> readiness;
  // The channel kind's own checks of a new channel (a missing URL, a bad
  // address, ...), run before POST /api/v1/channels stores it: the app opens
  // the channel (app/channel_factory.h) and returns its status; an error is
  // answered as ErrorFromStatus does (InvalidArgument: 400). Null: that
  // route answers 503 unavailable.
  std::function<Status(const ChannelSpec&)> check_channel;
};

struct ApiEnv {
  DbPool* db_pool = nullptr;  // one lease per request
  Queue* queue = nullptr;     // syncs are enqueued here; /jobs lists it
  const Clock* clock = nullptr;
  MetricsRegistry* metrics = nullptr;
  // Opens the webhook secrets (store/webhook_store.h); null: POST /hooks
  // answers 503 unavailable. POST /api/v1/channels seals with it, or, when
  // null, with the key the environment names (store/secret_box.h
  // LoadSecretKey), as adding a data source does.
  const SecretKey* secret_key = nullptr;
  ApiLimits limits;
  ApiHooks hooks;
};

}  // namespace vigil
