// Job retention: removes the records of jobs that finished long ago, so the
// database of a long-running service does not grow without end. Unfinished
// jobs are never touched.
//
//   jobs        local queue rows that completed or failed for good
//   job_outbox  rows recorded finished (queue/job_outbox.h)
//
// A removed job id can be added again as a new job; vigil's own ids never
// recur (a scheduled run's id carries its due time, an analysis its window),
// so retention of a day or more loses no deduplication that matters.
//
// Thread safety: that of the Db; runs in transactions of its own.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct PrunedJobs {
  int64_t jobs = 0;    // local queue rows removed
  int64_t outbox = 0;  // job outbox rows removed
};

// Removes, for queue `queue`, the jobs and job outbox rows that finished
// before `finished_before`, at most `batch` (> 0) rows per statement, until
// none is left. InvalidArgument for batch <= 0; the Db's error otherwise
// (rows removed by earlier statements stay removed).
Result<PrunedJobs> PruneFinishedJobs(Db* db, std::string_view queue, TimeMs finished_before,
                                     int batch = 1000);

}  // namespace vigil
