#include "app/process_lifecycle.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "app/commands.h"

namespace vigil {
namespace {

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

ProcessLifecycle::ProcessLifecycle(std::string role) : role_(std::move(role)) {
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::string ProcessLifecycle::WorkerName(const std::string& flag) {
  if (!flag.empty()) return flag;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "vigil") + ":" + std::to_string(getpid());
}

void ProcessLifecycle::LogStarted(std::vector<LogField> fields) const {
  fields.emplace_back("pid", static_cast<int64_t>(getpid()));
  Log(LogLevel::kInfo, role_ + ".started", fields);
}

void ProcessLifecycle::WaitForStopSignal(int64_t drain_ms) const {
  const sigset_t signals = StopSignals();
  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  Log(LogLevel::kInfo, role_ + ".draining",
      {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}, {"deadline_ms", drain_ms}});
}

int ProcessLifecycle::Finish(int abandoned, std::vector<LogField> stopped_fields) const {
  if (abandoned > 0) {
    Log(LogLevel::kWarn, role_ + ".abandoned",
        {{"jobs", abandoned}, {"note", "their leases expire and they run again after recovery"}});
  }
  Log(LogLevel::kInfo, role_ + ".stopped", stopped_fields);
  if (abandoned > 0) std::_Exit(kExitOk);
  return kExitOk;
}

}  // namespace vigil
