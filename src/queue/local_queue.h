// LocalQueue: the Queue backend that keeps its jobs in vigil's own database
// (the `jobs` and `queue_state` tables of migration 2). Several processes may
// open the same database file and the same queue: every change is one SQL
// statement or one short BEGIN IMMEDIATE transaction, so they never hand out
// one job twice.
//
// Storage: a job's stored state is 'waiting', 'active', 'completed' or
// 'failed'; "delayed" is a waiting job whose run_at is still in the future
// (Get, List and Counts report it as JobState::kDelayed). A retry after a
// backoff is such a delayed job.
//
// Waking: a Take that finds no due job waits on a condition variable that an
// Add, Retry, Resume, Fail or RecoverStalled through this same LocalQueue (any
// thread) signals at once. Jobs that other processes add to the file are
// seen by polling: the wait is cut at the next delayed job's run_at and at
// `poll_ms` at most.
//
// Ids: a job added without a job_id gets the row's integer id as decimal
// digits ("17"). Caller-chosen ids therefore must not be all digits
// (InvalidArgument), so the two kinds can never collide.
//
// Thread safety: every method may be called from any thread; the connection
// is used under one mutex. The queue owns its Db connection; `clock` must
// outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct LocalQueueOptions {
  // Rows of different queues share the table; `name` keeps them apart.
  std::string name = "vigil";
  // RecoverStalled fails a job whose lease expired more than this many times.
  int max_stalled = 1;
  // The longest a waiting Take sleeps before looking at the table again
  // (jobs added by other processes). Must be > 0.
  int64_t poll_ms = 200;
};

// Opens queue `options.name` in `db`, whose schema must already be migrated
// (store/sqlite_db.h OpenSqliteDb does that). InvalidArgument for an empty
// name, max_stalled < 0 or poll_ms <= 0; the database's error when the jobs
// table cannot be read.
Result<std::unique_ptr<Queue>> OpenLocalQueue(std::unique_ptr<Db> db, const Clock* clock,
                                              LocalQueueOptions options = {});

// Adds a job to queue `queue` of `db` as LocalQueue::Add does, on the
// caller's connection and inside the caller's open transaction, so the job
// commits with the caller's change or not at all. The job needs its own
// options.job_id (InvalidArgument otherwise, and as ValidateJobToAdd);
// `added` is false when the queue has a job of that id. A LocalQueue
// serving `queue` in another connection sees the job at its next poll.
Result<AddResult> AddLocalJob(Db* db, std::string_view queue, std::string_view name,
                              std::string_view payload, const JobOptions& options, TimeMs now);

}  // namespace vigil
