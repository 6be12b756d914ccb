#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "common/time.h"
#include "queue/pipeline_jobs.h"

namespace vigil {
namespace {

// Tenant names by id, for the TENANT column.
Result<std::map<std::string, std::string>> TenantNames(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT id, name FROM tenants"));
  std::map<std::string, std::string> names;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    names[std::to_string(st->Int(0))] = st->String(1);
  }
  return names;
}

nlohmann::json OptionalTime(const std::optional<TimeMs>& t) {
  return t ? nlohmann::json(FormatIso8601(*t)) : nlohmann::json(nullptr);
}

// The JSON of `text`, or null when it is empty or not JSON.
nlohmann::json JsonOrNull(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

}  // namespace

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
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  if (!cmd.tenant.empty()) {
    std::optional<TenantRow> tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
    filter.group = std::to_string(tenant->id);
  }
  Result<std::map<std::string, std::string>> names = TenantNames(db.get());
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
  auto tenant_of = [&](const JobInfo& job) {
    auto it = names->find(job.group);
    return it == names->end() ? job.group : it->second;
  };
  if (cmd.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const JobInfo& job : *jobs) {
      arr.push_back({{"id", job.id},
                     {"name", job.name},
                     {"state", JobStateName(job.state)},
                     {"tenant", tenant_of(job)},
                     {"trace_id", TraceIdOfPayload(job.payload)},
                     {"attempts_made", job.attempts_made},
                     {"max_attempts", job.max_attempts},
                     {"created_at", FormatIso8601(job.created_at)},
                     {"run_at", FormatIso8601(job.run_at)},
                     {"started_at", OptionalTime(job.started_at)},
                     {"finished_at", OptionalTime(job.finished_at)},
                     {"error", job.failed_reason},
                     {"payload", JsonOrNull(job.payload)},
                     {"return_value", JsonOrNull(job.return_value)}});
    }
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
    table.AddRow({job.id, job.name, std::string(JobStateName(job.state)), tenant_of(job),
                  std::to_string(job.attempts_made) + "/" + std::to_string(job.max_attempts),
                  FormatIso8601(job.created_at),
                  job.finished_at ? FormatIso8601(*job.finished_at) : "-",
                  TraceIdOfPayload(job.payload), job.failed_reason.empty() ? "-" : job.failed_reason});
  }
  out << table.Render();
  out << jobs->size() << " job" << (jobs->size() == 1 ? "" : "s") << "\n";
  return kExitOk;
}

}  // namespace vigil
