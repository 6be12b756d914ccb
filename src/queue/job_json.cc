#include "queue/job_json.h"

#include <memory>
#include <optional>

#include "common/time.h"
#include "queue/pipeline_jobs.h"
#include "store/tenants.h"

namespace vigil {
namespace {

nlohmann::json OptionalTime(const std::optional<TimeMs>& t) {
  return t ? nlohmann::json(FormatIso8601(*t)) : nlohmann::json(nullptr);
}

// The JSON of `text`, or null when it is empty or not JSON.
nlohmann::json JsonOrNull(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

}  // namespace

Result<std::map<std::string, std::string>> TenantNamesByGroup(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<TenantRow> tenants, ListTenants(db));
  std::map<std::string, std::string> names;
  for (TenantRow& t : tenants) names[std::to_string(t.id)] = std::move(t.name);
  return names;
}

std::string JobTenantName(const JobInfo& job,
                          const std::map<std::string, std::string>& tenant_names) {
  auto it = tenant_names.find(job.group);
  return it == tenant_names.end() ? job.group : it->second;
}

nlohmann::json JobToJson(const JobInfo& job,
                         const std::map<std::string, std::string>& tenant_names) {
  return {{"id", job.id},
          {"name", job.name},
          {"state", JobStateName(job.state)},
          {"tenant", JobTenantName(job, tenant_names)},
          {"trace_id", TraceIdOfPayload(job.payload)},
          {"attempts_made", job.attempts_made},
          {"max_attempts", job.max_attempts},
          {"created_at", FormatIso8601(job.created_at)},
          {"run_at", FormatIso8601(job.run_at)},
          {"started_at", OptionalTime(job.started_at)},
          {"finished_at", OptionalTime(job.finished_at)},
          {"error", job.failed_reason},
          {"payload", JsonOrNull(job.payload)},
          {"return_value", JsonOrNull(job.return_value)}};
}

}  // namespace vigil
