#include "queue/redis_job_codec.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vigil {
namespace {

// What vigil reads from a job's opts.
struct ParsedOpts {
  int attempts = 1;
  std::string group;
  std::string remove_on_complete = "null";  // the option's JSON
};

ParsedOpts ParseOpts(const std::string& json) {
  ParsedOpts out;
  nlohmann::json opts = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!opts.is_object()) return out;
  auto attempts = opts.find("attempts");
  if (attempts != opts.end() && attempts->is_number()) {
    out.attempts = std::max(1, attempts->get<int>());
  }
  auto keep = opts.find("removeOnComplete");
  if (keep != opts.end()) out.remove_on_complete = keep->dump();
  auto group = opts.find("group");
  if (group != opts.end() && group->is_object()) {
    auto id = group->find("id");
    if (id != group->end() && id->is_string()) out.group = id->get<std::string>();
  }
  return out;
}

}  // namespace

std::string BullMqOptsJson(const JobOptions& o, int64_t remove_on_complete,
                           int64_t remove_on_fail) {
  nlohmann::json opts = nlohmann::json::object();
  opts["attempts"] = o.attempts;
  if (o.backoff.delay_ms > 0 || o.backoff.type == Backoff::Type::kExponential) {
    opts["backoff"] = {
        {"type", o.backoff.type == Backoff::Type::kExponential ? "exponential" : "fixed"},
        {"delay", o.backoff.delay_ms}};
  }
  opts["delay"] = std::min(o.delay_ms, kRedisMaxDelayMs);
  opts["priority"] = o.priority;
  if (!o.job_id.empty()) opts["jobId"] = o.job_id;
  if (!o.group.empty()) opts["group"] = {{"id", o.group}};
  auto keep = [](int64_t n) { return n == 0 ? nlohmann::json(true) : nlohmann::json(n); };
  if (remove_on_complete >= 0) opts["removeOnComplete"] = keep(remove_on_complete);
  if (remove_on_fail >= 0) opts["removeOnFail"] = keep(remove_on_fail);
  return opts.dump();
}

JobInfo ParseJobInfoRow(const RedisReply& row) {
  const RedisReply& f = row.at(3);
  auto field = [&](size_t i) -> const RedisReply& { return f.at(i); };
  // The order of INFO_FIELDS in redis_scripts_prelude.cc.
  enum { kName, kData, kOpts, kTimestamp, kDelay, kPriority, kAtm, kAts, kStc, kProcessedOn,
         kFinishedOn, kReturnValue, kFailedReason, kDue, kSeq };
  JobInfo info;
  info.id = row.at(0).AsString();
  std::string state = row.at(1).AsString();
  info.state = ParseJobState(state).value_or(JobState::kWaiting);
  info.name = field(kName).AsString();
  info.payload = field(kData).AsString();
  ParsedOpts opts = ParseOpts(field(kOpts).AsString());
  info.group = opts.group;
  info.max_attempts = opts.attempts;
  info.priority = static_cast<int>(field(kPriority).AsInt());
  info.attempts_made = static_cast<int>(field(kAts).AsInt());
  info.stalled_count = static_cast<int>(field(kStc).AsInt());
  info.created_at = field(kTimestamp).AsInt();
  int64_t due_from_score = row.at(2).AsInt();
  if (!field(kDue).is_nil()) {
    info.run_at = field(kDue).AsInt();
  } else if (due_from_score > 0) {
    info.run_at = due_from_score;
  } else {
    info.run_at = info.created_at + field(kDelay).AsInt();
  }
  if (!field(kProcessedOn).is_nil()) info.started_at = field(kProcessedOn).AsInt();
  if (!field(kFinishedOn).is_nil()) info.finished_at = field(kFinishedOn).AsInt();
  info.return_value = field(kReturnValue).AsString();
  info.failed_reason = field(kFailedReason).AsString();
  return info;
}

Job ParseTakenRow(const RedisReply& r) {
  Job job;
  job.token = r.at(1).AsInt();
  job.id = r.at(2).AsString();
  job.name = r.at(3).AsString();
  job.payload = r.at(4).AsString();
  ParsedOpts opts = ParseOpts(r.at(5).AsString());
  job.group = opts.group;
  job.max_attempts = opts.attempts;
  job.created_at = r.at(6).AsInt();
  job.attempt = static_cast<int>(r.at(8).AsInt()) + 1;
  job.due_at = r.at(9).is_nil() ? job.created_at + r.at(7).AsInt() : r.at(9).AsInt();
  job.started_at = r.at(10).AsInt();
  job.backend_note = std::move(opts.remove_on_complete);
  return job;
}

}  // namespace vigil
