// The stable JSON form of a job, shared by `vigil jobs --json` and the API's
// GET /api/v1/jobs so that both show the same keys with the same meaning:
//
//   id, name, state, tenant, trace_id, attempts_made, max_attempts,
//   created_at, run_at, started_at, finished_at, error, payload, return_value
//
// `tenant` is the name of the tenant whose id is the job's group (the group
// itself when it names no tenant, "" for a job without a group); trace_id
// is the payload's ("" when none); times are ISO 8601 UTC, started_at and
// finished_at null until they happen; payload and return_value are embedded
// as the JSON they hold (null when empty or not JSON).
//
// Thread safety: JobToJson is pure; TenantNamesByGroup as the Db's.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

// Tenant names by queue group (a tenant's id as decimal text). One statement.
Result<std::map<std::string, std::string>> TenantNamesByGroup(Db* db);

// The JSON object of `job`; its tenant name is looked up in `tenant_names`
// (TenantNamesByGroup).
nlohmann::json JobToJson(const JobInfo& job,
                         const std::map<std::string, std::string>& tenant_names);

// The tenant name shown for `job` (see `tenant` above).
std::string JobTenantName(const JobInfo& job,
                          const std::map<std::string, std::string>& tenant_names);

}  // namespace vigil
