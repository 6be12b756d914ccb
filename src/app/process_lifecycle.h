// ProcessLifecycle: the life every long-running command shares (`vigil
// serve`, `vigil worker`, `vigil queue work`), so they start, stop and log
// alike:
//   1. construct it before the command starts any thread: it blocks SIGINT
//      and SIGTERM in the calling thread, a mask every thread started later
//      inherits, so no thread is interrupted and only step 3 takes them;
//   2. start the work, then LogStarted: "<role>.started" with the command's
//      fields and the pid;
//   3. WaitForStopSignal: blocks until SIGINT or SIGTERM, then logs
//      "<role>.draining" {signal, deadline_ms};
//   4. stop taking work and drain (the command's own step), then Finish with
//      the number of jobs the drain abandoned: logs "<role>.abandoned"
//      (warn) when there are any, then "<role>.stopped" with the command's
//      fields. Abandoned jobs still run on worker threads, holding leases
//      that expire so they run again elsewhere; the process must not wait for
//      them, so Finish leaves it at once with exit 0 (std::_Exit, no
//      destructors). Otherwise it returns kExitOk for the command to return.
// WorkerName gives the name in job leases: the --name flag, or
// "<host>:<pid>". One per process; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "observe/log.h"

namespace vigil {

class ProcessLifecycle {
 public:
  // `role` prefixes the log events: "serve", "worker", "queue.work".
  explicit ProcessLifecycle(std::string role);

  ProcessLifecycle(const ProcessLifecycle&) = delete;
  ProcessLifecycle& operator=(const ProcessLifecycle&) = delete;

  // `flag` when it is not empty, else "<host>:<pid>" ("vigil:<pid>" when the
  // host name cannot be read).
  static std::string WorkerName(const std::string& flag);

  // Logs "<role>.started" with `fields`, then "pid".
  void LogStarted(std::vector<LogField> fields) const;

  // Blocks until SIGINT or SIGTERM arrives; logs "<role>.draining" with the
  // signal and `drain_ms` as deadline_ms.
  void WaitForStopSignal(int64_t drain_ms) const;

  // After the drain: see step 4 above. Returns kExitOk when `abandoned` is 0;
  // does not return otherwise.
  int Finish(int abandoned, std::vector<LogField> stopped_fields) const;

 private:
  const std::string role_;
};

}  // namespace vigil
