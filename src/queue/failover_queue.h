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
//   Take     while the primary answers: from the fallback first without
//            waiting, at most every fallback_check_ms (so jobs left there by
//            an outage, or added by `vigil trigger`, drain), then from the
//            primary with a wait of at most fallback_check_ms. While it does
//            not: from the fallback only, trying the primary again every
//            retry_primary_ms. The primary is opened lazily, so serve starts
//            with Redis down.
//   Guard    before a taken job is handed out, its run is claimed in the
//            outbox (ClaimJobRun): a job finished already, or running from
//            the other backend, is completed in this backend as skipped
//            ({"skipped": "..."}) and not handed out — the holder's backend
//            keeps its own copy until that run ends. One job id therefore
//            never runs in two places at once, and a finished job never
//            runs again. Jobs without an outbox row run unguarded (one copy).
//   Complete/Fail go to the backend the job came from; the outbox row is
//            finished when the job completed (also when the backend could not
//            be told — it was unreachable — so the re-run after its return is
//            skipped) or failed for good, and only while this run's claim is
//            the latest (a run taken over after its lease expired finishes
//            nothing: its Complete is refused by the backend).
//   Get/List/Counts combine both backends; Get also finds a job that is
//            only in the outbox (waiting).
//
// The primary counts as down after it returns Unavailable, until a call to
// it succeeds again.
//
// Thread safety: every method may be called from any thread; the outbox
// connection is used under a mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct FailoverQueueOptions {
  std::string name = "vigil";             // the queue's name (and the outbox rows')
  std::string primary_label = "redis";    // in the outbox and in logs
  std::string fallback_label = "local";
  int64_t retry_primary_ms = 1000;  // while down, how often the primary is tried again
  int64_t fallback_check_ms = 200;  // while up, how often Take looks at the fallback
};

using QueueOpener = std::function<Result<std::unique_ptr<Queue>>()>;

class FailoverQueue final : public Queue {
 public:
  // `open_primary` is called until it succeeds; `fallback` and `db` (the
  // outbox's connection, migrated) are owned. InvalidArgument when one is missing.
  static Result<std::unique_ptr<FailoverQueue>> Open(QueueOpener open_primary,
                                                     std::unique_ptr<Queue> fallback,
                                                     std::unique_ptr<Db> db, const Clock* clock,
                                                     FailoverQueueOptions options = {});
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

  // Whether the primary answered last time it was asked.
  bool primary_up() const;

  // The backends without the outbox, for the reconciler: Add relays to the
  // primary while it answers, else the fallback, and records the relay in
  // the outbox; Get returns the primary's copy, else the fallback's, and
  // NotFound when neither has a live one — a primary that is down has none,
  // so during an outage the reconciler gives the fallback a copy of every
  // unfinished job (the run guard keeps the copies from running twice), and
  // a copy Guard completed as skipped does not count. Other methods act as
  // the FailoverQueue's. Owned by this queue.
  Queue* relay_target();

 private:
  class RelayTarget;
  struct Taken {
    bool primary = false;
    int64_t token = 0;        // the backend's fencing token
    int64_t claim_token = 0;  // the outbox run claim; 0 when unguarded
  };

  FailoverQueue(QueueOpener open_primary, std::unique_ptr<Queue> fallback, std::unique_ptr<Db> db,
                const Clock* clock, FailoverQueueOptions options);

  // The primary when it is open and not known to be down (or due for another
  // try); null otherwise.
  Queue* Primary();
  // Records the outcome of a call to the primary: Unavailable marks it down,
  // anything else up. Returns `s`.
  Status Note(Status s);
  void NoteQuietly(const Status& s);
  // Relays a job to the primary, or the fallback when the primary is down;
  // records the relay in the outbox.
  Result<AddResult> Relay(std::string_view name, std::string_view payload,
                          const JobOptions& options);
  // Claims the run of `job` from a backend; nullopt when it must not run
  // (it was completed there as skipped).
  Result<std::optional<Job>> Guard(Job job, bool primary, std::string_view worker,
                                   int64_t lease_ms);
  // The taken job's entry; FailedPrecondition when it is not held here.
  Result<Taken> Held(const Job& job);
  void Forget(const Job& job);

  QueueOpener open_primary_;
  std::unique_ptr<Queue> fallback_;
  const Clock* clock_;
  const FailoverQueueOptions options_;
  std::unique_ptr<RelayTarget> relay_target_;

  mutable std::mutex mu_;  // guards the fields below, not the backends
  std::unique_ptr<Queue> primary_;
  bool primary_down_ = false;
  TimeMs next_primary_try_ = 0;
  TimeMs next_fallback_check_ = 0;
  std::map<std::string, Taken> taken_;  // by job id

  std::mutex db_mu_;  // the outbox connection
  std::unique_ptr<Db> db_;
};

}  // namespace vigil
