#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "queue/failover_queue.h"
#include "queue/sync_trigger.h"

namespace vigil {

int RunTrigger(const TriggerCommand& cmd, std::ostream& out, std::ostream& err) {
  if (!RedisUrlOkOrReport(cmd.redis, err)) return kExitUsage;
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<std::vector<DataSourceRow>> chosen =
      ChooseDataSourcesOrReport(db.get(), cmd.tenant, cmd.source, err);
  if (!chosen) return kExitFailed;
  auto clock = NewSystemClock();
  std::unique_ptr<Queue> queue = OpenQueueOrReport(cmd.db, cmd.redis, clock.get(), err);
  if (!queue) return kExitFailed;
  nlohmann::json json = nlohmann::json::array();
  for (const DataSourceRow& source : *chosen) {
    TriggerOptions options;
    options.by = "cli";
    options.force = cmd.force;
    Result<TriggeredSync> sync =
        TriggerSync(db.get(), queue.get(), *clock, source.tenant_id, source.id, options);
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
  auto* failover = dynamic_cast<FailoverQueue*>(queue.get());
  if (failover != nullptr && !failover->primary_up()) {
    err << "vigil: warning: Redis at " << cmd.redis << " did not answer ("
        << failover->primary_error()
        << "); the job is kept in the database (job outbox and local queue)"
           " and runs there, or in Redis once it is back\n";
  }
  return kExitOk;
}

void AddTriggerCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<TriggerCommand>();
  CLI::App* c = app.add_subcommand(
      "trigger", "enqueue a sync of a tenant's data sources now; prints the job and trace ids");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name")->required();
  c->add_option("--source", cmd->source, "only this data source (default: all of them)");
  c->add_flag("--force", cmd->force,
              "accept a sync that deletes more than half of a kind of entity");
  c->add_option("--redis", cmd->redis,
                "the Redis URL `vigil serve --redis` uses: the job goes to the database's\n"
                "job outbox, then to Redis (kept and relayed later while Redis is unreachable)");
  c->add_flag("--json", cmd->json, "print the jobs as JSON");
  OnRun(c, cmd, cli, RunTrigger);
}

}  // namespace vigil
