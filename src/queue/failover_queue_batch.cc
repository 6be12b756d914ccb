// FailoverQueue's batch calls: AddBulk, CompleteAndTake and Release (see
// queue/failover_queue.h). Each keeps the rules of its one-job call — the
// outbox first, the run claim as the lease of record — with fewer round
// trips to the primary and fewer commits in the outbox.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "observe/log.h"
#include "queue/failover_queue.h"
#include "queue/job_outbox.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

int64_t MsUntil(Steady::time_point deadline) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count());
}

}  // namespace

Result<std::vector<AddResult>> FailoverQueue::AddBulk(const std::vector<JobToQueue>& jobs) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    Status valid = ValidateJobToAdd(jobs[i].name, jobs[i].payload, jobs[i].options);
    if (!valid.ok()) return valid.Prefixed("job " + std::to_string(i));
  }
  std::vector<AddResult> appended;
  std::vector<JobToQueue> relay;  // with the outbox's job ids
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    const TimeMs now = clock_->NowMs();
    Transaction tx(db_.get());
    VIGIL_RETURN_IF_ERROR(tx.status().Prefixed("job outbox"));
    for (const JobToQueue& job : jobs) {
      VIGIL_ASSIGN_OR_RETURN(AddResult one, AppendOutboxJob(db_.get(), options_.name, job.name,
                                                            job.payload, job.options, now));
      bool hand_over = one.added;
      if (!one.added) {
        // As Add: a row appended inside a caller's transaction is handed
        // over here; one relayed already is a duplicate.
        Result<OutboxJob> row = GetOutboxJob(db_.get(), options_.name, one.job_id);
        hand_over = row.ok() && !row->relayed_at && !row->finished_at;
      }
      if (hand_over) {
        relay.push_back(job);
        relay.back().options.job_id = one.job_id;
      }
      appended.push_back(std::move(one));
    }
    VIGIL_RETURN_IF_ERROR(tx.Commit().Prefixed("job outbox"));
  }
  if (relay.empty()) return appended;
  Status relayed = RelayBulk(relay);
  if (!relayed.ok()) {
    // Durable in the outbox: the reconciler relays them later.
    Log(LogLevel::kWarn, "queue.relay_failed",
        {{"jobs", static_cast<int64_t>(relay.size())}, {"error", relayed.message()}});
  }
  return appended;
}

Status FailoverQueue::RelayBulk(const std::vector<JobToQueue>& jobs) {
  std::string to = options_.fallback_label;
  Result<std::vector<AddResult>> added = Status::Unavailable("not relayed");
  if (PrimaryRef primary = Primary()) {
    added = primary.queue->AddBulk(jobs);
    Note(added.status(), primary.epoch);
    if (added.ok()) to = options_.primary_label;
    if (!added.ok() && added.status().code() != Code::kUnavailable) return added.status();
  }
  if (!added.ok()) added = fallback_->AddBulk(jobs);
  if (!added.ok()) return added.status();
  std::lock_guard<std::mutex> lock(db_mu_);
  const TimeMs now = clock_->NowMs();
  Transaction tx(db_.get());
  VIGIL_RETURN_IF_ERROR(tx.status());
  for (const AddResult& a : *added) {
    VIGIL_RETURN_IF_ERROR(MarkOutboxRelayed(db_.get(), options_.name, a.job_id, to, now));
  }
  return tx.Commit();
}

Status FailoverQueue::Release(const Job& job) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  if (t.claim_token > 0) {
    // The claim first: once it ends, the copy given back below may run
    // anywhere at once.
    std::lock_guard<std::mutex> lock(db_mu_);
    Result<bool> holds = HoldsJobRun(db_.get(), options_.name, job.id, t.claim_token);
    Status released = holds.ok() && *holds
                          ? ReleaseJobRun(db_.get(), options_.name, job.id, t.claim_token)
                          : holds.status();
    if (!holds.ok() || !released.ok() || !*holds) {
      Forget(job);
      if (!holds.ok()) return holds.status().Prefixed("job outbox");
      if (!released.ok()) return released.Prefixed("job outbox");
      return Status::FailedPrecondition("job " + job.id +
                                        ": lease lost (its run claim was taken over)");
    }
  }
  Status s = t.backend_lost ? Status::FailedPrecondition("job " + job.id + ": lease lost")
                            : OnBackend(t.primary, [&](Queue* q) { return q->Release(job); });
  Forget(job);
  // A guarded job is given back once its claim ended: a backend that could
  // not be told hands its copy out again when the lease runs out.
  return t.claim_token > 0 ? Status::Ok() : s;
}

int FailoverQueue::BatchCall::want() const {
  return std::max(0, max_take - static_cast<int>(result.taken.size()));
}

void FailoverQueue::BatchCall::Answer(const Result<CompleteAndTakeResult>& r) {
  for (size_t k = 0; k < primary_done.size(); ++k) {
    const int to = answer_to[k];
    if (to < 0) continue;
    result.completed[to] = r.ok() && k < r->completed.size() ? r->completed[k] : r.status();
  }
  primary_done.clear();
  answer_to.clear();
}

Result<CompleteAndTakeResult> FailoverQueue::CompleteAndTake(const std::vector<JobDone>& done,
                                                             std::string_view worker, int max_take,
                                                             int64_t lease_ms, int64_t wait_ms) {
  VIGIL_RETURN_IF_ERROR(ValidateCompleteAndTake(lease_ms, wait_ms, max_take));
  BatchCall call;
  call.worker = worker;
  call.max_take = max_take;
  call.lease_ms = lease_ms;
  FinishRuns(done, &call);
  TakeBatch(&call, wait_ms);
  return std::move(call.result);
}

void FailoverQueue::FinishRuns(const std::vector<JobDone>& done, BatchCall* call) {
  std::vector<Status>& completed = call->result.completed;
  completed.assign(done.size(), Status::Ok());
  std::vector<size_t> guarded;  // indexes into `done`; their outbox rows are finished below
  std::vector<Taken> guarded_taken;
  std::vector<std::pair<Job, int64_t>> rows;
  for (size_t i = 0; i < done.size(); ++i) {
    const Job& job = done[i].job;
    Result<Taken> t = Held(job);
    if (!t.ok()) {
      completed[i] = t.status();
    } else if (!nlohmann::json::accept(done[i].return_value.empty() ? "null"
                                                                    : done[i].return_value)) {
      // The job stays held: the worker fails the run instead.
      completed[i] =
          Status::InvalidArgument("complete job \"" + job.id + "\": return value is not JSON");
    } else if (t->claim_token > 0) {
      guarded.push_back(i);
      guarded_taken.push_back(*t);
      rows.emplace_back(job, t->claim_token);
    } else if (t->primary) {  // unguarded: the backend's answer is the answer
      call->primary_done.push_back(done[i]);
      call->answer_to.push_back(static_cast<int>(i));
      Forget(job);
    } else {
      completed[i] =
          fallback_->Complete(job, done[i].return_value.empty() ? "null" : done[i].return_value);
      Forget(job);
    }
  }
  if (rows.empty()) return;
  // The database first: once a row is finished no copy of its job runs
  // again, whatever the backend makes of the completion.
  std::vector<Result<bool>> marked = FinishOutboxRows(rows);
  for (size_t k = 0; k < guarded.size(); ++k) {
    const JobDone& d = done[guarded[k]];
    Forget(d.job);
    if (!marked[k].ok() || !*marked[k]) {
      completed[guarded[k]] =
          !marked[k].ok() ? marked[k].status().Prefixed("job outbox")
                          : Status::FailedPrecondition(
                                "job " + d.job.id + ": lease lost (its run claim was taken over)");
    } else if (guarded_taken[k].backend_lost) {
      // Its backend refused this lease: not asked again.
    } else if (guarded_taken[k].primary) {
      call->primary_done.push_back(d);
      call->answer_to.push_back(-1);
    } else {
      (void)fallback_->Complete(d.job, d.return_value.empty() ? "null" : d.return_value);
    }
  }
}

std::vector<Result<bool>> FailoverQueue::FinishOutboxRows(
    const std::vector<std::pair<Job, int64_t>>& jobs) {
  std::vector<Result<bool>> marked;
  std::lock_guard<std::mutex> lock(db_mu_);
  const TimeMs now = clock_->NowMs();
  Transaction tx(db_.get());
  Status s = tx.status();
  for (const auto& [job, claim_token] : jobs) {
    if (!s.ok()) break;
    marked.push_back(
        MarkOutboxFinished(db_.get(), options_.name, job.id, "completed", now, claim_token));
    s = marked.back().status();
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) marked.assign(jobs.size(), s);  // rolled back: none finished
  return marked;
}

Status FailoverQueue::GuardAll(std::vector<Job> jobs, bool primary, BatchCall* call) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    Result<std::optional<Job>> guarded =
        Guard(std::move(jobs[i]), primary, call->worker, call->lease_ms);
    if (!guarded.ok()) {
      // Not handed out: the rest go back to their backend at once.
      for (size_t k = i + 1; k < jobs.size(); ++k) {
        (void)OnBackend(primary, [&](Queue* q) { return q->Release(jobs[k]); });
      }
      return guarded.status();
    }
    if (*guarded) call->result.taken.push_back(std::move(**guarded));
  }
  return Status::Ok();
}

void FailoverQueue::TakeBatch(BatchCall* call, int64_t wait_ms) {
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(wait_ms);
  Status& error = call->result.take_status;
  // The completions go to the primary at once, right after their outbox
  // rows were finished, as Complete tells the backend at once: a look at
  // the fallback or at held-back copies may wait behind the database's write
  // lock, and nothing extends the primary's locks of those jobs any more.
  bool primary_found_none = false;  // just asked, without waiting
  if (!call->primary_done.empty()) {
    if (PrimaryRef primary = Primary()) {
      error = TakeFromPrimary(call, primary, 0);
      primary_found_none = error.ok() && call->result.taken.empty();
    }
  }
  while (error.ok() && call->result.taken.empty() && call->want() > 0) {
    Result<std::optional<Job>> unparked = RevisitParked(call->worker, call->lease_ms);
    if (!unparked.ok()) {
      error = unparked.status();
      break;
    }
    if (*unparked) call->result.taken.push_back(std::move(**unparked));
    PrimaryRef primary = Primary();
    bool look_at_fallback = !primary;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (clock_->NowMs() >= next_fallback_check_) look_at_fallback = true;
    }
    const bool none_yet = call->result.taken.empty();
    if (look_at_fallback && call->want() > 0) {
      // While the primary is up it is the one waited on.
      const int64_t wait = primary || !none_yet
                               ? 0
                               : std::min<int64_t>(MsUntil(deadline), options_.retry_primary_ms);
      error = TakeFromFallback(call, wait);
      if (!error.ok()) break;
    }
    if (primary && call->want() > 0) {
      const int64_t wait = call->result.taken.empty()
                               ? std::min<int64_t>(MsUntil(deadline), options_.fallback_check_ms)
                               : 0;
      // Not asked twice in a row without a wait.
      if (!(primary_found_none && wait == 0)) error = TakeFromPrimary(call, primary, wait);
      if (!error.ok()) break;
    }
    primary_found_none = false;
    if (MsUntil(deadline) == 0) break;
  }
  ReportToPrimary(call);
}

Status FailoverQueue::TakeFromFallback(BatchCall* call, int64_t wait_ms) {
  Result<CompleteAndTakeResult> local =
      fallback_->CompleteAndTake({}, call->worker, call->want(), call->lease_ms, wait_ms);
  if (!local.ok()) return local.status();
  const bool took = !local->taken.empty();
  Status guarded = GuardAll(std::move(local->taken), false, call);
  if (!local->take_status.ok()) return local->take_status;
  VIGIL_RETURN_IF_ERROR(guarded);
  if (!took) {
    std::lock_guard<std::mutex> lock(mu_);
    next_fallback_check_ = clock_->NowMs() + options_.fallback_check_ms;
  }
  return Status::Ok();
}

Status FailoverQueue::TakeFromPrimary(BatchCall* call, const PrimaryRef& primary, int64_t wait_ms) {
  Result<CompleteAndTakeResult> r = primary.queue->CompleteAndTake(
      call->primary_done, call->worker, call->want(), call->lease_ms, wait_ms);
  const Status s = r.ok() ? r->take_status : r.status();
  Note(s, primary.epoch);
  call->Answer(r);
  if (r.ok()) VIGIL_RETURN_IF_ERROR(GuardAll(std::move(r->taken), true, call));
  // Unavailable: the primary is down now; the next look goes to the fallback.
  return s.code() == Code::kUnavailable ? Status::Ok() : s;
}

void FailoverQueue::ReportToPrimary(BatchCall* call) {
  if (call->primary_done.empty()) return;
  // A primary that is down keeps those copies; for a guarded job the
  // outbox decided already.
  Result<CompleteAndTakeResult> r = Status::Unavailable("");
  Status s = OnBackend(true, [&](Queue* q) {
    r = q->CompleteAndTake(call->primary_done, call->worker, 0, call->lease_ms, 0);
    return r.ok() ? r->take_status : r.status();
  });
  if (!s.ok() && (!r.ok() || r->completed.empty())) r = s;
  call->Answer(r);
}

}  // namespace vigil
