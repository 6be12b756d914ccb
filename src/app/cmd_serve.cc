#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <ostream>

#include "app/api_wiring.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/service.h"
#include "observe/log.h"
#include "events/nats_bus.h"
#include "queue/redis_queue.h"

namespace vigil {
namespace {

std::string DefaultWorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "vigil") + ":" + std::to_string(getpid());
}

constexpr int64_t kRedisFinishedJobsKept = 10000;

}  // namespace

int RunServe(const ServeCommand& cmd, bool scheduler, std::ostream& /*out*/, std::ostream& err) {
  LogLevel level = LogLevel::kInfo;
  if (!ParseLogLevel(cmd.log_level, &level)) {
    err << "vigil: --log-level: \"" << cmd.log_level << "\" is not debug, info, warn or error\n";
    return kExitUsage;
  }
  std::optional<int64_t> lease = DurationOrReport("--lease", cmd.lease, err);
  std::optional<int64_t> drain = lease ? DurationOrReport("--drain", cmd.drain, err) : std::nullopt;
  std::optional<int64_t> coalesce =
      !drain                 ? std::nullopt
      : cmd.coalesce == "0" ? std::optional<int64_t>(0)
                             : DurationOrReport("--coalesce", cmd.coalesce, err);
  std::optional<int64_t> poll = coalesce ? DurationOrReport("--poll", cmd.poll, err) : std::nullopt;
  std::optional<int64_t> reconcile =
      poll ? DurationOrReport("--reconcile", cmd.reconcile, err) : std::nullopt;
  if (!reconcile) return kExitUsage;
  if (*reconcile <= 0) {
    err << "vigil: --reconcile: must be more than 0\n";
    return kExitUsage;
  }
  std::optional<int64_t> retain =
      cmd.retain == "0" ? std::optional<int64_t>(0) : DurationOrReport("--retain", cmd.retain, err);
  if (!retain) return kExitUsage;
  if (!RedisUrlOkOrReport(cmd.redis, err)) return kExitUsage;
  // `vigil worker` serves no HTTP.
  std::optional<HttpAddress> http;
  if (scheduler) {
    Result<std::optional<HttpAddress>> parsed = ParseHttpAddress(cmd.http);
    if (!parsed.ok()) {
      err << "vigil: --http: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    http = *parsed;
  }
  SetLogLevel(level);

  // Creates and migrates the database before anything else opens it.
  if (!OpenDatabaseOrReport(cmd.db, err)) return kExitFailed;

  // SIGINT/SIGTERM are taken by sigwait below: block them before any thread
  // starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServiceOptions options;
  options.db_path = cmd.db;
  options.run_scheduler = scheduler;
  options.run_relay = scheduler;
  options.concurrency = cmd.concurrency;
  options.lease_ms = *lease;
  options.stalled_check_ms = std::max<int64_t>(*lease / 2, 100);
  options.coalesce_window_ms = *coalesce;
  options.poll_ms = *poll;
  options.worker_name = cmd.name.empty() ? DefaultWorkerName() : cmd.name;
  options.retention_ms = *retain;
  auto clock = NewSystemClock();
  if (!cmd.redis.empty()) {
    RedisQueueOptions redis;
    redis.url = cmd.redis;
    redis.name = "vigil";
    // Redis keeps the newest finished jobs for dashboards; the database's
    // job outbox keeps every one until --retain.
    redis.remove_on_complete = kRedisFinishedJobsKept;
    redis.remove_on_fail = kRedisFinishedJobsKept;
    const Clock* c = clock.get();
    options.open_primary_queue = [redis, c]() { return OpenRedisQueue(redis, c); };
    options.prefetch = cmd.prefetch < 0 ? cmd.concurrency : cmd.prefetch;
    options.reconcile_ms = *reconcile;
    options.reconcile_grace_ms = std::max<int64_t>(*reconcile, 1000);
  }
  if (!cmd.nats.empty()) {
    NatsBusOptions nats;
    nats.url = cmd.nats;
    nats.require_server = false;  // serve starts while NATS is away; the outbox keeps events
    options.open_bus = [nats]() -> Result<std::unique_ptr<EventBus>> {
      VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<NatsBus> bus, OpenNatsBus(nats));
      return std::unique_ptr<EventBus>(std::move(bus));
    };
  }
  Result<std::unique_ptr<Service>> service = Service::Start(options, clock.get());
  if (!service.ok()) {
    err << "vigil: " << service.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<ApiServer> api;
  if (http) {
    ApiServerOptions api_options;
    api_options.db = cmd.db;
    api_options.address = *http;
    api_options.threads = cmd.http_threads;
    api_options.max_connections = cmd.http_max_connections;
    api_options.max_connections_per_client = cmd.http_max_connections_per_client;
    api_options.rate_per_second = cmd.api_rate;
    api_options.redis_url = cmd.redis;
    api_options.nats_url = cmd.nats;
    Result<std::unique_ptr<ApiServer>> started =
        ApiServer::Start(api_options, (*service)->queue(), clock.get());
    if (!started.ok()) {
      err << "vigil: " << started.status().message() << "\n";
      (*service)->Stop(*drain);
      return kExitFailed;
    }
    api = std::move(*started);
  }
  const char* role = scheduler ? "serve" : "worker";
  Log(LogLevel::kInfo, std::string(role) + ".started",
      {{"db", cmd.db}, {"queue", cmd.redis.empty() ? "local" : "redis"},
       {"events", cmd.nats.empty() ? "in-process" : "nats"},
       {"worker", options.worker_name}, {"concurrency", cmd.concurrency},
       {"prefetch", cmd.redis.empty() ? 0 : options.prefetch},
       {"http", api ? api->address().ToString() : std::string("off")},
       {"pid", static_cast<int64_t>(getpid())}});

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  Log(LogLevel::kInfo, std::string(role) + ".draining",
      {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}, {"deadline_ms", *drain}});
  // No new requests (and so no new jobs from the API) while the service drains.
  if (api) api->Stop();
  const int abandoned = (*service)->Stop(*drain);
  if (abandoned > 0) {
    Log(LogLevel::kWarn, std::string(role) + ".abandoned",
        {{"jobs", abandoned},
         {"note", "their leases expire and they run again after recovery"}});
    // Abandoned jobs still run on worker threads; leave without waiting for them.
    std::_Exit(kExitOk);
  }
  Log(LogLevel::kInfo, std::string(role) + ".stopped", {});
  api.reset();  // before the service: the Api holds its queue
  service->reset();
  return kExitOk;
}

}  // namespace vigil
