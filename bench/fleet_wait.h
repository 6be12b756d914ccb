// For the fleet benchmarks (bench_fleet, bench_distributed): waiting for a
// fleet's jobs to finish, and saying which failed. Header-only: every
// bench/*.cc is a program of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "queue/queue.h"

namespace vigil::bench {

struct FleetCounts {
  int64_t completed = 0;
  int64_t failed = 0;  // jobs that ended failed (retries exhausted)
};

// Polls `queue` every 20 ms until no job is waiting, delayed or active and
// either `expected` jobs have ended or one has failed (a failed sync queues
// no analysis, so `expected` is then never reached). Exits 1, naming
// `program` and the counts, when no job ended for `stall_ms`, or when the
// queue cannot be read.
inline FleetCounts WaitForFleet(Queue* queue, int64_t expected, const char* program,
                                int64_t stall_ms = 120000) {
  using Steady = std::chrono::steady_clock;
  int64_t ended_before = -1;
  Steady::time_point last_progress = Steady::now();
  for (;;) {
    Result<JobCounts> counts = queue->Counts();
    if (!counts.ok()) {
      std::fprintf(stderr, "%s: counting the jobs: %s\n", program,
                   counts.status().ToString().c_str());
      std::exit(1);
    }
    const int64_t ended = counts->completed + counts->failed;
    if (counts->waiting + counts->delayed + counts->active == 0 &&
        (ended >= expected || counts->failed > 0)) {
      return {counts->completed, counts->failed};
    }
    if (ended != ended_before) {
      ended_before = ended;
      last_progress = Steady::now();
    } else if (Steady::now() - last_progress > std::chrono::milliseconds(stall_ms)) {
      std::fprintf(stderr,
                   "%s: no job ended for %lld s: %lld waiting, %lld delayed, %lld active, "
                   "%lld completed, %lld failed of %lld expected\n",
                   program, static_cast<long long>(stall_ms / 1000),
                   static_cast<long long>(counts->waiting),
                   static_cast<long long>(counts->delayed), static_cast<long long>(counts->active),
                   static_cast<long long>(counts->completed),
                   static_cast<long long>(counts->failed), static_cast<long long>(expected));
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Writes the newest failed jobs (at most `limit`) to stderr: name, id and
// the reason, one line each.
inline void ReportFailedJobs(Queue* queue, const char* program, int limit = 5) {
  ListFilter filter;
  filter.state = JobState::kFailed;
  filter.limit = limit;
  Result<std::vector<JobInfo>> failed = queue->List(filter);
  if (!failed.ok()) {
    std::fprintf(stderr, "%s: listing the failed jobs: %s\n", program,
                 failed.status().ToString().c_str());
    return;
  }
  for (const JobInfo& job : *failed) {
    std::fprintf(stderr, "%s: job %s (%s) failed after %d attempt(s): %s\n", program,
                 job.id.c_str(), job.name.c_str(), job.attempts_made, job.failed_reason.c_str());
  }
}

}  // namespace vigil::bench
