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
    if (Queue* p = q_->Primary()) {
      Result<JobInfo> info = p->Get(job_id);
      q_->NoteQuietly(info.status());
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
  if (options.retry_primary_ms <= 0 || options.fallback_check_ms <= 0) {
    return Status::InvalidArgument(
        "failover queue: retry_primary_ms and fallback_check_ms must be > 0");
  }
  return std::unique_ptr<FailoverQueue>(new FailoverQueue(
      std::move(open_primary), std::move(fallback), std::move(db), clock, std::move(options)));
}

FailoverQueue::FailoverQueue(QueueOpener open_primary, std::unique_ptr<Queue> fallback,
                             std::unique_ptr<Db> db, const Clock* clock,
                             FailoverQueueOptions options)
    : open_primary_(std::move(open_primary)),
      fallback_(std::move(fallback)),
      clock_(clock),
      options_(std::move(options)),
      relay_target_(std::make_unique<RelayTarget>(this)),
      db_(std::move(db)) {}

FailoverQueue::~FailoverQueue() = default;

Queue* FailoverQueue::relay_target() { return relay_target_.get(); }

bool FailoverQueue::primary_up() const {
  std::lock_guard<std::mutex> lock(mu_);
  return primary_ != nullptr && !primary_down_;
}

Queue* FailoverQueue::Primary() {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_->NowMs();
  if (primary_ != nullptr) {
    if (!primary_down_ || now >= next_primary_try_) return primary_.get();
    return nullptr;
  }
  if (now < next_primary_try_) return nullptr;
  Result<std::unique_ptr<Queue>> opened = open_primary_();
  if (!opened.ok()) {
    if (!primary_down_) {
      Log(LogLevel::kWarn, "queue.primary_down",
          {{"queue", options_.primary_label}, {"error", opened.status().message()},
           {"note", "jobs go to the " + options_.fallback_label + " queue meanwhile"}});
    }
    primary_down_ = true;
    next_primary_try_ = now + options_.retry_primary_ms;
    return nullptr;
  }
  primary_ = std::move(opened).value();
  if (primary_down_) {
    Log(LogLevel::kInfo, "queue.primary_up", {{"queue", options_.primary_label}});
  }
  primary_down_ = false;
  return primary_.get();
}

Status FailoverQueue::Note(Status s) {
  NoteQuietly(s);
  return s;
}

void FailoverQueue::NoteQuietly(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s.code() == Code::kUnavailable) {
    if (!primary_down_) {
      Log(LogLevel::kWarn, "queue.primary_down",
          {{"queue", options_.primary_label}, {"error", s.message()},
           {"note", "jobs go to the " + options_.fallback_label + " queue meanwhile"}});
    }
    primary_down_ = true;
    next_primary_try_ = clock_->NowMs() + options_.retry_primary_ms;
  } else if (primary_down_) {
    Log(LogLevel::kInfo, "queue.primary_up", {{"queue", options_.primary_label}});
    primary_down_ = false;
  }
}

Result<AddResult> FailoverQueue::Relay(std::string_view name, std::string_view payload,
                                       const JobOptions& options) {
  std::string to = options_.fallback_label;
  Result<AddResult> added = Status::Unavailable("not relayed");
  if (Queue* primary = Primary()) {
    added = primary->Add(name, payload, options);
    NoteQuietly(added.status());
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
  Queue* backend = primary ? primary_.get() : fallback_.get();
  const TimeMs now = clock_->NowMs();
  Result<RunClaim> claim = Status::Ok();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    claim = ClaimJobRun(db_.get(), options_.name, job.id,
                        primary ? options_.primary_label : options_.fallback_label, worker,
                        now + lease_ms, now);
  }
  VIGIL_RETURN_IF_ERROR(claim.status().Prefixed("claiming the run of job " + job.id));
  if (claim->outcome == ClaimOutcome::kFinished ||
      claim->outcome == ClaimOutcome::kHeldElsewhere) {
    const bool finished = claim->outcome == ClaimOutcome::kFinished;
    Log(LogLevel::kInfo, "job.skipped",
        {{"job", job.id}, {"why", finished ? "finished already" : "running elsewhere"}});
    Status done = backend->Complete(job, Skipped(finished ? "finished already" : "running elsewhere"));
    if (primary) NoteQuietly(done);
    return std::optional<Job>();
  }
  std::lock_guard<std::mutex> lock(mu_);
  taken_[job.id] = Taken{primary, job.token, claim->token};
  return std::optional<Job>(std::move(job));
}

Result<std::optional<Job>> FailoverQueue::Take(std::string_view worker, int64_t lease_ms,
                                               int64_t wait_ms) {
  const Steady::time_point deadline = Steady::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    Queue* primary = Primary();
    bool look_at_fallback = primary == nullptr;
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
    if (primary != nullptr) {
      const int64_t wait = std::min<int64_t>(MsUntil(deadline), options_.fallback_check_ms);
      Result<std::optional<Job>> taken = primary->Take(worker, lease_ms, wait);
      NoteQuietly(taken.status());
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

Status FailoverQueue::ExtendLease(const Job& job, int64_t lease_ms) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  Status s = t.primary ? Note(primary_->ExtendLease(job, lease_ms))
                       : fallback_->ExtendLease(job, lease_ms);
  if (s.ok() && t.claim_token > 0) {
    std::lock_guard<std::mutex> lock(db_mu_);
    s = ExtendJobRun(db_.get(), options_.name, job.id, t.claim_token,
                     clock_->NowMs() + lease_ms);
  }
  return s;
}

Status FailoverQueue::Complete(const Job& job, std::string_view return_value) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  Status s = t.primary ? Note(primary_->Complete(job, return_value))
                       : fallback_->Complete(job, return_value);
  if (s.code() == Code::kInvalidArgument) return s;  // the worker fails the run instead
  if (s.ok() || s.code() == Code::kUnavailable) {
    // The job's effects are done: a run after the backend's return is skipped.
    std::lock_guard<std::mutex> lock(db_mu_);
    Result<bool> marked = MarkOutboxFinished(db_.get(), options_.name, job.id, "completed",
                                             clock_->NowMs(), t.claim_token);
    if (s.ok() && !marked.ok()) s = marked.status().Prefixed("job outbox");
  }
  Forget(job);
  return s;
}

Result<FailResult> FailoverQueue::Fail(const Job& job, std::string_view error) {
  VIGIL_ASSIGN_OR_RETURN(Taken t, Held(job));
  Result<FailResult> r = t.primary ? primary_->Fail(job, error) : fallback_->Fail(job, error);
  if (t.primary) NoteQuietly(r.status());
  if (r.ok() && t.claim_token > 0) {
    std::lock_guard<std::mutex> lock(db_mu_);
    Status s = r->will_retry
                   ? ReleaseJobRun(db_.get(), options_.name, job.id, t.claim_token)
                   : MarkOutboxFinished(db_.get(), options_.name, job.id, "failed",
                                        clock_->NowMs(), t.claim_token)
                         .status();
    if (!s.ok()) Log(LogLevel::kWarn, "queue.outbox_failed", {{"job", job.id}, {"error", s.message()}});
  }
  Forget(job);
  return r;
}

Result<int> FailoverQueue::RecoverStalled() {
  VIGIL_ASSIGN_OR_RETURN(int moved, fallback_->RecoverStalled());
  if (Queue* primary = Primary()) {
    Result<int> more = primary->RecoverStalled();
    NoteQuietly(more.status());
    if (more.ok()) moved += *more;
  }
  return moved;
}

Status FailoverQueue::Retry(std::string_view job_id) {
  Status s = Status::NotFound("no job \"" + std::string(job_id) + "\"");
  if (Queue* primary = Primary()) s = Note(primary->Retry(job_id));
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

Status FailoverQueue::Pause() {
  VIGIL_RETURN_IF_ERROR(fallback_->Pause());
  if (Queue* primary = Primary()) return Note(primary->Pause());
  return Status::Ok();
}

Status FailoverQueue::Resume() {
  VIGIL_RETURN_IF_ERROR(fallback_->Resume());
  if (Queue* primary = Primary()) return Note(primary->Resume());
  return Status::Ok();
}

Result<JobCounts> FailoverQueue::Counts() {
  VIGIL_ASSIGN_OR_RETURN(JobCounts counts, fallback_->Counts());
  if (Queue* primary = Primary()) {
    Result<JobCounts> more = primary->Counts();
    NoteQuietly(more.status());
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
  if (Queue* primary = Primary()) {
    Result<std::vector<JobInfo>> more = primary->List(filter);
    NoteQuietly(more.status());
    if (more.ok()) jobs.insert(jobs.end(), more->begin(), more->end());
  }
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const JobInfo& a, const JobInfo& b) { return a.created_at > b.created_at; });
  if (filter.limit > 0 && static_cast<int>(jobs.size()) > filter.limit) jobs.resize(filter.limit);
  return jobs;
}

void FailoverQueue::WakeAll() {
  fallback_->WakeAll();
  Queue* primary = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    primary = primary_.get();
  }
  if (primary) primary->WakeAll();
}

}  // namespace vigil
