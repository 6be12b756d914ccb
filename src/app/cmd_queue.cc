// `vigil queue add|work|stats` (app/cli_queue.h).
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "app/cli_queue.h"
#include "app/cli_support.h"
#include "app/commands.h"
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

std::string DefaultWorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "vigil") + ":" + std::to_string(getpid());
}

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

  // SIGINT/SIGTERM are taken by sigwait below: block them before any thread
  // starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string handler = cmd.handler;
  auto make_handler = [handler, sleep_ms]() -> Result<std::unique_ptr<JobHandler>> {
    if (handler == "echo") return std::unique_ptr<JobHandler>(new EchoHandler());
    if (handler == "fail") return std::unique_ptr<JobHandler>(new FailHandler());
    return std::unique_ptr<JobHandler>(new SleepHandler(sleep_ms));
  };
  WorkerOptions options;
  options.name = cmd.name.empty() ? DefaultWorkerName() : cmd.name;
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
  Log(LogLevel::kInfo, "queue.work.started",
      {{"queue", cmd.target.queue}, {"redis", cmd.target.redis}, {"worker", options.name},
       {"handler", cmd.handler}, {"concurrency", cmd.concurrency}, {"prefetch", cmd.prefetch},
       {"pid", static_cast<int64_t>(getpid())}});

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  Log(LogLevel::kInfo, "queue.work.draining",
      {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}, {"deadline_ms", *drain}});
  const int abandoned = worker.Stop(*drain);
  Worker::Stats stats = worker.stats();
  Log(LogLevel::kInfo, "queue.work.stopped",
      {{"completed", stats.completed}, {"failed", stats.failed}, {"retried", stats.retried},
       {"lease_lost", stats.lease_lost}, {"errors", stats.errors}, {"abandoned", abandoned}});
  if (abandoned > 0) {
    // Abandoned jobs still run on worker threads; their locks expire and
    // another worker takes them. Leave without waiting for them.
    std::_Exit(kExitOk);
  }
  return kExitOk;
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

}  // namespace vigil
