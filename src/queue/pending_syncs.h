// Whether a tenant has sync jobs still to run: the question that decides
// whether a finished sync's analysis starts at once or waits for the rest
// of its coalescing window (pipeline/job_handler.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Where a queue's unfinished jobs are recorded in the database.
enum class PendingJobsTable {
  kLocalQueue,  // the local queue's `jobs` table (queue/local_queue.h)
  kJobOutbox,   // the job outbox (queue/job_outbox.h), in front of Redis
};

// True when a "sync" job of `tenant_id` other than `except_job_id` is
// waiting, delayed or active in queue `queue`, as `table` records it. One
// statement; works inside the caller's transaction. The Db's error when
// the read fails.
Result<bool> OtherSyncsPending(Db* db, PendingJobsTable table, std::string_view queue,
                               int64_t tenant_id, std::string_view except_job_id);

}  // namespace vigil
