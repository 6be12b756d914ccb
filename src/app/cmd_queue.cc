// `vigil queue add|work|stats` (app/queue_commands.h).
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/process_lifecycle.h"
#include "app/queue_commands.h"
#include "observe/log.h"
#include "queue/redis_queue.h"
#include "queue/worker.h"

namespace vigil {
namespace {

std::unique_ptr<Queue> OpenOrReport(const QueueTarget& target, const Clock* clock,
                                    std::ostream& err) {
  RedisQueueOptions options;
  options.url = target.redis;
  options.name = target.queue;
  options.prefix = target.prefix;
  Result<std::unique_ptr<Queue>> queue = OpenRedisQueue(options, clock);
  if (!queue.ok()) {
    err << "vigil: " << queue.status().message() << "\n";
    return nullptr;
  }
  return std::move(queue).value();
}

bool ParseMs(std::string_view text, int64_t* ms) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *ms);
  return ec == std::errc() && end == text.data() + text.size() && *ms >= 0;
}

// "fixed:MS" / "exponential:MS".
bool ParseBackoff(const std::string& text, Backoff* backoff) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  std::string type = text.substr(0, colon);
  if (type == "fixed") {
    backoff->type = Backoff::Type::kFixed;
  } else if (type == "exponential") {
    backoff->type = Backoff::Type::kExponential;
  } else {
    return false;
  }
  return ParseMs(std::string_view(text).substr(colon + 1), &backoff->delay_ms);
}

class EchoHandler final : public JobHandler {
 public:
  Result<std::string> Run(const Job& job) override { return job.payload; }
};

class FailHandler final : public JobHandler {
 public:
  Result<std::string> Run(const Job& job) override {
    return Status::Internal("job \"" + job.id + "\" failed on purpose (--handler fail)");
  }
};

class SleepHandler final : public JobHandler {
 public:
  explicit SleepHandler(int64_t ms) : ms_(ms) {}
  Result<std::string> Run(const Job& /*job*/) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms_));
    return std::string("null");
  }

 private:
  int64_t ms_;
};

}  // namespace

int RunQueueAdd(const QueueAddCommand& cmd, std::ostream& out, std::ostream& err) {
  JobOptions options;
  options.job_id = cmd.job_id;
  options.delay_ms = cmd.delay_ms;
  options.priority = cmd.priority;
  options.attempts = cmd.attempts;
  if (!cmd.backoff.empty() && !ParseBackoff(cmd.backoff, &options.backoff)) {
    err << "vigil: --backoff: \"" << cmd.backoff
        << "\" is not fixed:MS or exponential:MS (MS a number of milliseconds)\n";
    return kExitUsage;
  }
  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenOrReport(cmd.target, clock.get(), err);
  if (!queue) return kExitFailed;
  Result<AddResult> added = queue->Add(cmd.name, cmd.data, options);
  if (!added.ok()) {
    err << "vigil: " << added.status().message() << "\n";
    return added.status().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  if (cmd.json) {
    out << nlohmann::json{{"id", added->job_id}, {"added", added->added}}.dump() << "\n";
  } else {
    out << added->job_id << (added->added ? "" : " (exists already; nothing added)") << "\n";
  }
  return kExitOk;
}

int RunQueueWork(const QueueWorkCommand& cmd, std::ostream& /*out*/, std::ostream& err) {
  int64_t sleep_ms = -1;
  if (cmd.handler.rfind("sleep:", 0) == 0) {
    if (!ParseMs(std::string_view(cmd.handler).substr(6), &sleep_ms)) sleep_ms = -1;
  }
  if (cmd.handler != "echo" && cmd.handler != "fail" && sleep_ms < 0) {
    err << "vigil: --handler: \"" << cmd.handler << "\" is not echo, fail or sleep:MS\n";
    return kExitUsage;
  }
  std::optional<int64_t> lease = DurationOrReport("--lease", cmd.lease, err);
  std::optional<int64_t> drain = lease ? DurationOrReport("--drain", cmd.drain, err) : std::nullopt;
  if (!drain) return kExitUsage;
  if (*lease <= 0) {
    err << "vigil: --lease: must be more than 0\n";
    return kExitUsage;
  }

  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenOrReport(cmd.target, clock.get(), err);
  if (!queue) return kExitFailed;

  ProcessLifecycle lifecycle("queue.work");  // before any thread starts
  const std::string handler = cmd.handler;
  auto make_handler = [handler, sleep_ms]() -> Result<std::unique_ptr<JobHandler>> {
    if (handler == "echo") return std::unique_ptr<JobHandler>(new EchoHandler());
    if (handler == "fail") return std::unique_ptr<JobHandler>(new FailHandler());
    return std::unique_ptr<JobHandler>(new SleepHandler(sleep_ms));
  };
  WorkerOptions options;
  options.name = ProcessLifecycle::WorkerName(cmd.name);
  options.concurrency = cmd.concurrency;
  options.prefetch = cmd.prefetch;
  options.lease_ms = *lease;
  options.take_wait_ms = 5000;
  options.stalled_check_ms = std::max<int64_t>(*lease / 2, 100);
  options.on_finished = [](const Job& job, RunEnd, const Status& outcome) {
    if (outcome.ok()) {
      Log(LogLevel::kInfo, "job.completed", {{"job", job.id}, {"name", job.name}});
    } else {
      Log(LogLevel::kWarn, "job.failed",
          {{"job", job.id}, {"name", job.name}, {"attempt", job.attempt},
           {"error", outcome.message()}});
    }
  };
  Worker worker(queue.get(), make_handler, options, clock.get());
  Status started = worker.Start();
  if (!started.ok()) {
    err << "vigil: " << started.message() << "\n";
    return kExitFailed;
  }
  lifecycle.LogStarted({{"queue", cmd.target.queue},
                        {"redis", cmd.target.redis},
                        {"worker", options.name},
                        {"handler", cmd.handler},
                        {"concurrency", cmd.concurrency},
                        {"prefetch", cmd.prefetch}});

  lifecycle.WaitForStopSignal(*drain);
  const int abandoned = worker.Stop(*drain);
  Worker::Stats stats = worker.stats();
  return lifecycle.Finish(abandoned, {{"completed", stats.completed},
                                      {"failed", stats.failed},
                                      {"retried", stats.retried},
                                      {"lease_lost", stats.lease_lost},
                                      {"errors", stats.errors},
                                      {"abandoned", abandoned}});
}

int RunQueueStats(const QueueStatsCommand& cmd, std::ostream& out, std::ostream& err) {
  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenOrReport(cmd.target, clock.get(), err);
  if (!queue) return kExitFailed;
  Result<JobCounts> counts = queue->Counts();
  if (!counts.ok()) {
    err << "vigil: " << counts.status().message() << "\n";
    return kExitFailed;
  }
  const JobCounts& c = *counts;
  if (cmd.json) {
    out << nlohmann::json{{"queue", cmd.target.queue}, {"waiting", c.waiting},
                          {"delayed", c.delayed},      {"active", c.active},
                          {"completed", c.completed},  {"failed", c.failed},
                          {"paused", c.paused}}
               .dump()
        << "\n";
    return kExitOk;
  }
  out << "queue " << cmd.target.queue << (c.paused ? " (paused)" : "") << "\n"
      << "  waiting    " << c.waiting << "\n"
      << "  delayed    " << c.delayed << "\n"
      << "  active     " << c.active << "\n"
      << "  completed  " << c.completed << "\n"
      << "  failed     " << c.failed << "\n";
  return kExitOk;
}

namespace {

void AddTargetOptions(CLI::App* c, QueueTarget* target) {
  c->add_option("--redis", target->redis, "Redis URL, redis://[[user]:password@]host[:port][/db]")
      ->capture_default_str();
  c->add_option("--queue", target->queue, "queue name (BullMQ's queue name)")->required();
  c->add_option("--prefix", target->prefix, "BullMQ key prefix")->capture_default_str();
}

void AddQueueAddCommand(CLI::App& queue, CommandContext* cli) {
  auto cmd = std::make_shared<QueueAddCommand>();
  CLI::App* c = queue.add_subcommand("add", "add one job; prints its id");
  AddTargetOptions(c, &cmd->target);
  c->add_option("--name", cmd->name, "job name")->required();
  c->add_option("--data", cmd->data, "job data, a JSON object")->capture_default_str();
  c->add_option("--job-id", cmd->job_id,
                "the job's id (not all digits); an existing id adds nothing");
  c->add_option("--delay", cmd->delay_ms, "milliseconds before the job may run")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  c->add_option("--priority", cmd->priority, "0 none (first), then 1 (most urgent) .. 2097151")
      ->check(CLI::Range(0, 2097151))
      ->capture_default_str();
  c->add_option("--attempts", cmd->attempts, "runs allowed before the job fails for good")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  c->add_option("--backoff", cmd->backoff,
                "wait between failed attempts: fixed:MS or exponential:MS (MS * 2^(attempt-1))");
  c->add_flag("--json", cmd->json, "print {\"id\":...,\"added\":...}");
  OnRun(c, cmd, cli, RunQueueAdd);
}

void AddQueueWorkCommand(CLI::App& queue, CommandContext* cli) {
  auto cmd = std::make_shared<QueueWorkCommand>();
  CLI::App* c = queue.add_subcommand(
      "work",
      "run the queue's jobs with a built-in handler until SIGINT/SIGTERM, then drain and\n"
      "exit 0 (job outcomes are logged as JSON lines on stderr)");
  AddTargetOptions(c, &cmd->target);
  c->add_option("--handler", cmd->handler,
                "echo (complete with the job's data as return value), fail (fail every run),\n"
                "sleep:MS (complete with null after MS milliseconds)")
      ->required();
  c->add_option("--concurrency", cmd->concurrency, "jobs run at the same time")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  c->add_option("--prefetch", cmd->prefetch,
                "jobs held at most, running ones included (those beyond --concurrency are\n"
                "taken ahead); two feeder threads take them and report completions in\n"
                "batches, one round trip each (0: every thread takes and completes its own\n"
                "jobs, two round trips per job)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  c->add_option("--lease", cmd->lease, "lock duration of a running job (renewed while it runs)")
      ->capture_default_str();
  c->add_option("--drain", cmd->drain, "on SIGINT/SIGTERM, how long to wait for running jobs")
      ->capture_default_str();
  c->add_option("--name", cmd->name, "worker name (default: host:pid)");
  OnRun(c, cmd, cli, RunQueueWork);
}

void AddQueueStatsCommand(CLI::App& queue, CommandContext* cli) {
  auto cmd = std::make_shared<QueueStatsCommand>();
  CLI::App* c = queue.add_subcommand("stats", "count the queue's jobs per state");
  AddTargetOptions(c, &cmd->target);
  c->add_flag("--json", cmd->json, "print the counts as JSON");
  OnRun(c, cmd, cli, RunQueueStats);
}

}  // namespace

void AddQueueCommand(CLI::App& app, CommandContext* cli) {
  CLI::App* queue = app.add_subcommand(
      "queue",
      "work with a BullMQ queue on Redis: add jobs, run them, count them (interoperates\n"
      "with Node BullMQ producers, workers and QueueEvents)");
  queue->require_subcommand(1);
  AddQueueAddCommand(*queue, cli);
  AddQueueWorkCommand(*queue, cli);
  AddQueueStatsCommand(*queue, cli);
}

}  // namespace vigil
