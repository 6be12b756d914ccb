// The operator's routes, all public (no token): a load balancer and
// Prometheus call them without credentials, so none of them returns a
// tenant's data.
//
//   GET /healthz               200 {"status":"ok"}: the process answers.
//   GET /readyz                the database (a leased connection answers a Ping)
//                              and every ApiHooks::readiness check: 200
//                              {"ready":true,"checks":{"database":{"ok":true},...}},
//                              or 503 {"ready":false,...} with "reason" on each
//                              failing check.
//   GET /metrics               the process registry in Prometheus text (0.0.4),
//                              after refreshing the gauges read from the
//                              database and the queue at each scrape.
//   GET /api/v1/openapi.json   the OpenAPI document (api/openapi.h).
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "alerts/alert_store.h"
#include "analysis/alert_types.h"
#include "api/api_env.h"
#include "api/openapi.h"
#include "api/routes.h"
#include "events/outbox.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "queue/job_outbox.h"
#include "queue/queue.h"

namespace vigil {
namespace {

constexpr std::string_view kPrometheusText = "text/plain; version=0.0.4";

// The (type, severity) series of vigil_open_alerts set so far, per registry:
// a scrape that no longer counts one sets it to 0 instead of leaving its old
// value (a gauge cannot vanish from a registry).
class OpenAlertSeries {
 public:
  // The series to set from `counts`: every one counted, and 0 for each seen
  // before (or seeded: every alert type at its default severity) that is not.
  std::map<std::pair<std::string, std::string>, int64_t> Fill(
      MetricsRegistry* registry, std::map<std::pair<std::string, std::string>, int64_t> counts) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = seen_.try_emplace(registry);
    if (fresh) {
      for (const AlertTypeInfo& type : AllAlertTypes()) {
        it->second.emplace(std::string(type.name), std::string(SeverityName(type.severity)));
      }
    }
    for (const auto& [series, count] : counts) it->second.insert(series);
    for (const auto& series : it->second) counts.try_emplace(series, 0);
    return counts;
  }

 private:
  std::mutex mu_;
  std::map<MetricsRegistry*, std::set<std::pair<std::string, std::string>>> seen_;
};

OpenAlertSeries* OpenAlerts() {
  static OpenAlertSeries* series = new OpenAlertSeries();
  return series;
}

void CountScrapeError(MetricsRegistry* metrics, std::string_view source, const Status& error) {
  Log(LogLevel::kWarn, "metrics.collect_failed", {{"source", source}, {"error", error.message()}});
  metrics
      ->GetCounter("vigil_metrics_collect_errors_total",
                   "Scrapes whose figures from the database or the queue could not be read",
                   {{"source", std::string(source)}})
      ->Inc();
}

// The gauges read from the database: open alerts and the two outboxes.
Status CollectFromDatabase(ApiEnv* env) {
  MetricsRegistry* metrics = env->metrics;
  VIGIL_ASSIGN_OR_RETURN(DbLease lease, env->db_pool->Acquire());
  Db* db = lease.get();
  VIGIL_ASSIGN_OR_RETURN(auto counts, CountOpenAlertsByType(db));
  for (const auto& [series, count] : OpenAlerts()->Fill(metrics, std::move(counts))) {
    metrics
        ->GetGauge("vigil_open_alerts", "Open alerts, by alert type and severity",
                   {{"type", series.first}, {"severity", series.second}})
        ->Set(static_cast<double>(count));
  }
  VIGIL_ASSIGN_OR_RETURN(int64_t events, CountUnpublished(db));
  metrics
      ->GetGauge("vigil_event_outbox_backlog",
                 "Events in the outbox not yet published to the event bus")
      ->Set(static_cast<double>(events));
  VIGIL_ASSIGN_OR_RETURN(int64_t jobs, CountUnfinishedOutboxJobs(db));
  metrics
      ->GetGauge("vigil_job_outbox_backlog",
                 "Jobs in the job outbox not finished yet (Redis mode; 0 on the local queue)")
      ->Set(static_cast<double>(jobs));
  return Status::Ok();
}

Status CollectFromQueue(ApiEnv* env) {
  VIGIL_ASSIGN_OR_RETURN(JobCounts counts, env->queue->Counts());
  const std::pair<std::string_view, int64_t> states[] = {
      {"waiting", counts.waiting},     {"delayed", counts.delayed}, {"active", counts.active},
      {"completed", counts.completed}, {"failed", counts.failed},
  };
  for (const auto& [state, count] : states) {
    env->metrics
        ->GetGauge("vigil_queue_jobs", "Jobs in the queue, by state",
                   {{"state", std::string(state)}})
        ->Set(static_cast<double>(count));
  }
  env->metrics->GetGauge("vigil_queue_paused", "1 while the queue is paused")
      ->Set(counts.paused ? 1 : 0);
  return Status::Ok();
}

ApiResponse Metrics(const ApiRequest& /*request*/, RouteCall& call) {
  ApiEnv* env = call.env;
  if (env->metrics == nullptr) {
    return ErrorResponse(503, api_error::kUnavailable, "this server keeps no metrics");
  }
  // A figure that cannot be read keeps its last value; the rest is still
  // served (and the error counted), so one failing backend does not blind
  // every dashboard.
  if (env->db_pool != nullptr) {
    Status collected = CollectFromDatabase(env);
    if (!collected.ok()) CountScrapeError(env->metrics, "database", collected);
  }
  if (env->queue != nullptr) {
    Status collected = CollectFromQueue(env);
    if (!collected.ok()) CountScrapeError(env->metrics, "queue", collected);
  }
  ApiResponse response;
  response.content_type = std::string(kPrometheusText);
  response.body = env->metrics->Render();
  return response;
}

Status CheckDatabase(ApiEnv* env) {
  if (env->db_pool == nullptr) return Status::Unavailable("no database configured");
  VIGIL_ASSIGN_OR_RETURN(DbLease lease, env->db_pool->Acquire());
  return Ping(lease.get());
}

ApiResponse Ready(const ApiRequest& /*request*/, RouteCall& call) {
  ApiEnv* env = call.env;
  bool ready = true;
  nlohmann::json checks = nlohmann::json::object();
  auto record = [&](const std::string& name, const Status& status) {
    if (status.ok()) {
      checks[name] = {{"ok", true}};
      return;
    }
    ready = false;
    checks[name] = {{"ok", false}, {"reason", status.message()}};
  };
  record("database", CheckDatabase(env));
  for (const auto& [name, check] : env->hooks.readiness) {
    if (!check) continue;
    Status status;
    try {
      status = check();
    } catch (const std::exception& e) {
      status = Status::Internal(std::string("check threw: ") + e.what());
    }
    record(name, status);
  }
  return JsonResponse(ready ? 200 : 503, {{"ready", ready}, {"checks", checks}});
}

ApiResponse Healthy(const ApiRequest& /*request*/, RouteCall& /*call*/) {
  return JsonResponse(200, {{"status", "ok"}});
}

ApiResponse OpenApi(const ApiRequest& /*request*/, RouteCall& /*call*/) {
  ApiResponse response;
  response.body = std::string(OpenApiDocument());
  return response;
}

}  // namespace

void AddOpsRoutes(Router* router) {
  router->Add({"GET", "/healthz", RouteAuth::kPublic, Healthy});
  router->Add({"GET", "/readyz", RouteAuth::kPublic, Ready});
  router->Add({"GET", "/metrics", RouteAuth::kPublic, Metrics});
  router->Add({"GET", "/api/v1/openapi.json", RouteAuth::kPublic, OpenApi});
}

}  // namespace vigil
