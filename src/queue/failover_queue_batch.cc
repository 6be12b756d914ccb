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

Result<CompleteAndTakeResult> FailoverQueue::CompleteAndTake(const std::vector<JobDone>& done,
                                                             std::string_view worker,
                                                             int max_take, int64_t lease_ms,
                                                             int64_t wait_ms) {
  VIGIL_RETURN_IF_ERROR(ValidateTake(lease_ms, wait_ms));
  if (max_take < 0) {
    return Status::InvalidArgument("take: max_take must be >= 0 (got " + std::to_string(max_take) +
                                   ")");
  }
  CompleteAndTakeResult result;
  PrimaryBatch batch;
  FinishRuns(done, &result.completed, &batch);
  TakeBatch(worker, max_take, lease_ms, wait_ms, &batch, &result);
  return result;
}

void FailoverQueue::FinishRuns(const std::vector<JobDone>& done, std::vector<Status>* completed,
                               PrimaryBatch* batch) {
  completed->assign(done.size(), Status::Ok());
  struct Guarded {
    size_t index;
    Taken taken;
    std::string value;
  };
  std::vector<Guarded> guarded;  // their outbox rows are finished below
  for (size_t i = 0; i < done.size(); ++i) {
    const Job& job = done[i].job;
    Result<Taken> t = Held(job);
    if (!t.ok()) {
      (*completed)[i] = t.status();
      continue;
    }
    std::string value = done[i].return_value.empty() ? "null" : done[i].return_value;
    if (!nlohmann::json::accept(value)) {
      // The job stays held: the worker fails the run instead.
      (*completed)[i] =
          Status::InvalidArgument("complete job \"" + job.id + "\": return value is not JSON");
      continue;
    }
    if (t->claim_token > 0) {
      guarded.push_back({i, *t, std::move(value)});
    } else if (t->primary) {  // unguarded: the backend's answer is the answer
      batch->done.push_back({job, std::move(value)});
      batch->answer_to.push_back(static_cast<int>(i));
      Forget(job);
    } else {
      (*completed)[i] = fallback_->Complete(job, value);
      Forget(job);
    }
  }
  if (guarded.empty()) return;
  // The database first, in one transaction: once a row is finished no copy
  // of its job runs again, whatever the backend makes of the completion.
  std::vector<Result<bool>> marked;
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    const TimeMs now = clock_->NowMs();
    Transaction tx(db_.get());
    Status s = tx.status();
    for (const Guarded& g : guarded) {
      if (!s.ok()) break;
      marked.push_back(MarkOutboxFinished(db_.get(), options_.name, done[g.index].job.id,
                                          "completed", now, g.taken.claim_token));
      s = marked.back().status();
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) marked.assign(guarded.size(), s);  // rolled back: none finished
  }
  for (size_t k = 0; k < guarded.size(); ++k) {
    const Guarded& g = guarded[k];
    const Job& job = done[g.index].job;
    Forget(job);
    if (!marked[k].ok() || !*marked[k]) {
      (*completed)[g.index] =
          !marked[k].ok() ? marked[k].status().Prefixed("job outbox")
                          : Status::FailedPrecondition("job " + job.id +
                                                       ": lease lost (its run claim was taken over)");
      continue;
    }
    if (g.taken.backend_lost) continue;
    if (g.taken.primary) {
      batch->done.push_back({job, g.value});
      batch->answer_to.push_back(-1);
    } else {
      (void)fallback_->Complete(job, g.value);
    }
  }
}

Status FailoverQueue::GuardAll(std::vector<Job> jobs, bool primary, std::string_view worker,
                               int64_t lease_ms, CompleteAndTakeResult* result) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    Result<std::optional<Job>> guarded = Guard(std::move(jobs[i]), primary, worker, lease_ms);
    if (!guarded.ok()) {
      // Not handed out: the rest go back to their backend at once.
      for (size_t k = i + 1; k < jobs.size(); ++k) {
        (void)OnBackend(primary, [&](Queue* q) { return q->Release(jobs[k]); });
      }
      return guarded.status();
    }
    if (*guarded) result->taken.push_back(std::move(**guarded));
  }
  return Status::Ok();
}

void FailoverQueue::TakeBatch(std::string_view worker, int max_take, int64_t lease_ms,
                              int64_t wait_ms, PrimaryBatch* batch,
                              CompleteAndTakeResult* result) {
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(wait_ms);
  auto want = [&] { return std::max(0, max_take - static_cast<int>(result->taken.size())); };
  // The primary's answers to the completions of `batch`, once.
  auto answer = [&](const Result<CompleteAndTakeResult>& r) {
    for (size_t k = 0; k < batch->done.size(); ++k) {
      const int to = batch->answer_to[k];
      if (to < 0) continue;
      result->completed[to] = r.ok() && k < r->completed.size() ? r->completed[k] : r.status();
    }
    batch->done.clear();
    batch->answer_to.clear();
  };
  for (;;) {
    if (want() > 0) {
      Result<std::optional<Job>> unparked = RevisitParked(worker, lease_ms);
      if (!unparked.ok()) {
        result->take_status = unparked.status();
        break;
      }
      if (*unparked) result->taken.push_back(std::move(**unparked));
    }
    PrimaryRef primary = Primary();
    bool look_at_fallback = !primary;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (clock_->NowMs() >= next_fallback_check_) look_at_fallback = true;
    }
    if (look_at_fallback && want() > 0) {
      const int64_t wait = primary || !result->taken.empty()
                               ? 0
                               : std::min<int64_t>(MsUntil(deadline), options_.retry_primary_ms);
      Result<CompleteAndTakeResult> local =
          fallback_->CompleteAndTake({}, worker, want(), lease_ms, wait);
      Status s = local.ok() ? local->take_status : local.status();
      const bool took = local.ok() && !local->taken.empty();
      if (local.ok()) {
        Status guarded = GuardAll(std::move(local->taken), false, worker, lease_ms, result);
        if (s.ok()) s = guarded;
      }
      if (!s.ok()) {
        result->take_status = s;
        break;
      }
      if (!took) {
        std::lock_guard<std::mutex> lock(mu_);
        next_fallback_check_ = clock_->NowMs() + options_.fallback_check_ms;
      }
    }
    if (primary && (want() > 0 || !batch->done.empty())) {
      const int64_t wait = result->taken.empty()
                               ? std::min<int64_t>(MsUntil(deadline), options_.fallback_check_ms)
                               : 0;
      Result<CompleteAndTakeResult> r =
          primary.queue->CompleteAndTake(batch->done, worker, want(), lease_ms, wait);
      const Status s = r.ok() ? r->take_status : r.status();
      Note(s, primary.epoch);
      answer(r);
      if (r.ok()) {
        Status guarded = GuardAll(std::move(r->taken), true, worker, lease_ms, result);
        if (!guarded.ok()) {
          result->take_status = guarded;
          break;
        }
      }
      if (!s.ok() && s.code() != Code::kUnavailable) {
        result->take_status = s;
        break;
      }
    }
    if (!result->taken.empty() || want() == 0 || MsUntil(deadline) == 0) break;
  }
  if (batch->done.empty()) return;
  // Not sent with a take (the primary is down, or taking failed first):
  // on their own. A primary that is down keeps those copies; for a guarded
  // job the outbox decided already.
  Result<CompleteAndTakeResult> r = Status::Unavailable("");
  Status s = OnBackend(true, [&](Queue* q) {
    r = q->CompleteAndTake(batch->done, worker, 0, lease_ms, 0);
    return r.ok() ? r->take_status : r.status();
  });
  if (!s.ok() && (!r.ok() || r->completed.empty())) r = s;
  answer(r);
}

}  // namespace vigil
