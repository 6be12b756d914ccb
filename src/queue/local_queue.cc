#include "queue/local_queue.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/ids.h"
#include "queue/local_queue_sql.h"

namespace vigil {
namespace {

using namespace local_queue_sql;  // the statements this queue runs

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Binds kInsertSql.
void BindInsert(Statement* s, std::string_view queue, std::string_view job_id,
                std::string_view name, std::string_view payload, const JobOptions& options,
                TimeMs now);

// Delays are capped (about 34 years) so that now + delay cannot overflow.
constexpr int64_t kMaxDelayMs = int64_t{1} << 40;

// The backoff before attempt `attempt` + 1, after attempt `attempt` failed.
int64_t BackoffMs(std::string_view type, int64_t delay_ms, int attempt) {
  int shift = type == "exponential" ? std::clamp(attempt - 1, 0, 40) : 0;
  return delay_ms >= (kMaxDelayMs >> shift) ? kMaxDelayMs : delay_ms << shift;
}

JobState VisibleState(std::string_view stored, TimeMs run_at, TimeMs now) {
  if (stored == "waiting") return run_at > now ? JobState::kDelayed : JobState::kWaiting;
  return ParseJobState(stored).value_or(JobState::kFailed);
}

std::optional<TimeMs> OptionalInt(const Statement& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return s.Int(column);
}

// Resets a statement when it goes out of scope (releases its read lock).
struct Resetter {
  void operator()(Statement* s) const { s->Reset(); }
};
using ResetOnExit = std::unique_ptr<Statement, Resetter>;

// Steps `s` through its rows, calling `row` for each.
Status ForEachRow(Statement* s, const std::function<void(const Statement&)>& row) {
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool more, s->Step());
    if (!more) return Status::Ok();
    row(*s);
  }
}

class LocalQueue final : public Queue {
 public:
  LocalQueue(std::unique_ptr<Db> db, const Clock* clock, LocalQueueOptions options)
      : db_(std::move(db)),
        clock_(clock),
        options_(std::move(options)),
        take_sql_(TakeSql(db_->dialect())) {}

  const std::string& name() const override { return options_.name; }

  Result<AddResult> Add(std::string_view name, std::string_view payload,
                        const JobOptions& options) override {
    VIGIL_RETURN_IF_ERROR(ValidateJobToAdd(name, payload, options));
    AddResult result;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Result<AddResult> added = AddLocked(name, payload, options);
      if (!added.ok()) return added.status().Prefixed("add job " + Quoted(name));
      result = std::move(added).value();
    }
    if (result.added) Wake(options.delay_ms == 0);
    return result;
  }

  Result<std::optional<Job>> Take(std::string_view worker, int64_t lease_ms,
                                  int64_t wait_ms) override {
    VIGIL_RETURN_IF_ERROR(ValidateTake(lease_ms, wait_ms));
    using Steady = std::chrono::steady_clock;
    const Steady::time_point end = Steady::now() + std::chrono::milliseconds(wait_ms);
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t epoch = wake_epoch_;
    for (;;) {
      Result<std::optional<Job>> job = TryTake(worker, lease_ms);
      if (!job.ok()) return job.status().Prefixed("take from queue " + Quoted(options_.name));
      if (job->has_value()) return job;
      Steady::time_point now = Steady::now();
      if (now >= end || wake_epoch_ != epoch) return std::optional<Job>();
      auto sleep =
          std::min<Steady::duration>(end - now, std::chrono::milliseconds(options_.poll_ms));
      Result<std::optional<TimeMs>> next = NextRunAt();
      if (!next.ok()) return next.status().Prefixed("take from queue " + Quoted(options_.name));
      if (next->has_value()) {
        int64_t until_due = std::max<int64_t>(0, **next - clock_->NowMs());
        sleep = std::min<Steady::duration>(sleep, std::chrono::milliseconds(until_due));
      }
      cv_.wait_for(lock, sleep);
    }
  }

  Status ExtendLease(const Job& job, int64_t lease_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string what = "extend lease of job " + Quoted(job.id);
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kExtendSql));
    s->BindInt(1, clock_->NowMs() + lease_ms);
    BindFence(s, 2, job);
    return Fenced(s, job, what);
  }

  Status Complete(const Job& job, std::string_view return_value) override {
    std::string what = "complete job " + Quoted(job.id);
    if (return_value.empty()) return_value = "null";
    if (!nlohmann::json::accept(return_value)) {
      return Status::InvalidArgument(what + ": return value is not JSON");
    }
    std::lock_guard<std::mutex> lock(mu_);
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kCompleteSql));
    s->BindInt(1, clock_->NowMs());
    s->BindText(2, return_value);
    BindFence(s, 3, job);
    return Fenced(s, job, what);
  }

  Result<FailResult> Fail(const Job& job, std::string_view error) override {
    FailResult result;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Result<FailResult> r = FailLocked(job, error);
      if (!r.ok()) {
        if (r.status().code() == Code::kFailedPrecondition) return r.status();
        return r.status().Prefixed("fail job " + Quoted(job.id));
      }
      result = *r;
    }
    if (result.will_retry) Wake(/*one=*/false);
    return result;
  }

  Result<int> RecoverStalled() override {
    int moved = 0;
    int requeued = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Status s = RecoverLocked(&moved, &requeued);
      if (!s.ok()) return s.Prefixed("recover stalled jobs of queue " + Quoted(options_.name));
    }
    if (requeued > 0) Wake(/*one=*/false);
    return moved;
  }

  Status Retry(std::string_view job_id) override {
    std::string what = "retry job " + Quoted(job_id);
    {
      std::lock_guard<std::mutex> lock(mu_);
      VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kRetryFailedSql));
      TimeMs now = clock_->NowMs();
      s->BindInt(1, now);
      s->BindText(2, options_.name);
      s->BindText(3, job_id);
      VIGIL_RETURN_IF_ERROR(s->Execute().Prefixed(what));
      if (s->Changes() == 0) {
        VIGIL_ASSIGN_OR_RETURN(Statement * q, Prepared(kStateSql));
        ResetOnExit reset(q);
        q->BindText(1, options_.name);
        q->BindText(2, job_id);
        Result<bool> row = q->Step();
        if (!row.ok()) return row.status().Prefixed(what);
        if (!*row)
          return Status::NotFound(what + ": no such job in queue " + Quoted(options_.name));
        JobState state = VisibleState(q->Text(0), q->Int(1), now);
        return Status::FailedPrecondition(what + ": it is " + std::string(JobStateName(state)) +
                                          ", not failed");
      }
    }
    Wake(/*one=*/true);
    return Status::Ok();
  }

  Status Pause() override { return SetPaused(true); }
  Status Resume() override { return SetPaused(false); }

  Result<JobCounts> Counts() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string what = "count jobs of queue " + Quoted(options_.name);
    JobCounts counts;
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kCountsSql));
    ResetOnExit reset(s);
    s->BindInt(1, clock_->NowMs());
    s->BindText(2, options_.name);
    Status read = ForEachRow(s, [&](const Statement& row) {
      std::string_view state = row.Text(0);
      int64_t n = row.Int(2);
      if (state == "waiting") (row.Int(1) != 0 ? counts.delayed : counts.waiting) += n;
      if (state == "active") counts.active += n;
      if (state == "completed") counts.completed += n;
      if (state == "failed") counts.failed += n;
    });
    VIGIL_RETURN_IF_ERROR(read.Prefixed(what));
    Result<bool> paused = PausedLocked();
    if (!paused.ok()) return paused.status().Prefixed(what);
    counts.paused = *paused;
    return counts;
  }

  Result<JobInfo> Get(std::string_view job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string what = "get job " + Quoted(job_id);
    std::string sql =
        "SELECT " + std::string(kInfoColumns) + " FROM jobs WHERE queue = ? AND job_id = ?";
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(sql));
    ResetOnExit reset(s);
    s->BindText(1, options_.name);
    s->BindText(2, job_id);
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status().Prefixed(what);
    if (!*row) return Status::NotFound(what + ": no such job in queue " + Quoted(options_.name));
    return ReadInfo(*s, clock_->NowMs());
  }

  Result<std::vector<JobInfo>> List(const ListFilter& filter) override {
    std::string what = "list jobs of queue " + Quoted(options_.name);
    if (filter.limit <= 0) {
      return Status::InvalidArgument(what + ": limit must be > 0 (got " +
                                     std::to_string(filter.limit) + ")");
    }
    std::lock_guard<std::mutex> lock(mu_);
    const TimeMs now = clock_->NowMs();
    std::string sql = "SELECT " + std::string(kInfoColumns) + " FROM jobs WHERE queue = ?";
    std::vector<DbValue> params = {options_.name};
    if (filter.state == JobState::kWaiting || filter.state == JobState::kDelayed) {
      sql += filter.state == JobState::kWaiting ? " AND state = 'waiting' AND run_at <= ?"
                                                : " AND state = 'waiting' AND run_at > ?";
      params.emplace_back(int64_t{now});
    } else if (filter.state) {
      sql += " AND state = ?";
      params.emplace_back(std::string(JobStateName(*filter.state)));
    }
    if (!filter.group.empty()) {
      sql += " AND job_group = ?";
      params.emplace_back(filter.group);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(int64_t{filter.limit});
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(sql));
    ResetOnExit reset(s);
    s->BindAll(params);
    std::vector<JobInfo> jobs;
    Status read = ForEachRow(s, [&](const Statement& row) { jobs.push_back(ReadInfo(row, now)); });
    VIGIL_RETURN_IF_ERROR(read.Prefixed(what));
    return jobs;
  }

  void WakeAll() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++wake_epoch_;
    }
    cv_.notify_all();
  }

  // Checks that the tables are there (the database is migrated).
  Status Probe() {
    std::lock_guard<std::mutex> lock(mu_);
    Result<bool> paused = PausedLocked();
    if (!paused.ok()) return paused.status().Prefixed("open queue " + Quoted(options_.name));
    return Prepared(take_sql_).status().Prefixed("open queue " + Quoted(options_.name));
  }

 private:
  // A statement prepared once per connection and kept. mu_ held.
  Result<Statement*> Prepared(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second.get();
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> s, db_->Prepare(sql));
    Statement* raw = s.get();
    statements_.emplace(std::string(sql), std::move(s));
    return raw;
  }

  // Binds queue, job_id, token from parameter `first` on.
  void BindFence(Statement* s, int first, const Job& job) {
    s->BindText(first, options_.name);
    s->BindText(first + 1, job.id);
    s->BindInt(first + 2, job.token);
  }

  // Runs a fenced update: FailedPrecondition when no row matched.
  Status Fenced(Statement* s, const Job& job, const std::string& what) {
    VIGIL_RETURN_IF_ERROR(s->Execute().Prefixed(what));
    if (s->Changes() == 0) return LeaseLost(job);
    return Status::Ok();
  }

  static Status LeaseLost(const Job& job) {
    return Status::FailedPrecondition("job " + Quoted(job.id) +
                                      ": lease lost (taken again or recovered)");
  }

  // Wakes one waiting Take (a job became due) or all of them (the next due
  // time or the pause state changed).
  void Wake(bool one) { one ? cv_.notify_one() : cv_.notify_all(); }

  Result<AddResult> AddLocked(std::string_view name, std::string_view payload,
                              const JobOptions& options) {
    TimeMs now = clock_->NowMs();
    AddResult result;
    result.job_id = options.job_id;
    std::optional<Transaction> tx;
    const bool generated = result.job_id.empty();
    if (generated) {
      tx.emplace(db_.get());
      VIGIL_RETURN_IF_ERROR(tx->status());
      result.job_id = "pending:" + NewTraceId();
    }
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kInsertSql));
    ResetOnExit reset(s);
    BindInsert(s, options_.name, result.job_id, name, payload, options, now);
    VIGIL_ASSIGN_OR_RETURN(bool row, s->Step());
    result.added = row;
    const int64_t row_id = row ? s->Int(0) : 0;
    VIGIL_RETURN_IF_ERROR(s->Execute());  // to its end, so the insert is done
    if (generated) {
      if (!row) return Status::Internal("a generated job id collided");
      VIGIL_ASSIGN_OR_RETURN(Statement * name_it, Prepared(kNameByRowIdSql));
      result.job_id = std::to_string(row_id);
      name_it->BindAll({result.job_id, row_id});
      VIGIL_RETURN_IF_ERROR(name_it->Execute());
    }
    if (tx) VIGIL_RETURN_IF_ERROR(tx->Commit());
    return result;
  }

  Result<std::optional<Job>> TryTake(std::string_view worker, int64_t lease_ms) {
    TimeMs now = clock_->NowMs();
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(take_sql_));
    ResetOnExit reset(s);
    s->BindAll({std::string(worker), now + lease_ms, now, options_.name, now, options_.name});
    VIGIL_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<Job>();
    Job job;
    job.id = s->String(0);
    job.name = s->String(1);
    job.payload = s->String(2);
    job.group = s->String(3);
    job.attempt = static_cast<int>(s->Int(4));
    job.max_attempts = static_cast<int>(s->Int(5));
    job.token = s->Int(6);
    job.created_at = s->Int(7);
    job.due_at = s->Int(8);
    job.started_at = s->Int(9);
    // Run the statement to its end so the change is committed now.
    VIGIL_ASSIGN_OR_RETURN(bool more, s->Step());
    if (more) return Status::Internal("take changed more than one job");
    return std::optional<Job>(std::move(job));
  }

  Result<std::optional<TimeMs>> NextRunAt() {
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kNextRunAtSql));
    ResetOnExit reset(s);
    s->BindText(1, options_.name);
    s->BindText(2, options_.name);
    VIGIL_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row || s->IsNull(0)) return std::optional<TimeMs>();
    return std::optional<TimeMs>(s->Int(0));
  }

  Result<FailResult> FailLocked(const Job& job, std::string_view error) {
    TimeMs now = clock_->NowMs();
    Transaction tx(db_.get());
    VIGIL_RETURN_IF_ERROR(tx.status());
    int attempt = 0;
    int max_attempts = 0;
    std::string backoff_type;
    int64_t backoff_ms = 0;
    {
      VIGIL_ASSIGN_OR_RETURN(Statement * read, Prepared(kFailReadSql));
      ResetOnExit reset(read);
      BindFence(read, 1, job);
      VIGIL_ASSIGN_OR_RETURN(bool row, read->Step());
      if (!row) return LeaseLost(job);
      attempt = static_cast<int>(read->Int(0));
      max_attempts = static_cast<int>(read->Int(1));
      backoff_type = read->String(2);
      backoff_ms = read->Int(3);
    }
    FailResult result;
    result.will_retry = attempt < max_attempts;
    Statement* s = nullptr;
    if (result.will_retry) {
      result.retry_at = now + BackoffMs(backoff_type, backoff_ms, attempt);
      VIGIL_ASSIGN_OR_RETURN(s, Prepared(kRetryLaterSql));
      s->BindInt(1, result.retry_at);
    } else {
      VIGIL_ASSIGN_OR_RETURN(s, Prepared(kFailForGoodSql));
      s->BindInt(1, now);
    }
    s->BindText(2, error);
    BindFence(s, 3, job);
    VIGIL_RETURN_IF_ERROR(s->Execute());
    if (s->Changes() == 0) return LeaseLost(job);
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    return result;
  }

  Status RecoverLocked(int* moved, int* requeued) {
    TimeMs now = clock_->NowMs();
    Transaction tx(db_.get());
    VIGIL_RETURN_IF_ERROR(tx.status());
    VIGIL_ASSIGN_OR_RETURN(Statement * fail, Prepared(kStalledFailSql));
    fail->BindAll({now, std::to_string(options_.max_stalled), options_.name, now,
                   int64_t{options_.max_stalled}});
    VIGIL_RETURN_IF_ERROR(fail->Execute());
    int64_t failed = fail->Changes();
    VIGIL_ASSIGN_OR_RETURN(Statement * requeue, Prepared(kStalledRequeueSql));
    requeue->BindAll({now, options_.name, now});
    VIGIL_RETURN_IF_ERROR(requeue->Execute());
    int64_t back = requeue->Changes();
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    *moved = static_cast<int>(failed + back);
    *requeued = static_cast<int>(back);
    return Status::Ok();
  }

  Status SetPaused(bool paused) {
    std::string what = std::string(paused ? "pause" : "resume") + " queue " + Quoted(options_.name);
    {
      std::lock_guard<std::mutex> lock(mu_);
      VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kSetPausedSql));
      s->BindText(1, options_.name);
      s->BindInt(2, paused ? 1 : 0);
      VIGIL_RETURN_IF_ERROR(s->Execute().Prefixed(what));
    }
    if (!paused) Wake(/*one=*/false);
    return Status::Ok();
  }

  Result<bool> PausedLocked() {
    VIGIL_ASSIGN_OR_RETURN(Statement * s, Prepared(kPausedSql));
    ResetOnExit reset(s);
    s->BindText(1, options_.name);
    VIGIL_ASSIGN_OR_RETURN(bool row, s->Step());
    return row && s->Int(0) > 0;
  }

  static JobInfo ReadInfo(const Statement& s, TimeMs now) {
    JobInfo info;
    info.id = s.String(0);
    info.name = s.String(1);
    info.payload = s.String(2);
    info.group = s.String(3);
    info.priority = static_cast<int>(s.Int(5));
    info.attempts_made = static_cast<int>(s.Int(6));
    info.max_attempts = static_cast<int>(s.Int(7));
    info.stalled_count = static_cast<int>(s.Int(8));
    info.created_at = s.Int(9);
    info.run_at = s.Int(10);
    info.state = VisibleState(s.Text(4), info.run_at, now);
    info.started_at = OptionalInt(s, 11);
    info.finished_at = OptionalInt(s, 12);
    info.return_value = s.String(13);
    info.failed_reason = s.String(14);
    return info;
  }

  std::unique_ptr<Db> db_;
  const Clock* clock_;
  const LocalQueueOptions options_;
  const std::string take_sql_;  // TakeSql of the database's dialect

  std::mutex mu_;  // guards everything below and the use of db_
  std::condition_variable cv_;
  uint64_t wake_epoch_ = 0;  // WakeAll counts up; a waiting Take returns
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

void BindInsert(Statement* s, std::string_view queue, std::string_view job_id,
                std::string_view name, std::string_view payload, const JobOptions& options,
                TimeMs now) {
  const bool exponential = options.backoff.type == Backoff::Type::kExponential;
  s->BindAll({std::string(queue), std::string(job_id), std::string(name), std::string(payload),
              options.group, int64_t{options.priority},
              now + std::min(options.delay_ms, kMaxDelayMs), int64_t{options.attempts},
              std::string(exponential ? "exponential" : "fixed"), options.backoff.delay_ms, now});
}

}  // namespace

Result<AddResult> AddLocalJob(Db* db, std::string_view queue, std::string_view name,
                              std::string_view payload, const JobOptions& options, TimeMs now) {
  VIGIL_RETURN_IF_ERROR(ValidateJobToAdd(name, payload, options));
  const std::string what = "add job " + Quoted(name);
  if (options.job_id.empty()) {
    return Status::InvalidArgument(what + ": a job added in a transaction needs a job id");
  }
  Result<std::unique_ptr<Statement>> s = db->Prepare(kInsertSql);
  if (!s.ok()) return s.status().Prefixed(what);
  BindInsert(s->get(), queue, options.job_id, name, payload, options, now);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status().Prefixed(what);
  const bool added = *row;
  VIGIL_RETURN_IF_ERROR((*s)->Execute().Prefixed(what));
  return AddResult{options.job_id, added};
}

Result<std::unique_ptr<Queue>> OpenLocalQueue(std::unique_ptr<Db> db, const Clock* clock,
                                              LocalQueueOptions options) {
  std::string what = "open queue " + Quoted(options.name);
  if (options.name.empty()) return Status::InvalidArgument("open queue: name is empty");
  if (db == nullptr || clock == nullptr) {
    return Status::InvalidArgument(what + ": no database or no clock");
  }
  if (options.max_stalled < 0) {
    return Status::InvalidArgument(what + ": max_stalled must be >= 0 (got " +
                                   std::to_string(options.max_stalled) + ")");
  }
  if (options.poll_ms <= 0) {
    return Status::InvalidArgument(what + ": poll_ms must be > 0 (got " +
                                   std::to_string(options.poll_ms) + ")");
  }
  auto queue = std::make_unique<LocalQueue>(std::move(db), clock, std::move(options));
  VIGIL_RETURN_IF_ERROR(queue->Probe());
  return std::unique_ptr<Queue>(std::move(queue));
}

}  // namespace vigil
