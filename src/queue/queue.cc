#include "queue/queue.h"

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

}  // namespace vigil
