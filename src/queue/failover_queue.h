// FailoverQueue: the Queue of `vigil serve --redis`: a primary backend
// (Redis) and a fallback (the local queue in the database), with the
// database's job outbox (queue/job_outbox.h) in front.
//
//   Add      appends the job to the outbox (deduplicated by job id there),
//            then relays it under the same id to the primary while it
//            answers, else to the fallback. A job the outbox holds is
//            acknowledged even when neither backend took it: the reconciler
//            (queue/queue_reconciler.h, over relay_target()) relays it later.
//            A job the outbox holds but never relayed (a caller appended it
//            inside its own transaction) is relayed now, with `added` false.
//   Take     while the primary is up: from the fallback first without
//            waiting, at most every fallback_check_ms (so jobs left there by
//            an outage, or added by `vigil trigger`, drain), then from the
//            primary with a wait of at most fallback_check_ms. While it is
//            down: from the fallback only. The primary is opened lazily, so
//            serve starts with Redis down.
//   Guard    before a taken job is handed out, its run is claimed in the
//            outbox (ClaimJobRun). A copy of a job finished already is
//            completed in its backend as skipped ({"skipped": "..."}) and
//            not handed out. A copy of a job that another run holds (a copy
//            in the other backend, or one its backend handed out again after
//            losing the job or its lease) is held back: this queue keeps its
//            lease in the backend, unrun, until that run ends, then hands it
//            out (the run failed and is retried, or died) or completes it as
//            skipped (the run finished). Stopping gives held-back copies
//            back. Jobs without an outbox row run unguarded (one copy).
//   Complete the outbox row is finished first, while this run's claim is the
//            latest, then the backend the job came from is told (a backend
//            that is down, lost the job or refuses the token changes
//            nothing: the job is done). A run whose claim was taken over
//            (it stopped extending it longer than its lease) gets
//            FailedPrecondition and finishes nothing.
//   Fail     goes to the backend the job came from; failed for good there
//            finishes the outbox row, anything else (a retry, or a backend
//            that could not be told) releases the claim, so the job runs
//            again from whichever copy comes next.
//   ExtendLease extends the backend's lease while it is up, then the outbox
//            claim. The claim decides: FailedPrecondition only when it was
//            taken over; a backend that lost its lease, or does not answer,
//            does not stop the run.
//   Get/List/Counts combine both backends; Get also finds a job that is
//            only in the outbox (waiting).
//
// The batch calls keep those rules job by job, with fewer round trips:
//   AddBulk  appends every job to the outbox in one transaction, then relays
//            the new ones (and rows never relayed) with one AddBulk to the
//            primary while it answers, else to the fallback.
//   CompleteAndTake  finishes the outbox rows of the finished runs in one
//            transaction, as Complete does (only while each run's claim is
//            the latest); then takes as Take does — held-back copies first,
//            the fallback at most every fallback_check_ms, then the primary
//            — with the completions for the primary and its take in one
//            CompleteAndTake there. Each job taken is guarded as Take guards
//            it (its run claimed in the outbox, or skipped, or held back).
//   Release  ends the run's claim in the outbox, then gives the job back to
//            its backend; FailedPrecondition when the claim was taken over.
//
// Whether the primary is used is PrimaryHealth's (queue/primary_health.h):
// down at the first Unavailable (refused, reset, or no answer within the
// Redis command timeout), up again after several probes in a row worked,
// tried with backoff meanwhile. While down, jobs taken from the primary are
// reported to the outbox only, and no worker thread waits on the primary.
//
// Thread safety: every method may be called from any thread; the outbox
// connection is used under a mutex.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "queue/primary_health.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct FailoverQueueOptions {
  std::string name = "vigil";             // the queue's name (and the outbox rows')
  std::string primary_label = "redis";    // in the outbox and in logs
  std::string fallback_label = "local";
  // While down, the primary is probed retry_primary_ms after the fall, then
  // with a delay that doubles after each failed probe up to
  // max_retry_primary_ms; it is up again after up_after_probes probes in a
  // row worked, retry_primary_ms apart.
  int64_t retry_primary_ms = 1000;
  int64_t max_retry_primary_ms = 8000;
  int up_after_probes = 3;
  int64_t fallback_check_ms = 200;  // while up, how often Take looks at the fallback
};

using QueueOpener = std::function<Result<std::unique_ptr<Queue>>()>;

class FailoverQueue final : public Queue {
 public:
  // `open_primary` is called until it succeeds; `fallback` and `db` (the
  // outbox's connection, migrated) are owned. InvalidArgument when one is
  // missing or an option is out of range.
  static Result<std::unique_ptr<FailoverQueue>> Open(QueueOpener open_primary,
                                                     std::unique_ptr<Queue> fallback,
                                                     std::unique_ptr<Db> db, const Clock* clock,
                                                     FailoverQueueOptions options = {});
  // Gives the held-back copies back to their backends.
  ~FailoverQueue() override;

  const std::string& name() const override { return options_.name; }
  Result<AddResult> Add(std::string_view name, std::string_view payload,
                        const JobOptions& options) override;
  Result<std::optional<Job>> Take(std::string_view worker, int64_t lease_ms,
                                  int64_t wait_ms) override;
  Status ExtendLease(const Job& job, int64_t lease_ms) override;
  Status Complete(const Job& job, std::string_view return_value) override;
  Result<FailResult> Fail(const Job& job, std::string_view error) override;
  Result<int> RecoverStalled() override;
  Status Retry(std::string_view job_id) override;
  Status Pause() override;
  Status Resume() override;
  Result<JobCounts> Counts() override;
  Result<JobInfo> Get(std::string_view job_id) override;
  Result<std::vector<JobInfo>> List(const ListFilter& filter) override;
  void WakeAll() override;
  Result<std::vector<AddResult>> AddBulk(const std::vector<JobToQueue>& jobs) override;
  Result<CompleteAndTakeResult> CompleteAndTake(const std::vector<JobDone>& done,
                                                std::string_view worker, int max_take,
                                                int64_t lease_ms, int64_t wait_ms) override;
  Status Release(const Job& job) override;

  // Whether the primary is up (see above).
  bool primary_up() const;
  // Why the primary went down last; empty when it never did.
  std::string primary_error() const;

  // The backends without the outbox, for the reconciler: Add relays to the
  // primary while it is up, else the fallback, and records the relay in
  // the outbox; Get returns the primary's copy, else the fallback's, and
  // NotFound when neither has a live one — a primary that is down has none,
  // so during an outage the reconciler gives the fallback a copy of every
  // unfinished job that no run holds (the run claim keeps the copies from
  // running twice), and a copy Guard completed as skipped does not count.
  // Other methods act as the FailoverQueue's. Owned by this queue.
  Queue* relay_target();

 private:
  class RelayTarget;
  struct Taken {
    bool primary = false;
    int64_t token = 0;          // the backend's fencing token
    int64_t claim_token = 0;    // the outbox run claim; 0 when unguarded
    bool backend_lost = false;  // the backend refused this lease: not asked again
  };
  // A copy held back while another run holds its job.
  struct Parked {
    Job job;
    bool primary = false;
    int64_t lease_ms = 0;
    TimeMs extend_at = 0;  // when its lease in the backend is extended next
  };
  // The primary as Primary() hands it out, with the health epoch to report
  // outcomes under; null while it is not to be used.
  struct PrimaryRef {
    Queue* queue = nullptr;
    uint64_t epoch = 0;
    explicit operator bool() const { return queue != nullptr; }
  };

  FailoverQueue(QueueOpener open_primary, std::unique_ptr<Queue> fallback, std::unique_ptr<Db> db,
                const Clock* clock, FailoverQueueOptions options);

  // The primary while it is up; otherwise null, after probing it when a
  // probe is due (opening it on first use).
  PrimaryRef Primary();
  // Records the outcome of a call made to the primary under `epoch`.
  void Note(const Status& s, uint64_t epoch);
  // Runs `call` on the backend a taken job came from; the primary is not
  // asked while it is down (Unavailable then).
  Status OnBackend(bool primary, const std::function<Status(Queue*)>& call);
  // Runs `call` on the fallback, then on the primary while it is up.
  Status OnBoth(const std::function<Status(Queue*)>& call);
  // Relays a job to the primary, or the fallback when the primary is down;
  // records the relay in the outbox.
  Result<AddResult> Relay(std::string_view name, std::string_view payload,
                          const JobOptions& options);
  // Claims the run of `job` from a backend; nullopt when it must not run now
  // (completed there as skipped, or held back).
  Result<std::optional<Job>> Guard(Job job, bool primary, std::string_view worker,
                                   int64_t lease_ms);
  // Completes a copy of a finished job in its backend as skipped.
  void Skip(const Job& job, bool primary, std::string_view why);
  // Looks at the held-back copies (at most every fallback_check_ms): those
  // of finished jobs are skipped, those still held have their backend lease
  // extended, and one whose job is free again is handed out when `worker`
  // is given (else given back to its backend).
  Result<std::optional<Job>> RevisitParked(std::string_view worker, int64_t lease_ms);
  // Relays `jobs` (each with its outbox job id) to the primary in one
  // AddBulk, or to the fallback when the primary is down; records the
  // relays in the outbox.
  Status RelayBulk(const std::vector<JobToQueue>& jobs);
  // One CompleteAndTake under way: its arguments, its result so far, and
  // the completions it leaves for the primary's CompleteAndTake, each with
  // the index of its answer in result.completed (-1: the outbox row was
  // finished already and decides, so the primary's answer is ignored).
  struct BatchCall {
    std::string_view worker;
    int max_take = 0;
    int64_t lease_ms = 0;
    CompleteAndTakeResult result;
    std::vector<JobDone> primary_done;
    std::vector<int> answer_to;
    // Jobs still to take.
    int want() const;
    // Records the primary's answers to primary_done, which it empties.
    void Answer(const Result<CompleteAndTakeResult>& r);
  };
  // CompleteAndTake's completions: each as Complete does, the outbox rows
  // in one transaction; those for the primary are left in `call`.
  void FinishRuns(const std::vector<JobDone>& done, BatchCall* call);
  // Finishes the outbox rows of guarded runs `jobs` (with their claims) in
  // one transaction: true for each row that changed, or the error.
  std::vector<Result<bool>> FinishOutboxRows(const std::vector<std::pair<Job, int64_t>>& jobs);
  // CompleteAndTake's take (see the header comment), sending the primary's
  // completions with its call; waits up to wait_ms for a first job.
  void TakeBatch(BatchCall* call, int64_t wait_ms);
  // Takes from the fallback, waiting up to wait_ms. An error stops the take.
  Status TakeFromFallback(BatchCall* call, int64_t wait_ms);
  // One CompleteAndTake on the primary, waiting up to wait_ms. An error
  // other than Unavailable stops the take.
  Status TakeFromPrimary(BatchCall* call, const PrimaryRef& primary, int64_t wait_ms);
  // The completions left for the primary, on their own (the primary is
  // down, or taking stopped first).
  void ReportToPrimary(BatchCall* call);
  // Guards each job of `jobs` (from the primary or not) into the call's
  // result; on an error gives back those not guarded yet and returns it.
  Status GuardAll(std::vector<Job> jobs, bool primary, BatchCall* call);
  // The taken job's entry; FailedPrecondition when it is not held here.
  Result<Taken> Held(const Job& job);
  void Forget(const Job& job);
  void MarkBackendLost(const Job& job);

  QueueOpener open_primary_;
  std::unique_ptr<Queue> fallback_;
  const Clock* clock_;
  const FailoverQueueOptions options_;
  std::unique_ptr<RelayTarget> relay_target_;

  mutable std::mutex mu_;  // guards the fields below, not the backends
  std::condition_variable probe_cv_;  // the first open of the primary ended
  std::unique_ptr<Queue> primary_;    // set once, by the first probe that opens it
  PrimaryHealth health_;
  TimeMs next_fallback_check_ = 0;
  std::map<std::string, Taken> taken_;  // by job id
  std::map<std::pair<bool, std::string>, Parked> parked_;  // by (primary, job id)
  TimeMs next_park_check_ = 0;
  bool revisiting_ = false;  // RevisitParked is under way

  std::mutex db_mu_;  // the outbox connection
  std::unique_ptr<Db> db_;
};

}  // namespace vigil
