// Queue: the durable job queue seam. Producers Add jobs; workers Take a job
// under a lease, run it, and Complete or Fail it. Backends: the local one in
// vigil's own database (queue/local_queue.h) and Redis in BullMQ's layout
// (queue/redis_queue.h). Both pass the same conformance suite
// (tests/testing/queue_conformance.h).
//
// Semantics every backend keeps:
//   - A job id is unique in its queue. Adding a job whose id exists (in any
//     state, until it is removed) adds nothing and returns the existing job's
//     id with `added` false: deduplication.
//   - Order of Take: due jobs only (run_at <= now); priority 0 ("none") before
//     any prioritized job, then priority 1, 2, ... (lower is more urgent);
//     within one priority, the earliest due first, then the earliest added.
//   - A taken job is `active` under a lease that ends at now + lease_ms. The
//     lease carries a fencing token that grows with every take of that job.
//     Complete, Fail and ExtendLease present the job's token; when the lease
//     was lost (expired and recovered, or the job taken again) they return
//     FailedPrecondition and change nothing.
//   - RecoverStalled moves active jobs whose lease expired back to waiting
//     (due now) and counts the stall; a job stalled more than max_stalled
//     times fails with "stalled: ...". A stall does not use up an attempt.
//   - Fail with attempts left puts the job back to waiting, due after its
//     backoff (fixed: delay_ms; exponential: delay_ms * 2^(attempt-1));
//     without attempts left it fails for good with the error as its reason.
//   - Pause stops Take from handing out jobs (Add still works; active jobs
//     finish); Resume undoes it. Paused state is durable.
//
// Batches (additive; the Queue base implements them from the methods above,
// so a backend need not): CompleteAndTake completes several jobs and takes
// the next ones in one call, and Release gives back a job taken but not run.
// A backend overrides them to make one round trip of what would be many.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

struct Backoff {
  enum class Type { kFixed, kExponential };
  Type type = Type::kFixed;
  int64_t delay_ms = 0;
};

struct JobOptions {
  // Empty: the backend makes a unique id of decimal digits. A caller's id
  // must therefore not be all digits (InvalidArgument), as in BullMQ.
  std::string job_id;
  int64_t delay_ms = 0;  // not due before now + delay_ms
  int priority = 0;      // 0 = none; 1 is the most urgent
  int attempts = 1;      // total runs allowed (>= 1)
  Backoff backoff;       // between failed attempts
  std::string group;     // e.g. the tenant id; filters listings; Redis takes turns by group
};

enum class JobState { kWaiting, kDelayed, kActive, kCompleted, kFailed };
// "waiting", "delayed", "active", "completed", "failed".
std::string_view JobStateName(JobState state);
// Parses a name of JobStateName; nullopt for anything else.
std::optional<JobState> ParseJobState(std::string_view name);

// A job as a worker holds it while its lease lasts.
struct Job {
  std::string id;
  std::string name;
  std::string payload;  // JSON text, as added
  std::string group;
  int attempt = 1;  // this run's number, 1-based; stalled runs do not count
  int max_attempts = 1;
  int64_t token = 0;  // fencing token of this lease
  TimeMs created_at = 0;
  TimeMs due_at = 0;      // when it became due (for the queue-wait span)
  TimeMs started_at = 0;  // when this lease began
  // The backend's own note on this job, given back to it when the run
  // ends (Redis: the job's removeOnComplete option). Others leave it as is.
  std::string backend_note;
};

// A job as listings show it.
struct JobInfo {
  std::string id;
  std::string name;
  std::string payload;
  std::string group;
  JobState state = JobState::kWaiting;
  int priority = 0;
  int attempts_made = 0;  // runs started (a stalled run counts)
  int max_attempts = 1;
  int stalled_count = 0;
  TimeMs created_at = 0;
  TimeMs run_at = 0;                  // due time while waiting/delayed
  std::optional<TimeMs> started_at;   // of the latest run
  std::optional<TimeMs> finished_at;  // completed or failed
  std::string return_value;           // JSON text when completed
  std::string failed_reason;          // latest error (also while retrying)
};

struct JobCounts {
  int64_t waiting = 0;
  int64_t delayed = 0;
  int64_t active = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  bool paused = false;
};

struct AddResult {
  std::string job_id;
  bool added = true;  // false: a job with this id existed; nothing was added
};

struct ListFilter {
  std::optional<JobState> state;
  std::string group;  // empty: every group
  int limit = 50;     // newest first
};

// What Fail did.
struct FailResult {
  bool will_retry = false;
  TimeMs retry_at = 0;  // when will_retry
};

// A finished run, for CompleteAndTake.
struct JobDone {
  Job job;
  std::string return_value;  // JSON text; empty means null
};

// A job for AddBulk.
struct JobToQueue {
  std::string name;
  std::string payload;  // a JSON object
  JobOptions options;
};

// What CompleteAndTake did.
struct CompleteAndTakeResult {
  // One per JobDone, in order: what Complete would have returned for it
  // (OK; FailedPrecondition when its lease was lost; InvalidArgument when
  // its return value is not JSON, the job then still active and leased; or
  // the queue's own error, when it may or may not have completed).
  std::vector<Status> completed;
  // The jobs taken, in Take's order, each under its own lease and token.
  std::vector<Job> taken;
  // OK, or why taking failed (`taken` may then hold fewer, or none).
  Status take_status;
};

// The checks every backend's Add makes, with the message it returns:
// InvalidArgument("add job \"<name>\": <what>") for an empty name, a payload
// that is not a JSON object, attempts < 1, a negative priority, delay or
// backoff, or a job id of digits only. For backends (and their tests).
Status ValidateJobToAdd(std::string_view name, std::string_view payload,
                        const JobOptions& options);

// The checks every backend's Take makes: InvalidArgument for lease_ms <= 0
// or wait_ms < 0, naming the value.
Status ValidateTake(int64_t lease_ms, int64_t wait_ms);
// The checks of every backend's CompleteAndTake: ValidateTake's, and
// InvalidArgument for max_take < 0, naming the value.
Status ValidateCompleteAndTake(int64_t lease_ms, int64_t wait_ms, int max_take);

class Queue {
 public:
  virtual ~Queue() = default;

  // The queue's name ("vigil" by default).
  virtual const std::string& name() const = 0;

  // Adds a job. InvalidArgument for an empty name, payload that is not a
  // JSON object, attempts < 1, priority < 0, delay_ms < 0, a negative
  // backoff or a job_id of digits only.
  virtual Result<AddResult> Add(std::string_view name, std::string_view payload,
                                const JobOptions& options) = 0;

  // Adds `jobs` as Add would, in order: one AddResult per job. Every job is
  // checked first; InvalidArgument "job <index>: <Add's message>" for the
  // first that Add would refuse, and then none is added. A queue error may
  // leave the jobs before some point added and the rest not (retry with
  // job ids to stay exact). The base implementation calls Add per job;
  // a backend that can adds many per round trip.
  virtual Result<std::vector<AddResult>> AddBulk(const std::vector<JobToQueue>& jobs);

  // Takes the next due job for `worker` under a lease of `lease_ms`, waiting
  // up to `wait_ms` for one (0: do not wait). nullopt when none came (or the
  // queue is paused). An Add in this process wakes a waiting Take at once.
  virtual Result<std::optional<Job>> Take(std::string_view worker, int64_t lease_ms,
                                          int64_t wait_ms) = 0;

  // Makes the lease of `job` end at now + lease_ms.
  virtual Status ExtendLease(const Job& job, int64_t lease_ms) = 0;

  // Marks `job` completed with `return_value` (JSON text; "null" when none).
  virtual Status Complete(const Job& job, std::string_view return_value) = 0;

  // Records a failed run of `job` with `error`: retried or failed for good
  // as described above.
  virtual Result<FailResult> Fail(const Job& job, std::string_view error) = 0;

  // Moves expired leases back to waiting (or to failed, see above). Returns
  // how many jobs it moved.
  virtual Result<int> RecoverStalled() = 0;

  // Puts a failed job back to waiting with a fresh set of attempts.
  // NotFound when there is no such job; FailedPrecondition when it is not failed.
  virtual Status Retry(std::string_view job_id) = 0;

  virtual Status Pause() = 0;
  virtual Status Resume() = 0;

  virtual Result<JobCounts> Counts() = 0;
  // NotFound when there is no such job.
  virtual Result<JobInfo> Get(std::string_view job_id) = 0;
  // Recent jobs, newest first.
  virtual Result<std::vector<JobInfo>> List(const ListFilter& filter) = 0;

  // Wakes every Take that is waiting in this process (used when stopping).
  virtual void WakeAll() = 0;

  // Completes every job of `done` as Complete does, then takes up to
  // `max_take` due jobs for `worker` as that many Takes would: in Take's
  // order (priority, due time, fairness where the backend has it), each
  // under its own lease of lease_ms with its own fencing token, waiting up
  // to wait_ms for the first one (an Add in this process or WakeAll ends
  // the wait, as for Take). Fewer (or none) when fewer are due or the queue
  // is paused. InvalidArgument, and nothing done, for lease_ms <= 0,
  // wait_ms < 0 or max_take < 0; every other outcome is in the result.
  // The base implementation calls Complete for each, then Take until it
  // has max_take jobs or one comes back empty.
  virtual Result<CompleteAndTakeResult> CompleteAndTake(const std::vector<JobDone>& done,
                                                        std::string_view worker, int max_take,
                                                        int64_t lease_ms, int64_t wait_ms);

  // Gives back `job`, taken but not run (say, taken ahead by
  // CompleteAndTake for a worker that then stopped): its lease ends and it
  // is waiting again; the old token is fenced. FailedPrecondition when the
  // lease was lost already. The base implementation ends the lease at once
  // (ExtendLease by 1 ms), so the next RecoverStalled moves the job back and
  // counts that as a stall; a backend that can gives it back directly,
  // without counting a stall or a start.
  virtual Status Release(const Job& job);
};

}  // namespace vigil
