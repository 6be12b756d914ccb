#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "queue/sync_trigger.h"

namespace vigil {

int RunTrigger(const TriggerCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<TenantRow> tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
  if (!tenant) return kExitFailed;
  Result<std::vector<DataSourceRow>> sources = ListDataSources(db.get(), tenant->id);
  if (!sources.ok()) {
    err << "vigil: " << sources.status().message() << "\n";
    return kExitFailed;
  }
  std::vector<DataSourceRow> chosen;
  for (const DataSourceRow& s : *sources) {
    if (cmd.source.empty() || s.name == cmd.source) chosen.push_back(s);
  }
  if (chosen.empty()) {
    err << "vigil: "
        << (cmd.source.empty() ? "tenant \"" + cmd.tenant + "\" has no data source"
                               : "tenant \"" + cmd.tenant + "\" has no data source named \"" +
                                     cmd.source + "\"")
        << "\n";
    return kExitFailed;
  }
  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenQueueOrReport(cmd.db, clock.get(), err);
  if (!queue) return kExitFailed;
  nlohmann::json json = nlohmann::json::array();
  for (const DataSourceRow& source : chosen) {
    TriggerOptions options;
    options.by = "cli";
    options.force = cmd.force;
    Result<TriggeredSync> sync =
        TriggerSync(db.get(), queue.get(), *clock, tenant->id, source.id, options);
    if (!sync.ok()) {
      err << "vigil: " << cmd.tenant << "/" << source.name << ": " << sync.status().message()
          << "\n";
      return kExitFailed;
    }
    if (cmd.json) {
      json.push_back({{"tenant", cmd.tenant},
                      {"source", source.name},
                      {"job_id", sync->job_id},
                      {"trace_id", sync->trace_id}});
    } else {
      out << "queued sync of " << cmd.tenant << "/" << source.name << ": job " << sync->job_id
          << ", trace " << sync->trace_id << "\n";
    }
  }
  if (cmd.json) out << json.dump(2) << "\n";
  return kExitOk;
}

}  // namespace vigil
