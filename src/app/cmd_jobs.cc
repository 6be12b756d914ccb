#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "common/time.h"
#include "queue/failover_queue.h"
#include "queue/job_json.h"
#include "queue/pipeline_jobs.h"

namespace vigil {

int RunJobs(const JobsCommand& cmd, std::ostream& out, std::ostream& err) {
  if (!RedisUrlOkOrReport(cmd.redis, err)) return kExitUsage;
  ListFilter filter;
  filter.limit = cmd.limit;
  if (!cmd.state.empty()) {
    filter.state = ParseJobState(cmd.state);
    if (!filter.state) {
      err << "vigil: --state: \"" << cmd.state
          << "\" is not a job state (waiting, delayed, active, completed, failed)\n";
      return kExitUsage;
    }
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  if (!cmd.tenant.empty()) {
    std::optional<TenantRow> tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
    filter.group = std::to_string(tenant->id);
  }
  Result<std::map<std::string, std::string>> names = TenantNamesByGroup(db.get());
  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenQueueOrReport(cmd.db, cmd.redis, clock.get(), err);
  if (!queue || !names.ok()) {
    if (!names.ok()) err << "vigil: " << names.status().message() << "\n";
    return kExitFailed;
  }
  Result<std::vector<JobInfo>> jobs = queue->List(filter);
  if (!jobs.ok()) {
    err << "vigil: " << jobs.status().message() << "\n";
    return kExitFailed;
  }
  auto* failover = dynamic_cast<FailoverQueue*>(queue.get());
  if (failover != nullptr && !failover->primary_up()) {
    err << "vigil: warning: Redis at " << cmd.redis << " did not answer ("
        << failover->primary_error() << "); only the jobs in the local queue are listed\n";
  }
  if (cmd.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const JobInfo& job : *jobs) arr.push_back(JobToJson(job, *names));
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (jobs->empty()) {
    out << "no jobs\n";
    return kExitOk;
  }
  Table table({"ID", "NAME", "STATE", "TENANT", "ATTEMPTS", "CREATED", "FINISHED", "TRACE",
               "ERROR"});
  for (const JobInfo& job : *jobs) {
    const std::string tenant = JobTenantName(job, *names);
    table.AddRow({job.id, job.name, std::string(JobStateName(job.state)), tenant,
                  std::to_string(job.attempts_made) + "/" + std::to_string(job.max_attempts),
                  FormatIso8601(job.created_at),
                  job.finished_at ? FormatIso8601(*job.finished_at) : "-",
                  TraceIdOfPayload(job.payload), job.failed_reason.empty() ? "-" : job.failed_reason});
  }
  out << table.Render();
  out << jobs->size() << " job" << (jobs->size() == 1 ? "" : "s") << "\n";
  return kExitOk;
}

void AddJobsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<JobsCommand>();
  CLI::App* c =
      app.add_subcommand("jobs", "list recent jobs, newest first, with their trace ids");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "only this tenant's jobs");
  c->add_option("--state", cmd->state, "waiting, delayed, active, completed or failed");
  c->add_option("--limit", cmd->limit, "at most this many")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  c->add_option("--redis", cmd->redis,
                "the Redis URL `vigil serve --redis` uses: lists the jobs in Redis too");
  c->add_flag("--json", cmd->json, "print a JSON array");
  OnRun(c, cmd, cli, RunJobs);
}

}  // namespace vigil
