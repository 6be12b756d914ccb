// Job outbox: the database's record of every job vigil means to run when its
// queue lives outside the database (Redis). The database stays the source of
// truth: a job is appended here first — inside the transaction of the change
// that caused it, when the caller has one open — then relayed to the queue
// under the same job id. A queue that loses jobs (a restart without
// persistence, a failover, FLUSHALL) is repaired from here by the reconciler
// (queue/queue_reconciler.h); the queue's id deduplication makes relaying a
// job twice harmless.
//
// A row is "finished" once a worker completed the job, or failed it for good
// (queue/failover_queue.h records that); unfinished rows are what the
// reconciler watches.
//
// The row also carries the job's run claim (run_backend, run_owner,
// run_until, run_token): ClaimJobRun takes it with one conditional UPDATE
// before a handler runs, so one job id never runs in two places at once even
// when copies of it sit in two queues, or a queue hands out a second copy
// (it lost the first, or its lease ran out while the run went on). The claim
// is the lease of record: its holder extends it while the run lasts, whatever
// the queue answers, and only the holder of the latest claim records the
// job finished. A queue's own lease only says who may report to that queue.
//
// Every function runs a few statements on `db` and may be called inside the
// caller's transaction. Thread safety: that of the Db (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct OutboxJob {
  int64_t id = 0;  // row id: the order jobs were appended in
  std::string queue;
  std::string job_id;
  std::string name;
  std::string payload;
  JobOptions options;  // job_id included
  TimeMs created_at = 0;
  std::optional<TimeMs> relayed_at;
  std::string relayed_to;  // backend label ("redis", "local"); empty when not relayed
  std::optional<TimeMs> finished_at;
  std::string outcome;  // "completed", "failed", ... once finished
  // The latest run claim: its backend label, its end (none when released or
  // finished) and its token (0: never claimed).
  std::string run_backend;
  std::optional<TimeMs> run_until;
  int64_t run_token = 0;

  // True when a run holds the job at `now` (an unfinished row whose claim
  // has not ended).
  bool RunLiveAt(TimeMs now) const { return !finished_at && run_until && *run_until > now; }
};

// JobOptions as a JSON object and back. Decode: InvalidArgument when the
// text is not such an object.
std::string EncodeJobOptions(const JobOptions& options);
Result<JobOptions> DecodeJobOptions(std::string_view json);

// Appends a job. An empty options.job_id gets a unique one ("job-<32 hex>").
// When the queue already has a row of that job id nothing is written and
// `added` is false (deduplication, as Queue::Add). InvalidArgument as
// ValidateJobToAdd (queue/queue.h).
Result<AddResult> AppendOutboxJob(Db* db, std::string_view queue, std::string_view name,
                                  std::string_view payload, const JobOptions& options, TimeMs now);

// One row; NotFound when there is none.
Result<OutboxJob> GetOutboxJob(Db* db, std::string_view queue, std::string_view job_id);

// Records that the job was handed to backend `to` (first time only).
Status MarkOutboxRelayed(Db* db, std::string_view queue, std::string_view job_id,
                         std::string_view to, TimeMs now);

// Records the job finished with `outcome`, unless it already is. With
// claim_token > 0 only while that run claim is the latest one (a run whose
// claim was taken over does not finish the job); with claim_token 0 (what a
// queue says of the job, for the reconciler) only while no run holds a live
// claim: that run records its own outcome. True when a row changed.
Result<bool> MarkOutboxFinished(Db* db, std::string_view queue, std::string_view job_id,
                                std::string_view outcome, TimeMs now, int64_t claim_token = 0);

// Makes a finished job unfinished again (Queue::Retry of a failed job).
Status ReopenOutboxJob(Db* db, std::string_view queue, std::string_view job_id);

// How many rows of the job outbox (every queue) are not finished yet: the
// backlog /metrics shows. One statement.
Result<int64_t> CountUnfinishedOutboxJobs(Db* db);

// Unfinished rows created at or before `created_before` that no run holds
// at `now` (see OutboxJob::RunLiveAt), with row id > `after_id`, in row
// order, at most `limit`.
Result<std::vector<OutboxJob>> ListUnfinishedOutboxJobs(Db* db, std::string_view queue,
                                                        TimeMs created_before, TimeMs now,
                                                        int64_t after_id, int limit);

// The run claim.
enum class ClaimOutcome {
  kClaimed,        // this run holds the job; `token` is its claim
  kNotInOutbox,    // no row: the job did not come through the outbox (no guard)
  kFinished,       // the job finished already: do not run it again
  kHeldElsewhere,  // another run (from either backend) holds it until run_until
};
struct RunClaim {
  ClaimOutcome outcome = ClaimOutcome::kNotInOutbox;
  int64_t token = 0;
};

// Claims the run of `job_id` for `owner` on `backend` until `until`: only
// when the job is unfinished and no claim is live at `now` (none was taken,
// the last one was released, or it ended unextended: its run died). A live
// claim is never taken over, not even by the same backend: a queue that
// hands the job out again has lost it or its lease (FLUSHALL, a restart, a
// stall longer than the lease), which says nothing about whether the run
// still goes on. Runs in a transaction of its own: do not call inside one.
Result<RunClaim> ClaimJobRun(Db* db, std::string_view queue, std::string_view job_id,
                             std::string_view backend, std::string_view owner, TimeMs until,
                             TimeMs now);

// Moves the end of claim `token` to `until`. False (nothing changed) when
// that claim is no longer the latest or the job finished.
Result<bool> ExtendJobRun(Db* db, std::string_view queue, std::string_view job_id, int64_t token,
                          TimeMs until);

// True when claim `token` is the latest one of the unfinished job.
Result<bool> HoldsJobRun(Db* db, std::string_view queue, std::string_view job_id, int64_t token);

// Ends claim `token` (the job may be run again, e.g. for a retry).
Status ReleaseJobRun(Db* db, std::string_view queue, std::string_view job_id, int64_t token);

}  // namespace vigil
