#include "queue/queue.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kWaiting: return "waiting";
    case JobState::kDelayed: return "delayed";
    case JobState::kActive: return "active";
    case JobState::kCompleted: return "completed";
    case JobState::kFailed: return "failed";
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (JobState s : {JobState::kWaiting, JobState::kDelayed, JobState::kActive,
                     JobState::kCompleted, JobState::kFailed}) {
    if (JobStateName(s) == name) return s;
  }
  return std::nullopt;
}

Status ValidateJobToAdd(std::string_view name, std::string_view payload, const JobOptions& o) {
  if (name.empty()) return Status::InvalidArgument("add job: name is empty");
  const std::string what = "add job \"" + std::string(name) + "\"";
  auto bad = [&](const std::string& m) { return Status::InvalidArgument(what + ": " + m); };
  if (!nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false).is_object()) {
    return bad("payload is not a JSON object");
  }
  if (o.attempts < 1) return bad("attempts must be >= 1 (got " + std::to_string(o.attempts) + ")");
  if (o.priority < 0) return bad("priority must be >= 0 (got " + std::to_string(o.priority) + ")");
  if (o.delay_ms < 0) return bad("delay_ms must be >= 0 (got " + std::to_string(o.delay_ms) + ")");
  if (o.backoff.delay_ms < 0) {
    return bad("backoff delay_ms must be >= 0 (got " + std::to_string(o.backoff.delay_ms) + ")");
  }
  const bool all_digits = !o.job_id.empty() && std::all_of(o.job_id.begin(), o.job_id.end(),
                                                           [](char c) { return c >= '0' && c <= '9'; });
  if (all_digits) {
    return bad("job id \"" + o.job_id + "\" is all digits (such ids are the queue's own)");
  }
  return Status::Ok();
}

Status ValidateTake(int64_t lease_ms, int64_t wait_ms) {
  if (lease_ms <= 0) {
    return Status::InvalidArgument("take: lease_ms must be > 0 (got " + std::to_string(lease_ms) +
                                   ")");
  }
  if (wait_ms < 0) {
    return Status::InvalidArgument("take: wait_ms must be >= 0 (got " + std::to_string(wait_ms) +
                                   ")");
  }
  return Status::Ok();
}

Status ValidateCompleteAndTake(int64_t lease_ms, int64_t wait_ms, int max_take) {
  VIGIL_RETURN_IF_ERROR(ValidateTake(lease_ms, wait_ms));
  if (max_take < 0) {
    return Status::InvalidArgument("take: max_take must be >= 0 (got " + std::to_string(max_take) +
                                   ")");
  }
  return Status::Ok();
}

Result<std::vector<AddResult>> Queue::AddBulk(const std::vector<JobToQueue>& jobs) {
  for (size_t i = 0; i < jobs.size(); ++i) {
    Status valid = ValidateJobToAdd(jobs[i].name, jobs[i].payload, jobs[i].options);
    if (!valid.ok()) return valid.Prefixed("job " + std::to_string(i));
  }
  std::vector<AddResult> added;
  added.reserve(jobs.size());
  for (const JobToQueue& job : jobs) {
    VIGIL_ASSIGN_OR_RETURN(AddResult one, Add(job.name, job.payload, job.options));
    added.push_back(std::move(one));
  }
  return added;
}

Result<CompleteAndTakeResult> Queue::CompleteAndTake(const std::vector<JobDone>& done,
                                                     std::string_view worker, int max_take,
                                                     int64_t lease_ms, int64_t wait_ms) {
  VIGIL_RETURN_IF_ERROR(ValidateCompleteAndTake(lease_ms, wait_ms, max_take));
  CompleteAndTakeResult result;
  result.completed.reserve(done.size());
  for (const JobDone& d : done) result.completed.push_back(Complete(d.job, d.return_value));
  while (static_cast<int>(result.taken.size()) < max_take) {
    Result<std::optional<Job>> taken =
        Take(worker, lease_ms, result.taken.empty() ? wait_ms : 0);
    if (!taken.ok()) {
      result.take_status = taken.status();
      break;
    }
    if (!taken->has_value()) break;
    result.taken.push_back(std::move(**taken));
  }
  return result;
}

Status Queue::Release(const Job& job) { return ExtendLease(job, 1); }

}  // namespace vigil
