// The job routes, over ApiEnv::queue:
//   GET /api/v1/jobs            ?tenant&state&limit, newest first: {"items": [...]}
//   GET /api/v1/jobs/{job_id}   one job
//   GET /api/v1/queue           ?tenant: {"counts": {"waiting", "delayed", "active",
//                               "completed", "failed"}, "paused": bool, "capped_at": n or
//                               null}: an admin token without ?tenant gets the whole queue's
//                               counts (one call to Queue::Counts); otherwise one tenant's
//                               jobs (a tenant token: its own), counted from listings of at
//                               most 1,000 per state ("capped_at": 1000, a count of 1000
//                               meaning at least that many)
// A job belongs to the tenant whose id is its group. A tenant token sees only
// its tenant's jobs; an admin token sees every job, including jobs without a
// group. A job the caller may not see answers exactly as a missing one (404).
// Jobs are the JSON of queue/job_json.h (the same as `vigil jobs --json`).
#include <map>
#include <string>
#include <vector>

#include "api/api_env.h"
#include "api/routes.h"
#include "api/scope.h"
#include "queue/job_json.h"
#include "queue/queue.h"

namespace vigil {
namespace {

// 503 when the app wired no queue.
std::optional<ApiResponse> NeedQueue(const RouteCall& call) {
  if (call.env->queue != nullptr) return std::nullopt;
  return ErrorResponse(503, api_error::kUnavailable, "jobs: no job queue is configured");
}

ApiResponse ListJobsRoute(const ApiRequest& request, RouteCall& call) {
  if (auto missing = NeedQueue(call)) return *missing;
  ListFilter filter;
  if (auto bad = PageSize(request, call, &filter.limit)) return *bad;
  if (std::optional<std::string> state = request.Query("state")) {
    filter.state = ParseJobState(*state);
    if (!filter.state) {
      return ErrorResponse(400, api_error::kBadRequest,
                           "state: \"" + *state +
                               "\" is not a job state (waiting, delayed, active, completed, "
                               "failed)");
    }
  }
  if (std::optional<std::string> tenant = request.Query("tenant")) {
    TenantRow row;
    if (auto missing = ResolveTenant(call, *tenant, &row)) return *missing;
    filter.group = std::to_string(row.id);
  } else if (!call.principal->admin()) {
    filter.group = std::to_string(*call.principal->tenant_id);
  }
  Result<std::map<std::string, std::string>> names = TenantNamesByGroup(call.db);
  if (!names.ok()) return ErrorFromStatus(names.status());
  Result<std::vector<JobInfo>> jobs = call.env->queue->List(filter);
  if (!jobs.ok()) return ErrorFromStatus(jobs.status());
  nlohmann::json items = nlohmann::json::array();
  for (const JobInfo& job : *jobs) items.push_back(JobToJson(job, *names));
  return JsonResponse(200, {{"items", std::move(items)}});
}

ApiResponse GetJobRoute(const ApiRequest& request, RouteCall& call) {
  if (auto missing = NeedQueue(call)) return *missing;
  const std::string& id = request.Param("job_id");
  const std::string what = "job " + id;
  Result<JobInfo> job = call.env->queue->Get(id);
  if (!job.ok()) {
    if (job.status().code() == Code::kNotFound) return NotFoundResponse(what);
    return ErrorFromStatus(job.status());
  }
  if (!call.principal->admin() && job->group != std::to_string(*call.principal->tenant_id)) {
    return NotFoundResponse(what);
  }
  Result<std::map<std::string, std::string>> names = TenantNamesByGroup(call.db);
  if (!names.ok()) return ErrorFromStatus(names.status());
  return JsonResponse(200, JobToJson(*job, *names));
}

constexpr int kTenantCountCap = 1000;

ApiResponse QueueRoute(const ApiRequest& request, RouteCall& call) {
  if (auto missing = NeedQueue(call)) return *missing;
  std::string group;  // empty: the whole queue (an admin token without ?tenant)
  if (std::optional<std::string> tenant = request.Query("tenant")) {
    TenantRow row;
    if (auto missing = ResolveTenant(call, *tenant, &row)) return *missing;
    group = std::to_string(row.id);
  } else if (!call.principal->admin()) {
    group = std::to_string(*call.principal->tenant_id);
  }
  Result<JobCounts> all = call.env->queue->Counts();
  if (!all.ok()) return ErrorFromStatus(all.status());
  nlohmann::json counts = {{"waiting", all->waiting},     {"delayed", all->delayed},
                           {"active", all->active},       {"completed", all->completed},
                           {"failed", all->failed}};
  nlohmann::json capped = nullptr;
  if (!group.empty()) {
    capped = kTenantCountCap;
    for (auto& [name, count] : counts.items()) {
      ListFilter filter;
      filter.state = ParseJobState(name);
      filter.group = group;
      filter.limit = kTenantCountCap;
      Result<std::vector<JobInfo>> jobs = call.env->queue->List(filter);
      if (!jobs.ok()) return ErrorFromStatus(jobs.status());
      count = jobs->size();
    }
  }
  return JsonResponse(200, {{"counts", std::move(counts)}, {"paused", all->paused},
                            {"capped_at", capped}});
}

}  // namespace

void AddJobRoutes(Router* router) {
  router->Add({"GET", "/api/v1/queue", RouteAuth::kToken, QueueRoute});
  router->Add({"GET", "/api/v1/jobs", RouteAuth::kToken, ListJobsRoute});
  router->Add({"GET", "/api/v1/jobs/{job_id}", RouteAuth::kToken, GetJobRoute});
}

}  // namespace vigil
