// `vigil serve` (scheduler, workers, event relay, HTTP API) and `vigil
// worker` (workers only): one set of flags and one run, which differ only in
// what `scheduler` switches on. The process's life (signals, drain, worker
// name, log lines) is ProcessLifecycle's.
#include <algorithm>
#include <optional>
#include <ostream>

#include "app/api_wiring.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/process_lifecycle.h"
#include "app/service.h"
#include "events/nats_bus.h"
#include "observe/log.h"
#include "queue/redis_queue.h"

namespace vigil {
namespace {

constexpr int64_t kRedisFinishedJobsKept = 10000;

// The flags of serve/worker once checked.
struct ServeSettings {
  LogLevel log_level = LogLevel::kInfo;
  int64_t lease_ms = 0;
  int64_t drain_ms = 0;
  int64_t coalesce_ms = 0;
  int64_t poll_ms = 0;
  int64_t reconcile_ms = 0;
  int64_t retain_ms = 0;
  std::optional<HttpAddress> http;  // serve only; nullopt: no HTTP
};

// Checks the flags in the order they are documented; on the first bad one
// prints "vigil: <flag>: <why>" and returns nullopt (a usage error).
std::optional<ServeSettings> CheckServeFlags(const ServeCommand& cmd, bool scheduler,
                                             std::ostream& err) {
  ServeSettings s;
  if (!ParseLogLevel(cmd.log_level, &s.log_level)) {
    err << "vigil: --log-level: \"" << cmd.log_level << "\" is not debug, info, warn or error\n";
    return std::nullopt;
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
  if (!reconcile) return std::nullopt;
  if (*reconcile <= 0) {
    err << "vigil: --reconcile: must be more than 0\n";
    return std::nullopt;
  }
  std::optional<int64_t> retain =
      cmd.retain == "0" ? std::optional<int64_t>(0) : DurationOrReport("--retain", cmd.retain, err);
  if (!retain) return std::nullopt;
  if (!RedisUrlOkOrReport(cmd.redis, err)) return std::nullopt;
  if (scheduler) {  // `vigil worker` serves no HTTP
    Result<std::optional<HttpAddress>> parsed = ParseHttpAddress(cmd.http);
    if (!parsed.ok()) {
      err << "vigil: --http: " << parsed.status().message() << "\n";
      return std::nullopt;
    }
    s.http = *parsed;
  }
  s.lease_ms = *lease;
  s.drain_ms = *drain;
  s.coalesce_ms = *coalesce;
  s.poll_ms = *poll;
  s.reconcile_ms = *reconcile;
  s.retain_ms = *retain;
  return s;
}

// What the service runs: the local queue, or with --redis the Redis queue
// behind the job outbox; events in-process, or with --nats on NATS.
ServiceOptions MakeServiceOptions(const ServeCommand& cmd, bool scheduler,
                                  const ServeSettings& settings, const Clock* clock) {
  ServiceOptions options;
  options.db_path = cmd.db;
  options.run_scheduler = scheduler;
  options.run_relay = scheduler;
  options.concurrency = cmd.concurrency;
  options.lease_ms = settings.lease_ms;
  options.notifier.lease_ms = settings.lease_ms;  // a delivery is held as long as a job
  options.stalled_check_ms = std::max<int64_t>(settings.lease_ms / 2, 100);
  options.coalesce_window_ms = settings.coalesce_ms;
  options.poll_ms = settings.poll_ms;
  options.worker_name = ProcessLifecycle::WorkerName(cmd.name);
  options.retention_ms = settings.retain_ms;
  if (!cmd.redis.empty()) {
    RedisQueueOptions redis;
    redis.url = cmd.redis;
    redis.name = "vigil";
    // Redis keeps the newest finished jobs for dashboards; the database's
    // job outbox keeps every one until --retain.
    redis.remove_on_complete = kRedisFinishedJobsKept;
    redis.remove_on_fail = kRedisFinishedJobsKept;
    options.open_primary_queue = [redis, clock]() { return OpenRedisQueue(redis, clock); };
    options.prefetch = cmd.prefetch < 0 ? cmd.concurrency : cmd.prefetch;
    options.reconcile_ms = settings.reconcile_ms;
    options.reconcile_grace_ms = std::max<int64_t>(settings.reconcile_ms, 1000);
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
  return options;
}

// The HTTP API on `address`, adding jobs to the service's queue.
Result<std::unique_ptr<ApiServer>> StartApi(const ServeCommand& cmd, const HttpAddress& address,
                                            Service* service, const Clock* clock) {
  ApiServerOptions options;
  options.db = cmd.db;
  options.address = address;
  options.threads = cmd.http_threads;
  options.max_connections = cmd.http_max_connections;
  options.max_connections_per_client = cmd.http_max_connections_per_client;
  options.rate_per_second = cmd.api_rate;
  options.redis_url = cmd.redis;
  options.nats_url = cmd.nats;
  return ApiServer::Start(options, service->queue(), clock);
}

void AddServiceOptions(CLI::App* c, ServeCommand* cmd) {
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--concurrency", cmd->concurrency, "jobs run at the same time")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  c->add_option("--lease", cmd->lease,
                "how long a running job is held before another worker may take it over\n"
                "(renewed while it runs; a crashed worker's jobs run again after it);\n"
                "a message being delivered is held as long")
      ->capture_default_str();
  c->add_option("--drain", cmd->drain,
                "on SIGINT/SIGTERM, how long to wait for running jobs before exiting")
      ->capture_default_str();
  c->add_option("--coalesce", cmd->coalesce,
                "a sync whose tenant has no other sync queued or running is analyzed at\n"
                "once; while others are, the syncs finishing within this window share one\n"
                "analysis at its end (0: always at once)")
      ->capture_default_str();
  c->add_option("--poll", cmd->poll,
                "how often to look for jobs added by other processes")
      ->capture_default_str();
  c->add_option("--log-level", cmd->log_level, "debug, info, warn or error")
      ->capture_default_str();
  c->add_option("--name", cmd->name, "worker name in job leases (default: host:pid)");
  c->add_option("--redis", cmd->redis,
                "run the queue on Redis (redis://[[user]:password@]host[:port][/db], BullMQ\n"
                "layout, queue \"vigil\"); jobs are written to the database's job outbox\n"
                "first, and the local queue takes over while Redis is unreachable");
  c->add_option("--prefetch", cmd->prefetch,
                "with --redis: jobs a process holds at most, running ones included (default:\n"
                "--concurrency, so no job waits for a busy thread); a finished job is\n"
                "reported and the next taken in one round trip (0: each worker thread takes\n"
                "and completes its own jobs, two round trips per job)")
      ->check(CLI::Range(0, 1024));
  c->add_option("--reconcile", cmd->reconcile,
                "with --redis: how often serve re-enqueues unfinished jobs Redis lost")
      ->capture_default_str();
  c->add_option("--nats", cmd->nats,
                "publish events to NATS (nats://host:port; JetStream stream VIGIL, subjects\n"
                "vigil.<tenant id>.<type>, deduplicated by outbox id) instead of in-process");
  c->add_option("--retain", cmd->retain,
                "serve removes finished jobs and published events older than this, hourly\n"
                "(alerts, their history, syncs and traces are kept); 0 keeps everything")
      ->capture_default_str();
}

// serve only: `vigil worker` does not serve HTTP.
void AddHttpOptions(CLI::App* c, ServeCommand* cmd) {
  c->add_option("--http", cmd->http,
                "serve the HTTP API (/api/v1, /hooks, /metrics, /healthz, /readyz) on\n"
                "host:port; port 0 picks a free one (logged in serve.started); off: no HTTP")
      ->capture_default_str();
  c->add_option("--http-threads", cmd->http_threads,
                "threads that run API handlers (database work); connections are served\n"
                "by an event loop and hold none while idle or sending")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  c->add_option("--http-max-connections", cmd->http_max_connections,
                "open HTTP connections at most; more get 503 and are closed")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  c->add_option("--http-max-connections-per-client", cmd->http_max_connections_per_client,
                "open HTTP connections at most from one client address (raise it behind a\n"
                "reverse proxy, whose connections all come from one address)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  c->add_option("--api-rate", cmd->api_rate,
                "requests/s each API token may make (bursts of twice that); 0: no limit")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
}

}  // namespace

int RunServe(const ServeCommand& cmd, bool scheduler, std::ostream& /*out*/, std::ostream& err) {
  std::optional<ServeSettings> settings = CheckServeFlags(cmd, scheduler, err);
  if (!settings) return kExitUsage;
  SetLogLevel(settings->log_level);
  // Creates and migrates the database before anything else opens it.
  if (!OpenDatabaseOrReport(cmd.db, err)) return kExitFailed;

  ProcessLifecycle lifecycle(scheduler ? "serve" : "worker");  // before any thread starts
  auto clock = NewSystemClock();
  const ServiceOptions options = MakeServiceOptions(cmd, scheduler, *settings, clock.get());
  Result<std::unique_ptr<Service>> service = Service::Start(options, clock.get());
  if (!service.ok()) {
    err << "vigil: " << service.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<ApiServer> api;
  if (settings->http) {
    Result<std::unique_ptr<ApiServer>> started =
        StartApi(cmd, *settings->http, service->get(), clock.get());
    if (!started.ok()) {
      err << "vigil: " << started.status().message() << "\n";
      (*service)->Stop(settings->drain_ms);
      return kExitFailed;
    }
    api = std::move(*started);
  }
  lifecycle.LogStarted({{"db", cmd.db},
                        {"queue", cmd.redis.empty() ? "local" : "redis"},
                        {"events", cmd.nats.empty() ? "in-process" : "nats"},
                        {"worker", options.worker_name},
                        {"concurrency", cmd.concurrency},
                        {"prefetch", cmd.redis.empty() ? 0 : options.prefetch},
                        {"http", api ? api->address().ToString() : std::string("off")}});

  lifecycle.WaitForStopSignal(settings->drain_ms);
  // No new requests (and so no new jobs from the API) while the service drains.
  if (api) api->Stop();
  const int abandoned = (*service)->Stop(settings->drain_ms);
  const int status = lifecycle.Finish(abandoned, {});
  api.reset();  // before the service: the Api holds its queue
  service->reset();
  return status;
}

void AddServeCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<ServeCommand>();
  CLI::App* c = app.add_subcommand(
      "serve",
      "run the pipeline: the scheduler enqueues due syncs, workers run sync and analyze\n"
      "jobs, events are relayed and logged (JSON lines on stderr), alert changes are\n"
      "delivered to the channels (vigil channels; needs the secret key), the HTTP API\n"
      "answers on --http. SIGINT/SIGTERM stop the HTTP server, drain running jobs and exit 0");
  AddServiceOptions(c, cmd.get());
  AddHttpOptions(c, cmd.get());
  OnRun(c, cmd, cli, [](const ServeCommand& flags, std::ostream& out, std::ostream& err) {
    return RunServe(flags, /*scheduler=*/true, out, err);
  });
}

void AddWorkerCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<ServeCommand>();
  CLI::App* c = app.add_subcommand(
      "worker",
      "run workers only (more processes on the same database): jobs, and delivery to the\n"
      "channels, shared with the other processes; `vigil serve` schedules and relays events");
  AddServiceOptions(c, cmd.get());
  OnRun(c, cmd, cli, [](const ServeCommand& flags, std::ostream& out, std::ostream& err) {
    return RunServe(flags, /*scheduler=*/false, out, err);
  });
}

}  // namespace vigil
