// The CLI's Redis queue commands for operators and for interop with Node
// BullMQ: `vigil queue add`, `vigil queue work`, `vigil queue stats`
// (cmd_queue.cc, which also registers their flags; cli_commands.h). They
// work on any BullMQ queue on a Redis server (queue/redis_queue.h), not on
// vigil's pipeline database.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace vigil {

// Where the queue is.
struct QueueTarget {
  std::string redis = "redis://127.0.0.1:6379";
  std::string queue;  // BullMQ queue name
  std::string prefix = "bull";
};

// `vigil queue add`: adds one job; prints its id (or JSON with --json).
struct QueueAddCommand {
  QueueTarget target;
  std::string name;
  std::string data = "{}";  // a JSON object
  std::string job_id;       // empty: the queue makes one
  int64_t delay_ms = 0;
  int priority = 0;
  int attempts = 1;
  std::string backoff;  // "fixed:MS" or "exponential:MS"; empty: none
  bool json = false;
};
int RunQueueAdd(const QueueAddCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil queue work`: runs the queue's jobs with a built-in handler until
// SIGINT/SIGTERM, then drains and exits 0. Handlers: "echo" completes with
// the job's data as its return value, "fail" fails every run, "sleep:MS"
// completes with null after MS milliseconds.
struct QueueWorkCommand {
  QueueTarget target;
  std::string handler;
  int concurrency = 1;
  int prefetch = 100;  // WorkerOptions::prefetch (jobs held); 0: the plain worker
  std::string lease = "30s";
  std::string drain = "30s";
  std::string name;  // worker name; default "<host>:<pid>"
};
int RunQueueWork(const QueueWorkCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil queue stats`: the job counts per state and whether it is paused.
struct QueueStatsCommand {
  QueueTarget target;
  bool json = false;
};
int RunQueueStats(const QueueStatsCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace vigil
