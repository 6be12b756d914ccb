#include "app/cli_queue.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "app/commands.h"

namespace vigil {
namespace {

struct QueueCommandArgs {
  QueueAddCommand add;
  QueueWorkCommand work;
  QueueStatsCommand stats;
};

void AddTargetOptions(CLI::App* c, QueueTarget* target) {
  c->add_option("--redis", target->redis, "Redis URL, redis://[[user]:password@]host[:port][/db]")
      ->capture_default_str();
  c->add_option("--queue", target->queue, "queue name (BullMQ's queue name)")->required();
  c->add_option("--prefix", target->prefix, "BullMQ key prefix")->capture_default_str();
}

}  // namespace

void AddQueueCommands(CLI::App* app, int* status, std::ostream& out, std::ostream& err) {
  // Kept alive by the callbacks below, which the app owns.
  auto args = std::make_shared<QueueCommandArgs>();
  auto* queue = app->add_subcommand(
      "queue",
      "work with a BullMQ queue on Redis: add jobs, run them, count them (interoperates\n"
      "with Node BullMQ producers, workers and QueueEvents)");
  queue->require_subcommand(1);

  QueueAddCommand& add = args->add;
  auto* a = queue->add_subcommand("add", "add one job; prints its id");
  AddTargetOptions(a, &add.target);
  a->add_option("--name", add.name, "job name")->required();
  a->add_option("--data", add.data, "job data, a JSON object")->capture_default_str();
  a->add_option("--job-id", add.job_id, "the job's id (not all digits); an existing id adds nothing");
  a->add_option("--delay", add.delay_ms, "milliseconds before the job may run")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  a->add_option("--priority", add.priority, "0 none (first), then 1 (most urgent) .. 2097151")
      ->check(CLI::Range(0, 2097151))
      ->capture_default_str();
  a->add_option("--attempts", add.attempts, "runs allowed before the job fails for good")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  a->add_option("--backoff", add.backoff,
                "wait between failed attempts: fixed:MS or exponential:MS (MS * 2^(attempt-1))");
  a->add_flag("--json", add.json, "print {\"id\":...,\"added\":...}");
  a->callback([args, status, &out, &err] { *status = RunQueueAdd(args->add, out, err); });

  QueueWorkCommand& work = args->work;
  auto* w = queue->add_subcommand(
      "work",
      "run the queue's jobs with a built-in handler until SIGINT/SIGTERM, then drain and\n"
      "exit 0 (job outcomes are logged as JSON lines on stderr)");
  AddTargetOptions(w, &work.target);
  w->add_option("--handler", work.handler,
                "echo (complete with the job's data as return value), fail (fail every run),\n"
                "sleep:MS (complete with null after MS milliseconds)")
      ->required();
  w->add_option("--concurrency", work.concurrency, "jobs run at the same time")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  w->add_option("--prefetch", work.prefetch,
                "jobs held at most, running ones included (those beyond --concurrency are\n"
                "taken ahead); two feeder threads take them and report completions in\n"
                "batches, one round trip each (0: every thread takes and completes its own\n"
                "jobs, two round trips per job)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  w->add_option("--lease", work.lease, "lock duration of a running job (renewed while it runs)")
      ->capture_default_str();
  w->add_option("--drain", work.drain, "on SIGINT/SIGTERM, how long to wait for running jobs")
      ->capture_default_str();
  w->add_option("--name", work.name, "worker name (default: host:pid)");
  w->callback([args, status, &out, &err] { *status = RunQueueWork(args->work, out, err); });

  QueueStatsCommand& stats = args->stats;
  auto* s = queue->add_subcommand("stats", "count the queue's jobs per state");
  AddTargetOptions(s, &stats.target);
  s->add_flag("--json", stats.json, "print the counts as JSON");
  s->callback([args, status, &out, &err] { *status = RunQueueStats(args->stats, out, err); });
}

}  // namespace vigil
