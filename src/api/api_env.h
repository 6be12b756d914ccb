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

class Queue;
class MetricsRegistry;
class SecretKey;

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

// What the API cannot do without naming a concrete backend: the app
// supplies these (src/app/api_hooks.cc). An empty hook makes its route
// answer 503 unavailable, naming what is missing.
struct ApiHooks {
  // Creates the data source a POST /api/v1/sources body describes for
  // `tenant` (as `vigil source add` does). InvalidArgument names the field.
  std::function<Result<DataSourceRow>(Db* db, const TenantRow& tenant,
                                       const nlohmann::json& body)>
      add_source;
  // Checks a data source's connection and permissions (as `vigil source
  // test`); the result is the JSON the route returns.
  std::function<Result<nlohmann::json>(Db* db, const DataSourceRow& source)> test_source;
  // /readyz checks besides the database, e.g. {"redis", ...}, {"nats", ...}:
  // OK when reachable, otherwise the reason.
  std::vector<std::pair<std::string, std::function<Status()>>> readiness;
};

struct ApiEnv {
  DbPool* db_pool = nullptr;  // one lease per request
  Queue* queue = nullptr;     // syncs are enqueued here; /jobs lists it
  const Clock* clock = nullptr;
  MetricsRegistry* metrics = nullptr;
  // Opens the webhook secrets (store/webhook_store.h); null: POST /hooks
  // answers 503 unavailable.
  const SecretKey* secret_key = nullptr;
  ApiLimits limits;
  ApiHooks hooks;
};

}  // namespace vigil
