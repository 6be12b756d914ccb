#include "queue/redis_queue.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>
#include <vector>

#include "queue/redis_connection.h"
#include "queue/redis_job_codec.h"
#include "queue/redis_scripts.h"

namespace vigil {
namespace {

constexpr int kMaxPriority = 2097151;         // BullMQ's highest priority
// Jobs per add script of AddBulk (each takes seven arguments).
constexpr size_t kAddsPerScript = 1000;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The common checks, and BullMQ's cap on priorities.
Status ValidateAdd(std::string_view name, std::string_view payload, const JobOptions& o) {
  VIGIL_RETURN_IF_ERROR(ValidateJobToAdd(name, payload, o));
  if (o.priority > kMaxPriority) {
    return Status::InvalidArgument("add job " + Quoted(name) + ": priority must be <= " +
                                   std::to_string(kMaxPriority) + " (got " +
                                   std::to_string(o.priority) + ")");
  }
  return Status::Ok();
}

std::string Base64(std::string_view in) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kDigits[(n >> shift) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += {kDigits[(n >> 18) & 63], kDigits[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kDigits[(n >> 18) & 63], kDigits[(n >> 12) & 63], kDigits[(n >> 6) & 63], '='};
  }
  return out;
}

// CLIENT SETNAME refuses spaces and newlines.
std::string ClientNamePart(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c <= ' ' || c == 127) c = '_';
  }
  return out;
}

Status LeaseLost(const Job& job, int64_t code) {
  std::string why;
  switch (code) {
    case kLockMissingJob: why = "the job no longer exists"; break;
    case kLockMissing: why = "its lock expired or was released"; break;
    case kLockNotActive: why = "the job is not active"; break;
    default: why = "another worker holds it"; break;
  }
  return Status::FailedPrecondition("job " + Quoted(job.id) + ": lease lost (" + why + ")");
}

// A connection a waiting Take blocks on, with the key WakeAll uses to end
// the wait.
struct Waiter {
  std::unique_ptr<RedisConnection> connection;
  std::string worker;
  std::string wake_key;
  uint64_t generation = 0;  // the pool's when it was made
};

class RedisQueue final : public Queue {
 public:
  RedisQueue(RedisQueueOptions options, RedisEndpoint endpoint, const Clock* clock)
      : options_(std::move(options)),
        endpoint_(std::move(endpoint)),
        clock_(clock),
        base_(options_.hash_tag + options_.prefix + ":" + options_.name),
        pool_(endpoint_, options_.connect_timeout_ms, options_.command_timeout_ms) {
    for (std::string_view suffix : kRedisKeySuffixes) keys_.push_back(base_ + ":" + std::string(suffix));
    std::random_device rd;
    wake_nonce_ = std::to_string(getpid()) + "-" + std::to_string(rd());
  }

  const std::string& name() const override { return options_.name; }

  // Checks the server and loads the scripts.
  Status Open() {
    std::string what = "open queue " + Quoted(options_.name);
    Result<RedisPool::Handle> c = pool_.Acquire();
    if (!c.ok()) return c.status().Prefixed(what);
    Result<RedisReply> info = (*c)->Command({"INFO", "server"});
    if (!info.ok()) return info.status().Prefixed(what);
    if (info->is_error()) return ReplyError(endpoint_, *info).Prefixed(what);
    std::string version;
    std::string text = info->AsString();
    size_t at = text.find("redis_version:");
    if (at != std::string::npos) {
      size_t end = text.find_first_of("\r\n", at);
      version = text.substr(at + 14, end - at - 14);
    }
    int major = 0, minor = 0;
    if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) < 2 ||
        major * 100 + minor < 602) {
      return Status::FailedPrecondition(what + ": redis " + endpoint_.Describe() + " is version " +
                                        (version.empty() ? "unknown" : version) +
                                        "; vigil needs 6.2 or later");
    }
    return scripts_.LoadAll(c->get()).Prefixed(what);
  }

  Result<AddResult> Add(std::string_view name, std::string_view payload,
                        const JobOptions& options) override {
    VIGIL_RETURN_IF_ERROR(ValidateAdd(name, payload, options));
    std::string what = "add job " + Quoted(name);
    std::vector<std::string> args;
    AppendAddArgs({std::string(name), std::string(payload), options}, &args);
    VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kAdd, what, args));
    AddResult result;
    result.job_id = r.at(0).AsString();
    result.added = r.at(1).AsInt() == 1;
    return result;
  }

  Result<std::vector<AddResult>> AddBulk(const std::vector<JobToQueue>& jobs) override {
    for (size_t i = 0; i < jobs.size(); ++i) {
      Status valid = ValidateAdd(jobs[i].name, jobs[i].payload, jobs[i].options);
      if (!valid.ok()) return valid.Prefixed("job " + std::to_string(i));
    }
    std::vector<AddResult> added;
    added.reserve(jobs.size());
    for (size_t first = 0; first < jobs.size(); first += kAddsPerScript) {
      const size_t end = std::min(jobs.size(), first + kAddsPerScript);
      std::vector<std::string> args;
      args.reserve(7 * (end - first));
      for (size_t i = first; i < end; ++i) AppendAddArgs(jobs[i], &args);
      const std::string what = "add jobs " + std::to_string(first) + " to " +
                               std::to_string(end - 1) + " of " + std::to_string(jobs.size());
      VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kAddBulk, what, args));
      for (const RedisReply& row : r.elements) {
        added.push_back({row.at(0).AsString(), row.at(1).AsInt() == 1});
      }
    }
    return added;
  }

  Result<std::optional<Job>> Take(std::string_view worker, int64_t lease_ms,
                                  int64_t wait_ms) override {
    VIGIL_RETURN_IF_ERROR(ValidateTake(lease_ms, wait_ms));
    const std::string what = "take from queue " + Quoted(options_.name);
    using Steady = std::chrono::steady_clock;
    const Steady::time_point end = Steady::now() + std::chrono::milliseconds(wait_ms);
    const uint64_t epoch = wake_epoch_.load();
    std::unique_ptr<Waiter> waiter;
    for (;;) {
      VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kTake, what,
                                               {std::to_string(lease_ms), std::string(worker)}));
      if (r.at(0).AsInt() == 1) {
        if (waiter) ReturnWaiter(std::move(waiter));
        return std::optional<Job>(ParseTakenRow(r));
      }
      Result<bool> again = AwaitWork(worker, &waiter, epoch, end, r.at(1).AsInt() == 1,
                                     r.at(2).AsInt());
      if (!again.ok()) return again.status().Prefixed(what);
      if (!*again) break;
    }
    if (waiter) ReturnWaiter(std::move(waiter));
    return std::optional<Job>();
  }

  Result<CompleteAndTakeResult> CompleteAndTake(const std::vector<JobDone>& done,
                                                std::string_view worker, int max_take,
                                                int64_t lease_ms, int64_t wait_ms) override {
    VIGIL_RETURN_IF_ERROR(ValidateCompleteAndTake(lease_ms, wait_ms, max_take));
    CompleteAndTakeResult result;
    result.completed.assign(done.size(), Status::Ok());
    std::vector<std::string> args = {std::to_string(lease_ms), std::string(worker),
                                     std::to_string(max_take)};
    std::vector<size_t> sent;  // indexes into `done` of the jobs the script completes
    for (size_t i = 0; i < done.size(); ++i) {
      const Job& job = done[i].job;
      std::string value = done[i].return_value.empty() ? "null" : done[i].return_value;
      if (!nlohmann::json::accept(value)) {
        result.completed[i] =
            Status::InvalidArgument("complete job " + Quoted(job.id) + ": return value is not JSON");
        continue;
      }
      // What the script need not read again: attempts made and removeOnComplete.
      const bool known = !job.backend_note.empty();
      args.insert(args.end(), {job.id, std::to_string(job.token), std::move(value),
                               known ? std::to_string(job.attempt) : "?", job.backend_note});
      sent.push_back(i);
    }
    const std::string what = sent.empty() ? "take from queue " + Quoted(options_.name)
                                          : "complete and take from queue " + Quoted(options_.name);
    using Steady = std::chrono::steady_clock;
    const Steady::time_point end = Steady::now() + std::chrono::milliseconds(wait_ms);
    const uint64_t epoch = wake_epoch_.load();
    std::unique_ptr<Waiter> waiter;
    for (bool first = true;; first = false) {
      Result<RedisReply> r = Run(RedisScript::kCompleteAndTake, what, args);
      if (!r.ok()) {
        if (first) {
          for (size_t i : sent) result.completed[i] = r.status();
        }
        result.take_status = r.status();
        return result;
      }
      if (first) {
        const RedisReply& codes = r->at(0);
        for (size_t k = 0; k < sent.size(); ++k) {
          int64_t code = codes.at(k).AsInt();
          if (code != 0) result.completed[sent[k]] = LeaseLost(done[sent[k]].job, code);
        }
        args.resize(3);  // a second round only takes
      }
      for (const RedisReply& row : r->at(1).elements) result.taken.push_back(ParseTakenRow(row));
      if (!result.taken.empty() || max_take == 0) break;
      Result<bool> again = AwaitWork(worker, &waiter, epoch, end, r->at(2).AsInt() == 1,
                                     r->at(3).AsInt());
      if (!again.ok()) {
        result.take_status = again.status().Prefixed(what);
        return result;
      }
      if (!*again) break;
    }
    if (waiter) ReturnWaiter(std::move(waiter));
    return result;
  }

  Status Release(const Job& job) override {
    VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kRelease, "release job " + Quoted(job.id),
                                             {job.id, std::to_string(job.token)}));
    if (r.AsInt() != 0) return LeaseLost(job, r.AsInt());
    return Status::Ok();
  }

  Status ExtendLease(const Job& job, int64_t lease_ms) override {
    std::string what = "extend lease of job " + Quoted(job.id);
    if (lease_ms <= 0) {
      return Status::InvalidArgument(what + ": lease_ms must be > 0 (got " +
                                     std::to_string(lease_ms) + ")");
    }
    VIGIL_ASSIGN_OR_RETURN(RedisReply r,
                           Run(RedisScript::kExtendLock, what,
                               {job.id, std::to_string(job.token), std::to_string(lease_ms)}));
    if (r.AsInt() != 0) return LeaseLost(job, r.AsInt());
    return Status::Ok();
  }

  Status Complete(const Job& job, std::string_view return_value) override {
    std::string what = "complete job " + Quoted(job.id);
    if (return_value.empty()) return_value = "null";
    if (!nlohmann::json::accept(return_value)) {
      return Status::InvalidArgument(what + ": return value is not JSON");
    }
    VIGIL_ASSIGN_OR_RETURN(RedisReply r,
                           Run(RedisScript::kComplete, what,
                               {job.id, std::to_string(job.token), std::string(return_value)}));
    if (r.AsInt() != 0) return LeaseLost(job, r.AsInt());
    return Status::Ok();
  }

  Result<FailResult> Fail(const Job& job, std::string_view error) override {
    std::string what = "fail job " + Quoted(job.id);
    VIGIL_ASSIGN_OR_RETURN(
        RedisReply r,
        Run(RedisScript::kFail, what, {job.id, std::to_string(job.token), std::string(error)}));
    if (r.at(0).AsInt() != 0) return LeaseLost(job, r.at(0).AsInt());
    FailResult result;
    result.will_retry = r.at(1).AsInt() == 1;
    result.retry_at = r.at(2).AsInt();
    return result;
  }

  Result<int> RecoverStalled() override {
    VIGIL_ASSIGN_OR_RETURN(RedisReply r,
                           Run(RedisScript::kRecoverStalled,
                               "recover stalled jobs of queue " + Quoted(options_.name),
                               {std::to_string(options_.max_stalled)}));
    return static_cast<int>(r.AsInt());
  }

  Status Retry(std::string_view job_id) override {
    std::string what = "retry job " + Quoted(job_id);
    VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kRetry, what, {std::string(job_id)}));
    std::string outcome = r.AsString();
    if (outcome == "ok") return Status::Ok();
    if (outcome == "missing") {
      return Status::NotFound(what + ": no such job in queue " + Quoted(options_.name));
    }
    return Status::FailedPrecondition(what + ": it is " + outcome + ", not failed");
  }

  Status Pause() override {
    return Run(RedisScript::kPause, "pause queue " + Quoted(options_.name), {"paused"}).status();
  }

  Status Resume() override {
    return Run(RedisScript::kPause, "resume queue " + Quoted(options_.name), {"resumed"}).status();
  }

  Result<JobCounts> Counts() override {
    VIGIL_ASSIGN_OR_RETURN(
        RedisReply r, Run(RedisScript::kCounts, "count jobs of queue " + Quoted(options_.name), {}));
    JobCounts c;
    c.waiting = r.at(0).AsInt();
    c.delayed = r.at(1).AsInt();
    c.active = r.at(2).AsInt();
    c.completed = r.at(3).AsInt();
    c.failed = r.at(4).AsInt();
    c.paused = r.at(5).AsInt() == 1;
    return c;
  }

  Result<JobInfo> Get(std::string_view job_id) override {
    std::string what = "get job " + Quoted(job_id);
    VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kGet, what, {std::string(job_id)}));
    if (r.is_nil()) return Status::NotFound(what + ": no such job in queue " + Quoted(options_.name));
    return ParseJobInfoRow(r);
  }

  Result<std::vector<JobInfo>> List(const ListFilter& filter) override {
    std::string what = "list jobs of queue " + Quoted(options_.name);
    if (filter.limit <= 0) {
      return Status::InvalidArgument(what + ": limit must be > 0 (got " +
                                     std::to_string(filter.limit) + ")");
    }
    std::string state = filter.state ? std::string(JobStateName(*filter.state)) : "";
    VIGIL_ASSIGN_OR_RETURN(RedisReply r, Run(RedisScript::kList, what,
                                             {state, filter.group, std::to_string(filter.limit)}));
    std::vector<JobInfo> jobs;
    for (const RedisReply& row : r.elements) jobs.push_back(ParseJobInfoRow(row));
    return jobs;
  }

  void WakeAll() override {
    std::vector<std::string> keys;
    {
      std::lock_guard<std::mutex> lock(waiters_mu_);
      ++wake_epoch_;
      keys.assign(blocked_.begin(), blocked_.end());
    }
    if (keys.empty()) return;
    Result<RedisPool::Handle> c = pool_.Acquire();
    if (!c.ok()) return;  // a blocked Take ends at its own timeout then
    for (const std::string& key : keys) {
      (void)(*c)->Command({"ZADD", key, "0", "wake"});
      (void)(*c)->Command({"PEXPIRE", key, "60000"});
    }
  }

 private:
  // The add script's seven arguments for `job`, appended to `args`.
  void AppendAddArgs(const JobToQueue& job, std::vector<std::string>* args) const {
    const JobOptions& o = job.options;
    args->insert(args->end(),
                 {o.job_id, job.name, job.payload,
                  BullMqOptsJson(o, options_.remove_on_complete, options_.remove_on_fail),
                  std::to_string(std::min(o.delay_ms, kRedisMaxDelayMs)),
                  std::to_string(o.priority), o.group});
  }

  // Runs a script on a pooled connection; errors are prefixed with `what`.
  Result<RedisReply> Run(RedisScript script, const std::string& what,
                         std::vector<std::string> args) {
    Result<RedisPool::Handle> c = pool_.Acquire();
    if (!c.ok()) return c.status().Prefixed(what);
    args.insert(args.begin(), {base_ + ":", std::to_string(clock_->NowMs())});
    Result<RedisReply> r = scripts_.Run(c->get(), script, keys_, args);
    if (!r.ok()) return r.status().Prefixed(what);
    return r;
  }

  // After a take found nothing: blocks until a job may be there (an add
  // anywhere, the next delayed job due, Resume), `end`, or WakeAll since
  // `epoch`. true: take again; false: give up (time is up or woken by
  // WakeAll); an error when blocking failed (the waiter is then dropped).
  Result<bool> AwaitWork(std::string_view worker, std::unique_ptr<Waiter>* waiter, uint64_t epoch,
                         std::chrono::steady_clock::time_point end, bool paused, int64_t next_due) {
    int64_t left = std::chrono::duration_cast<std::chrono::milliseconds>(
                       end - std::chrono::steady_clock::now())
                       .count();
    if (left <= 0 || wake_epoch_.load() != epoch) return false;
    int64_t block = left;
    if (!paused && next_due > 0) block = std::clamp<int64_t>(next_due - clock_->NowMs(), 1, left);
    if (!*waiter) {
      VIGIL_ASSIGN_OR_RETURN(*waiter, TakeWaiter(worker));
    }
    Status s = Block(waiter->get(), epoch, block);
    if (!s.ok()) {
      ReturnWaiter(std::move(*waiter));  // broken: dropped, with the pool's idle connections
      return s;
    }
    return true;
  }

  // A blocking connection named for `worker`: an idle one made since the
  // pool last dropped its connections, or a new one.
  Result<std::unique_ptr<Waiter>> TakeWaiter(std::string_view worker) {
    const uint64_t generation = pool_.generation();
    {
      std::unique_ptr<Waiter> stale;  // closed outside the lock
      std::lock_guard<std::mutex> lock(waiters_mu_);
      auto it = idle_waiters_.find(std::string(worker));
      if (it != idle_waiters_.end()) {
        std::unique_ptr<Waiter> w = std::move(it->second);
        idle_waiters_.erase(it);
        if (w->generation == generation) return w;
        stale = std::move(w);
      }
    }
    std::string client_name = options_.hash_tag + options_.prefix + ":" + Base64(options_.name) +
                              ":w:" + ClientNamePart(worker);
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> c,
                           RedisConnection::Connect(endpoint_, options_.connect_timeout_ms,
                                                    options_.command_timeout_ms, client_name));
    auto w = std::make_unique<Waiter>();
    w->connection = std::move(c);
    w->worker = std::string(worker);
    w->generation = generation;
    std::lock_guard<std::mutex> lock(waiters_mu_);
    w->wake_key = base_ + ":vigil:wake:" + wake_nonce_ + "-" + std::to_string(++waiter_count_);
    return w;
  }

  // Keeps `w` for its worker's next wait, unless it broke (then the pool's
  // idle connections go too) or the pool dropped its connections since it
  // was made.
  void ReturnWaiter(std::unique_ptr<Waiter> w) {
    if (w->connection->broken()) {
      if (w->generation == pool_.generation()) pool_.DropIdle();
      return;
    }
    if (w->generation != pool_.generation()) return;
    std::lock_guard<std::mutex> lock(waiters_mu_);
    std::string worker = w->worker;
    idle_waiters_.emplace(std::move(worker), std::move(w));
  }

  // Blocks on the marker and the waiter's wake key for up to `ms`, unless
  // WakeAll ran since `epoch`.
  Status Block(Waiter* w, uint64_t epoch, int64_t ms) {
    {
      std::lock_guard<std::mutex> lock(waiters_mu_);
      if (wake_epoch_.load() != epoch) return Status::Ok();
      blocked_.push_back(w->wake_key);
    }
    char timeout[32];
    std::snprintf(timeout, sizeof timeout, "%.3f", static_cast<double>(ms) / 1000.0);
    // The server answers at the end of the wait; a reply later than the
    // command timeout after that means it stalled.
    Status s = w->connection->SetBlockingTimeout(ms, options_.command_timeout_ms);
    Result<RedisReply> r = s.ok() ? w->connection->Command({"BZPOPMIN", keys_[11], w->wake_key, timeout})
                                  : Result<RedisReply>(s);
    {
      std::lock_guard<std::mutex> lock(waiters_mu_);
      blocked_.erase(std::find(blocked_.begin(), blocked_.end(), w->wake_key));
    }
    if (!r.ok()) return r.status();
    if (r->is_error()) return ReplyError(endpoint_, *r).Prefixed("BZPOPMIN");
    return Status::Ok();
  }

  const RedisQueueOptions options_;
  const RedisEndpoint endpoint_;
  const Clock* const clock_;
  const std::string base_;  // <hash tag><prefix>:<name>
  std::vector<std::string> keys_;  // the KEYS of every script
  RedisPool pool_;
  RedisScripts scripts_;

  std::mutex waiters_mu_;  // guards the waiter bookkeeping below
  std::atomic<uint64_t> wake_epoch_{0};
  std::string wake_nonce_;
  uint64_t waiter_count_ = 0;
  std::multimap<std::string, std::unique_ptr<Waiter>> idle_waiters_;  // by worker
  std::vector<std::string> blocked_;  // wake keys of Takes blocked now
};

}  // namespace

Result<std::unique_ptr<Queue>> OpenRedisQueue(const RedisQueueOptions& options, const Clock* clock) {
  if (options.name.empty()) return Status::InvalidArgument("open queue: name is empty");
  std::string what = "open queue " + Quoted(options.name);
  if (clock == nullptr) return Status::InvalidArgument(what + ": no clock");
  if (options.prefix.empty()) return Status::InvalidArgument(what + ": prefix is empty");
  if (!options.hash_tag.empty() &&
      (options.hash_tag.size() < 3 || options.hash_tag.front() != '{' ||
       options.hash_tag.back() != '}' ||
       options.hash_tag.find_first_of("{}", 1) != options.hash_tag.size() - 1)) {
    return Status::InvalidArgument(what + ": hash tag " + Quoted(options.hash_tag) +
                                   " must look like {name}");
  }
  if (options.max_stalled < 0) {
    return Status::InvalidArgument(what + ": max_stalled must be >= 0 (got " +
                                   std::to_string(options.max_stalled) + ")");
  }
  if (options.remove_on_complete < -1 || options.remove_on_fail < -1) {
    return Status::InvalidArgument(what + ": remove_on_complete and remove_on_fail must be >= -1");
  }
  if (options.connect_timeout_ms <= 0 || options.command_timeout_ms <= 0) {
    return Status::InvalidArgument(
        what + ": connect_timeout_ms and command_timeout_ms must be > 0 (got " +
        std::to_string(options.connect_timeout_ms) + " and " +
        std::to_string(options.command_timeout_ms) + ")");
  }
  Result<RedisEndpoint> endpoint = ParseRedisUrl(options.url);
  if (!endpoint.ok()) return endpoint.status().Prefixed(what);
  auto queue = std::make_unique<RedisQueue>(options, std::move(endpoint).value(), clock);
  VIGIL_RETURN_IF_ERROR(queue->Open());
  return std::unique_ptr<Queue>(std::move(queue));
}

}  // namespace vigil
