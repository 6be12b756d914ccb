#include "app/cli_pipeline.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/cli_support.h"

namespace vigil {
namespace {

void AddServeOptions(CLI::App* c, ServeCommand* cmd) {
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--concurrency", cmd->concurrency, "jobs run at the same time")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  c->add_option("--lease", cmd->lease,
                "how long a running job is held before another worker may take it over\n"
                "(renewed while it runs; a crashed worker's jobs run again after it)")
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

void AddPipelineCommands(CLI::App* app, PipelineCommandArgs* args, int* status,
                         std::ostream& out, std::ostream& err) {
  auto* serve = app->add_subcommand(
      "serve",
      "run the pipeline: the scheduler enqueues due syncs, workers run sync and analyze\n"
      "jobs, events are relayed and logged (JSON lines on stderr), the HTTP API answers\n"
      "on --http. SIGINT/SIGTERM stop the HTTP server, drain running jobs and exit 0");
  AddServeOptions(serve, &args->serve);
  AddHttpOptions(serve, &args->serve);
  serve->callback([=, &out, &err] { *status = RunServe(args->serve, true, out, err); });

  auto* worker = app->add_subcommand(
      "worker",
      "run workers only (more processes on the same database); `vigil serve` schedules\n"
      "and relays events");
  AddServeOptions(worker, &args->worker);
  worker->callback([=, &out, &err] { *status = RunServe(args->worker, false, out, err); });

  MigrateCommand& migrate = args->migrate;
  auto* m = app->add_subcommand(
      "migrate", "apply the schema migrations to a database and print its schema version");
  m->add_option("--db", migrate.db, kDbHelp)->capture_default_str();
  m->callback([=, &out, &err] { *status = RunMigrate(args->migrate, out, err); });

  HealthCommand& health = args->health;
  auto* h = app->add_subcommand(
      "health",
      "check the database (opens, schema version, writable) and Redis (reachable, version,\n"
      "maxmemory-policy noeviction, persistence); one line per check, exit 1 on a FAIL");
  h->add_option("--db", health.db, kDbHelp)->capture_default_str();
  h->add_option("--redis", health.redis, "also check this Redis server (redis:// URL)");
  h->add_flag("--json", health.json, "print the checks as a JSON array");
  h->callback([=, &out, &err] { *status = RunHealth(args->health, out, err); });

  TriggerCommand& trigger = args->trigger;
  auto* t = app->add_subcommand(
      "trigger", "enqueue a sync of a tenant's data sources now; prints the job and trace ids");
  t->add_option("--db", trigger.db, kDbHelp)->capture_default_str();
  t->add_option("--tenant", trigger.tenant, "tenant name")->required();
  t->add_option("--source", trigger.source, "only this data source (default: all of them)");
  t->add_flag("--force", trigger.force,
              "accept a sync that deletes more than half of a kind of entity");
  t->add_option("--redis", trigger.redis,
                "the Redis URL `vigil serve --redis` uses: the job goes to the database's\n"
                "job outbox, then to Redis (kept and relayed later while Redis is unreachable)");
  t->add_flag("--json", trigger.json, "print the jobs as JSON");
  t->callback([=, &out, &err] { *status = RunTrigger(args->trigger, out, err); });

  JobsCommand& jobs = args->jobs;
  auto* j = app->add_subcommand("jobs", "list recent jobs, newest first, with their trace ids");
  j->add_option("--db", jobs.db, kDbHelp)->capture_default_str();
  j->add_option("--tenant", jobs.tenant, "only this tenant's jobs");
  j->add_option("--state", jobs.state, "waiting, delayed, active, completed or failed");
  j->add_option("--limit", jobs.limit, "at most this many")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  j->add_option("--redis", jobs.redis,
                "the Redis URL `vigil serve --redis` uses: lists the jobs in Redis too");
  j->add_flag("--json", jobs.json, "print a JSON array");
  j->callback([=, &out, &err] { *status = RunJobs(args->jobs, out, err); });

  EventsTailCommand& tail = args->events_tail;
  auto* events = app->add_subcommand("events", "follow vigil's events");
  events->require_subcommand(1);
  auto* e = events->add_subcommand(
      "tail",
      "print events as they happen, one per line, until SIGINT/SIGTERM (or --limit): from\n"
      "NATS with --nats (what `serve --nats` publishes), else from the database's outbox");
  e->add_option("--db", tail.db, kDbHelp)->capture_default_str();
  e->add_option("--nats", tail.nats, "read from this NATS server (nats://host:port)");
  e->add_option("--tenant", tail.tenant, "only this tenant's events");
  e->add_option("--type", tail.type, "only this type, or a prefix such as alert.*");
  e->add_flag("--from-start", tail.from_start,
              "print the events kept so far first, then the new ones: the outbox's, or with\n"
              "--nats the JetStream stream VIGIL's from its first message");
  e->add_option("--limit", tail.limit, "stop after this many events (0: no limit)")
      ->capture_default_str();
  e->add_flag("--json", tail.json, "one JSON object per line");
  e->callback([=, &out, &err] { *status = RunEventsTail(args->events_tail, out, err); });

  ScheduleCommand& schedule = args->schedule;
  auto* s = app->add_subcommand(
      "schedule",
      "show or change when a tenant's data sources sync (`vigil serve` runs the schedules)");
  s->add_option("--db", schedule.db, kDbHelp)->capture_default_str();
  s->add_option("--tenant", schedule.tenant, "tenant name")->required();
  s->add_option("--source", schedule.source, "only this data source (default: all of them)");
  s->add_option("--every", schedule.every, "sync interval, e.g. 15m, 1h, 1d (at least 1m)");
  s->add_option("--window", schedule.window,
                "sync only inside this off-peak window, HH:MM-HH:MM in UTC (may wrap midnight)");
  s->add_flag("--no-window", schedule.no_window, "sync at any time of day");
  s->add_flag("--enable", schedule.enable, "turn the schedule on");
  s->add_flag("--disable", schedule.disable, "turn the schedule off");
  s->add_flag("--json", schedule.json, "print the schedules as JSON");
  s->callback([=, &out, &err] { *status = RunSchedule(args->schedule, out, err); });
}

}  // namespace vigil
