#include "queue/failover_queue.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "observe/log.h"
#include "queue/job_outbox.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

int64_t MsUntil(Steady::time_point deadline) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count());
}

std::string Skipped(std::string_view why) { return nlohmann::json{{"skipped", why}}.dump(); }

// A copy Guard completed without running it.
bool IsSkippedCopy(const JobInfo& info) {
  return info.state == JobState::kCompleted && info.return_value.rfind("{\"skipped\"", 0) == 0;
}

}  // namespace

// The backends without the outbox (see relay_target() in the header).
class FailoverQueue::RelayTarget final : public Queue {
 public:
  explicit RelayTarget(FailoverQueue* q) : q_(q) {}
  const std::string& name() const override { return q_->name(); }
  Result<AddResult> Add(std::string_view name, std::string_view payload,
                        const JobOptions& options) override {
    return q_->Relay(name, payload, options);
  }
  // A copy counts when its backend has it and it is not a skipped duplicate;
  // a primary that is down has none.
  Result<JobInfo> Get(std::string_view job_id) override {
    if (PrimaryRef p = q_->Primary()) {
      Result<JobInfo> info = p.queue->Get(job_id);
      q_->Note(info.status(), p.epoch);
      if (info.ok() && !IsSkippedCopy(*info)) return info;
      if (!info.ok() && info.status().code() != Code::kNotFound &&
          info.status().code() != Code::kUnavailable) {
        return info;
      }
    }
    Result<JobInfo> local = q_->fallback_->Get(job_id);
    if (local.ok() && !IsSkippedCopy(*local)) return local;
    if (!local.ok() && local.status().code() != Code::kNotFound) return local;
    return Status::NotFound("no live copy of job \"" + std::string(job_id) + "\"");
  }
  Result<std::optional<Job>> Take(std::string_view w, int64_t l, int64_t t) override {
    return q_->Take(w, l, t);
  }
  Status ExtendLease(const Job& job, int64_t l) override { return q_->ExtendLease(job, l); }
  Status Complete(const Job& job, std::string_view v) override { return q_->Complete(job, v); }
  Result<FailResult> Fail(const Job& job, std::string_view e) override { return q_->Fail(job, e); }
  Result<int> RecoverStalled() override { return q_->RecoverStalled(); }
  Status Retry(std::string_view id) override { return q_->Retry(id); }
  Status Pause() override { return q_->Pause(); }
  Status Resume() override { return q_->Resume(); }
  Result<JobCounts> Counts() override { return q_->Counts(); }
  Result<std::vector<JobInfo>> List(const ListFilter& f) override { return q_->List(f); }
  void WakeAll() override { q_->WakeAll(); }

 private:
  FailoverQueue* q_;
};

Result<std::unique_ptr<FailoverQueue>> FailoverQueue::Open(QueueOpener open_primary,
                                                           std::unique_ptr<Queue> fallback,
                                                           std::unique_ptr<Db> db,
                                                           const Clock* clock,
                                                           FailoverQueueOptions options) {
  if (!open_primary || !fallback || !db || clock == nullptr) {
    return Status::InvalidArgument(
        "failover queue: a primary opener, a fallback, a database and a clock are required");
  }
  if (options.retry_primary_ms <= 0 || options.fallback_check_ms <= 0 ||
      options.max_retry_primary_ms < options.retry_primary_ms || options.up_after_probes < 1) {
    return Status::InvalidArgument(
        "failover queue: retry_primary_ms and fallback_check_ms must be > 0, "
        "max_retry_primary_ms >= retry_primary_ms and up_after_probes >= 1");
  }
  return std::unique_ptr<FailoverQueue>(new FailoverQueue(
      std::move(open_primary), std::move(fallback), std::move(db), clock, std::move(options)));
}

namespace {

PrimaryHealthOptions HealthOptions(const FailoverQueueOptions& o) {
  PrimaryHealthOptions h;
  h.label = o.primary_label;
  h.fallback_label = o.fallback_label;
  h.retry_ms = o.retry_primary_ms;
  h.max_retry_ms = o.max_retry_primary_ms;
  h.up_after = o.up_after_probes;
  return h;
}

}  // namespace

FailoverQueue::FailoverQueue(QueueOpener open_primary, std::unique_ptr<Queue> fallback,
                             std::unique_ptr<Db> db, const Clock* clock,
                             FailoverQueueOptions options)
    : open_primary_(std::move(open_primary)),
      fallback_(std::move(fallback)),
      clock_(clock),
      options_(std::move(options)),
      relay_target_(std::make_unique<RelayTarget>(this)),
      health_(HealthOptions(options_), clock),
      db_(std::move(db)) {}

FailoverQueue::~FailoverQueue() {
  std::map<std::pair<bool, std::string>, Parked> parked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    parked.swap(parked_);
  }
  for (const auto& entry : parked) {
    const Parked& p = entry.second;  // (clang cannot capture a structured binding)
    // On failure its lease expires and the backend recovers it.
    (void)OnBackend(p.primary, [&](Queue* q) { return q->Release(p.job); });
  }
}

Queue* FailoverQueue::relay_target() { return relay_target_.get(); }

bool FailoverQueue::primary_up() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_.up();
}

std::string FailoverQueue::primary_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return health_.last_error();
}

FailoverQueue::PrimaryRef FailoverQueue::Primary() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (health_.up()) return {primary_.get(), health_.epoch()};
    if (health_.StartProbe()) break;
    // The first open is under way: its outcome decides for everyone.
    if (health_.state() != PrimaryHealth::State::kUnknown) return {};
    probe_cv_.wait(lock, [&] { return !health_.probing(); });
  }
  Queue* primary = primary_.get();
  lock.unlock();
  // The probe: open the primary on first use, else a cheap call that runs
  // a script (so a server that restarted loads them again).
  Status outcome;
  std::unique_ptr<Queue> opened;
  if (primary == nullptr) {
    Result<std::unique_ptr<Queue>> r = open_primary_();
    outcome = r.status();
    if (r.ok()) opened = std::move(r).value();
  } else {
    outcome = primary->Counts().status();
  }
  lock.lock();
  if (opened) primary_ = std::move(opened);
  health_.ProbeDone(outcome);
  probe_cv_.notify_all();
  if (health_.up()) return {primary_.get(), health_.epoch()};
  return {};
}

void FailoverQueue::Note(const Status& s, uint64_t epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  health_.Note(s, epoch);
}

Status FailoverQueue::OnBackend(bool primary, const std::function<Status(Queue*)>& call) {
  if (!primary) return call(fallback_.get());
  Queue* queue = nullptr;
  uint64_t epoch = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!health_.up() || primary_ == nullptr) {
      return Status::Unavailable(options_.primary_label + " is down (" + health_.last_error() +
                                 ")");
    }
    queue = primary_.get();
    epoch = health_.epoch();
  }
  Status s = call(queue);
  Note(s, epoch);
  return s;
}

Result<AddResult> FailoverQueue::Relay(std::string_view name, std::string_view payload,
                                       const JobOptions& options) {
  std::string to = options_.fallback_label;
  Result<AddResult> added = Status::Unavailable("not relayed");
  if (PrimaryRef primary = Primary()) {
    added = primary.queue->Add(name, payload, options);
    Note(added.status(), primary.epoch);
    if (added.ok()) to = options_.primary_label;
    if (!added.ok() && added.status().code() != Code::kUnavailable) return added;
  }
  if (!added.ok()) added = fallback_->Add(name, payload, options);
  if (!added.ok()) return added;
  std::lock_guard<std::mutex> lock(db_mu_);
  VIGIL_RETURN_IF_ERROR(
      MarkOutboxRelayed(db_.get(), options_.name, added->job_id, to, clock_->NowMs()));
  return added;
}

Result<AddResult> FailoverQueue::Add(std::string_view name, std::string_view payload,
                                     const JobOptions& options) {
  Result<AddResult> appended = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    appended = AppendOutboxJob(db_.get(), options_.name, name, payload, options, clock_->NowMs());
  }
  if (!appended.ok()) return appended;
  if (!appended->added) {
    // A row appended inside a caller's transaction (AppendOutboxJob) is
    // handed over here; one relayed already is a duplicate.
    Result<OutboxJob> row = Status::Ok();
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      row = GetOutboxJob(db_.get(), options_.name, appended->job_id);
    }
    if (!row.ok() || row->relayed_at || row->finished_at) return appended;
  }
  JobOptions relayed = options;
  relayed.job_id = appended->job_id;
  Result<AddResult> r = Relay(name, payload, relayed);
  if (!r.ok()) {
    // Durable in the outbox: the reconciler relays it later.
    Log(LogLevel::kWarn, "queue.relay_failed",
        {{"job", appended->job_id}, {"error", r.status().message()}});
  }
  return appended;
}

Result<std::optional<Job>> FailoverQueue::Guard(Job job, bool primary, std::string_view worker,
                                                int64_t lease_ms) {
  const TimeMs now = clock_->NowMs();
  Result<RunClaim> claim = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    claim = ClaimJobRun(db_.get(), options_.name, job.id,
                        primary ? options_.primary_label : options_.fallback_label, worker,
                        now + lease_ms, now);
  }
  VIGIL_RETURN_IF_ERROR(claim.status().Prefixed("claiming the run of job " + job.id));
  if (claim->outcome == ClaimOutcome::kFinished) {
    Skip(job, primary, "finished already");
    return std::optional<Job>();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (claim->outcome == ClaimOutcome::kHeldElsewhere) {
    Log(LogLevel::kInfo, "job.held_back",
        {{"job", job.id},
         {"from", primary ? options_.primary_label : options_.fallback_label},
         {"why", "another run holds it; this copy waits for that run's end"}});
    const std::pair<bool, std::string> key(primary, job.id);
    parked_[key] = Parked{std::move(job), primary, lease_ms, now + lease_ms / 3};
    return std::optional<Job>();
  }
  taken_[job.id] = Taken{primary, job.token, claim->token, false};
  return std::optional<Job>(std::move(job));
}

void FailoverQueue::Skip(const Job& job, bool primary, std::string_view why) {
  Log(LogLevel::kInfo, "job.skipped", {{"job", job.id}, {"why", why}});
  // A primary that is down keeps its copy: it comes back after its lease
  // and is skipped then.
  (void)OnBackend(primary, [&](Queue* q) { return q->Complete(job, Skipped(why)); });
}

Result<std::optional<Job>> FailoverQueue::RevisitParked(std::string_view worker,
                                                        int64_t lease_ms) {
  std::vector<Parked> copies;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const TimeMs now = clock_->NowMs();
    if (parked_.empty() || revisiting_ || now < next_park_check_) return std::optional<Job>();
    revisiting_ = true;
    next_park_check_ = now + options_.fallback_check_ms;
    for (const auto& [key, p] : parked_) copies.push_back(p);
  }
  std::optional<Job> handed_out;
  Status error;
  for (Parked& p : copies) {
    const std::pair<bool, std::string> key(p.primary, p.job.id);
    auto unpark = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = parked_.find(key);
      if (it != parked_.end() && it->second.job.token == p.job.token) parked_.erase(it);
    };
    const TimeMs now = clock_->NowMs();
    Result<OutboxJob> row = Status::Ok();
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      row = GetOutboxJob(db_.get(), options_.name, p.job.id);
    }
    if (!row.ok() && row.status().code() != Code::kNotFound) {
      error = row.status();
      break;
    }
    if (!row.ok() || row->finished_at) {  // no row: finished and pruned since
      unpark();
      Skip(p.job, p.primary, "finished already");
      continue;
    }
    if (row->RunLiveAt(now)) {
      if (now < p.extend_at) continue;
      Status s = OnBackend(p.primary, [&](Queue* q) { return q->ExtendLease(p.job, p.lease_ms); });
      std::lock_guard<std::mutex> lock(mu_);
      auto it = parked_.find(key);
      if (it == parked_.end() || it->second.job.token != p.job.token) continue;
      if (s.code() == Code::kFailedPrecondition) {
        parked_.erase(it);  // the backend handed it out again or recovered it: not ours now
      } else if (s.ok()) {
        it->second.extend_at = now + p.lease_ms / 3;
      }
      continue;
    }
    // Free: the run that held the job ended without finishing it.
    unpark();
    if (handed_out || worker.empty()) {
      (void)OnBackend(p.primary, [&](Queue* q) { return q->Release(p.job); });
      continue;
    }
    if (!OnBackend(p.primary, [&](Queue* q) { return q->ExtendLease(p.job, lease_ms); }).ok()) {
      continue;  // lost meanwhile: its backend hands it out again
    }
    Result<std::optional<Job>> guarded = Guard(std::move(p.job), p.primary, worker, lease_ms);
    if (!guarded.ok()) {
      error = guarded.status();
      break;
    }
    handed_out = std::move(*guarded);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    revisiting_ = false;
  }
  if (!error.ok() && !handed_out) return error;
  return handed_out;
}

Result<std::optional<Job>> FailoverQueue::Take(std::string_view worker, int64_t lease_ms,
                                               int64_t wait_ms) {
  VIGIL_RETURN_IF_ERROR(ValidateTake(lease_ms, wait_ms));
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<Job> unparked, RevisitParked(worker, lease_ms));
    if (unparked) return unparked;
    PrimaryRef primary = Primary();
    bool look_at_fallback = !primary;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (clock_->NowMs() >= next_fallback_check_) look_at_fallback = true;
    }
    if (look_at_fallback) {
      const int64_t wait =
          primary ? 0 : std::min<int64_t>(MsUntil(deadline), options_.retry_primary_ms);
      VIGIL_ASSIGN_OR_RETURN(std::optional<Job> job, fallback_->Take(worker, lease_ms, wait));
      if (job) {
        VIGIL_ASSIGN_OR_RETURN(std::optional<Job> guarded,
                               Guard(std::move(*job), false, worker, lease_ms));
        if (guarded) return guarded;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      next_fallback_check_ = clock_->NowMs() + options_.fallback_check_ms;
    }
    if (primary) {
      const int64_t wait = std::min<int64_t>(MsUntil(deadline), options_.fallback_check_ms);
      Result<std::optional<Job>> taken = primary.queue->Take(worker, lease_ms, wait);
      Note(taken.status(), primary.epoch);
      if (!taken.ok() && taken.status().code() != Code::kUnavailable) return taken.status();
      if (taken.ok() && taken->has_value()) {
        VIGIL_ASSIGN_OR_RETURN(std::optional<Job> guarded,
                               Guard(std::move(**taken), true, worker, lease_ms));
        if (guarded) return guarded;
        continue;
      }
    }
    if (MsUntil(deadline) == 0) return std::optional<Job>();
  }
}

Result<FailoverQueue::Taken> FailoverQueue::Held(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = taken_.find(job.id);
  if (it == taken_.end() || it->second.token != job.token) {
    return Status::FailedPrecondition("job " + job.id + ": not held by this worker (lease lost)");
  }
  return it->second;
}

void FailoverQueue::Forget(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = taken_.find(job.id);
  if (it != taken_.end() && it->second.token == job.token) taken_.erase(it);
}

void FailoverQueue::MarkBackendLost(const Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = taken_.find(job.id);
  if (it != taken_.end() && it->second.token == job.token) it->second.backend_lost = true;
}

Status FailoverQueue::ExtendLease(const Job& job, int64_t lease_ms) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  auto extend = [&](Queue* q) { return q->ExtendLease(job, lease_ms); };
  if (t.claim_token == 0) return OnBackend(t.primary, extend);
  // The backend first: its lease must not wait behind the database's write
  // lock (a sync's transaction may hold it for a while).
  if (!t.backend_lost && OnBackend(t.primary, extend).code() == Code::kFailedPrecondition) {
    MarkBackendLost(job);
  }
  // The claim is the lease of record: it lasts while this run goes on,
  // whether the backend answered or not.
  Result<bool> extended = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    extended = ExtendJobRun(db_.get(), options_.name, job.id, t.claim_token,
                            clock_->NowMs() + lease_ms);
  }
  if (!extended.ok()) return extended.status().Prefixed("job outbox");
  if (!*extended) {
    return Status::FailedPrecondition("job " + job.id +
                                      ": lease lost (its run claim was taken over)");
  }
  return Status::Ok();
}

Status FailoverQueue::Complete(const Job& job, std::string_view return_value) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  const std::string value = return_value.empty() ? "null" : std::string(return_value);
  if (!nlohmann::json::accept(value)) {
    // The job stays held: the worker fails the run instead.
    return Status::InvalidArgument("complete job \"" + job.id + "\": return value is not JSON");
  }
  auto complete = [&](Queue* q) { return q->Complete(job, value); };
  if (t.claim_token == 0) {
    Status s = OnBackend(t.primary, complete);
    Forget(job);
    return s;
  }
  // The database first: once the row is finished no copy of the job runs
  // again, whatever the backend makes of the completion below.
  Result<bool> marked = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    marked = MarkOutboxFinished(db_.get(), options_.name, job.id, "completed", clock_->NowMs(),
                                t.claim_token);
  }
  if (!marked.ok() || !*marked) {
    Forget(job);
    if (!marked.ok()) return marked.status().Prefixed("job outbox");
    return Status::FailedPrecondition("job " + job.id +
                                      ": lease lost (its run claim was taken over)");
  }
  if (!t.backend_lost) (void)OnBackend(t.primary, complete);
  Forget(job);
  return Status::Ok();
}

Result<FailResult> FailoverQueue::Fail(const Job& job, std::string_view error) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  if (t.claim_token > 0) {
    // A run whose claim was taken over reports nothing, not even to its
    // backend: the token it holds there may have been handed out again (a
    // Redis that lost its keys starts its fencing counter over).
    Result<bool> holds = Status::Ok();
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      holds = HoldsJobRun(db_.get(), options_.name, job.id, t.claim_token);
    }
    if (!holds.ok() || !*holds) {
      Forget(job);
      if (!holds.ok()) return holds.status().Prefixed("job outbox");
      return Status::FailedPrecondition("job " + job.id +
                                        ": lease lost (its run claim was taken over)");
    }
  }
  Result<FailResult> r = Status::FailedPrecondition("job " + job.id + ": lease lost in " +
                                                    (t.primary ? options_.primary_label
                                                               : options_.fallback_label));
  if (!t.backend_lost) {
    Status s = OnBackend(t.primary, [&](Queue* q) {
      r = q->Fail(job, error);
      return r.status();
    });
    if (!s.ok()) r = s;
  }
  if (t.claim_token > 0) {
    // Failed for good: finished. Otherwise (retried, or the backend could
    // not be told) the claim ends and the next copy of the job runs.
    std::lock_guard<std::mutex> lock(db_mu_);
    Status s = r.ok() && !r->will_retry
                   ? MarkOutboxFinished(db_.get(), options_.name, job.id, "failed",
                                        clock_->NowMs(), t.claim_token)
                         .status()
                   : ReleaseJobRun(db_.get(), options_.name, job.id, t.claim_token);
    if (!s.ok()) Log(LogLevel::kWarn, "queue.outbox_failed", {{"job", job.id}, {"error", s.message()}});
  }
  Forget(job);
  return r;
}

Result<int> FailoverQueue::RecoverStalled() {
  VIGIL_ASSIGN_OR_RETURN(int moved, fallback_->RecoverStalled());
  if (PrimaryRef primary = Primary()) {
    Result<int> more = primary.queue->RecoverStalled();
    Note(more.status(), primary.epoch);
    if (more.ok()) moved += *more;
  }
  // Keeps the leases of held-back copies while the worker threads are busy.
  VIGIL_RETURN_IF_ERROR(RevisitParked("", 0).status());
  return moved;
}

Status FailoverQueue::Retry(std::string_view job_id) {
  Status s = Status::NotFound("no job \"" + std::string(job_id) + "\"");
  if (PrimaryRef primary = Primary()) {
    s = primary.queue->Retry(job_id);
    Note(s, primary.epoch);
  }
  if (s.code() == Code::kNotFound || s.code() == Code::kUnavailable) {
    Status local = fallback_->Retry(job_id);
    if (local.code() != Code::kNotFound || s.code() == Code::kNotFound) s = local;
  }
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(db_mu_);
    VIGIL_RETURN_IF_ERROR(ReopenOutboxJob(db_.get(), options_.name, job_id));
  }
  return s;
}

Status FailoverQueue::OnBoth(const std::function<Status(Queue*)>& call) {
  VIGIL_RETURN_IF_ERROR(call(fallback_.get()));
  PrimaryRef primary = Primary();
  if (!primary) return Status::Ok();
  Status s = call(primary.queue);
  Note(s, primary.epoch);
  return s;
}

Status FailoverQueue::Pause() {
  return OnBoth([](Queue* q) { return q->Pause(); });
}

Status FailoverQueue::Resume() {
  return OnBoth([](Queue* q) { return q->Resume(); });
}

Result<JobCounts> FailoverQueue::Counts() {
  VIGIL_ASSIGN_OR_RETURN(JobCounts counts, fallback_->Counts());
  if (PrimaryRef primary = Primary()) {
    Result<JobCounts> more = primary.queue->Counts();
    Note(more.status(), primary.epoch);
    if (more.ok()) {
      counts.waiting += more->waiting;
      counts.delayed += more->delayed;
      counts.active += more->active;
      counts.completed += more->completed;
      counts.failed += more->failed;
      counts.paused = counts.paused || more->paused;
    }
  }
  return counts;
}

Result<JobInfo> FailoverQueue::Get(std::string_view job_id) {
  Result<JobInfo> info = relay_target_->Get(job_id);
  if (info.ok() || (info.status().code() != Code::kNotFound &&
                    info.status().code() != Code::kUnavailable)) {
    return info;
  }
  // Only in the outbox (not relayed yet, or lost by the primary).
  Result<OutboxJob> row = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    row = GetOutboxJob(db_.get(), options_.name, job_id);
  }
  if (!row.ok()) return row.status().code() == Code::kNotFound ? info.status() : row.status();
  JobInfo j;
  j.id = row->job_id;
  j.name = row->name;
  j.payload = row->payload;
  j.group = row->options.group;
  j.state = !row->finished_at             ? JobState::kWaiting
            : row->outcome == "completed" ? JobState::kCompleted
                                          : JobState::kFailed;
  j.priority = row->options.priority;
  j.max_attempts = row->options.attempts;
  j.created_at = row->created_at;
  j.run_at = row->created_at + row->options.delay_ms;
  j.finished_at = row->finished_at;
  return j;
}

Result<std::vector<JobInfo>> FailoverQueue::List(const ListFilter& filter) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<JobInfo> jobs, fallback_->List(filter));
  if (PrimaryRef primary = Primary()) {
    Result<std::vector<JobInfo>> more = primary.queue->List(filter);
    Note(more.status(), primary.epoch);
    if (more.ok()) jobs.insert(jobs.end(), more->begin(), more->end());
  }
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const JobInfo& a, const JobInfo& b) { return a.created_at > b.created_at; });
  if (filter.limit > 0 && static_cast<int>(jobs.size()) > filter.limit) jobs.resize(filter.limit);
  return jobs;
}

void FailoverQueue::WakeAll() {
  fallback_->WakeAll();
  // A Take waits on a primary that is down no longer than its wait plus
  // the command timeout: not worth a call that may stall as well.
  Queue* primary = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (health_.up()) primary = primary_.get();
  }
  if (primary) primary->WakeAll();
}

}  // namespace vigil
