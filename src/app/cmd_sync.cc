#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "pipeline/pipeline.h"
#include "app/provider_factory.h"
#include "app/report.h"
#include "common/duration.h"
#include "queue/schedules.h"
#include "store/tenants.h"

namespace vigil {

int RunSync(const SyncCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Clock> analysis_clock = AnalysisClockOrReport(cmd.now, err);
  if (!analysis_clock) return kExitUsage;
  if (Status s = ValidateTenantName(cmd.tenant); !s.ok()) {
    err << "vigil: --tenant: " << s.message() << "\n";
    return kExitUsage;
  }
  if (cmd.from_dir.empty() && !cmd.format.empty()) {
    err << "vigil: --format describes a directory: give it with --from-dir\n";
    return kExitUsage;
  }
  // Without --from-dir the tenant and its data source must exist already:
  // nothing is created, not even the database.
  std::unique_ptr<Db> db = cmd.from_dir.empty() ? OpenExistingDatabaseOrReport(cmd.db, err)
                                                : OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::unique_ptr<Clock> clock = NewSystemClock();
  SyncOptions options;
  options.force = cmd.force;
  DirectorySync run;
  if (cmd.from_dir.empty()) {
    run = SyncStoredSource(db.get(), *clock, *analysis_clock, cmd.tenant, cmd.source, options,
                           "cli sync", OpenProvider);
  } else {
    const bool google = cmd.format == "google_json";
    const std::string source = !cmd.source.empty() ? cmd.source : google ? "google" : "graph";
    run = SyncFromDirectory(db.get(), *clock, *analysis_clock, cmd.tenant, source, cmd.from_dir,
                            options, "cli sync", google ? OpenGoogleDirectory : OpenGraphDirectory,
                            google ? "google_json" : "graph_json");
  }
  if (!run.setup.ok()) {
    err << "vigil: " << run.setup.message() << "\n";
    return kExitFailed;
  }
  const std::string& source = run.source;
  const SyncOutcome& outcome = run.outcome;
  // A new data source syncs again every hour under `vigil serve`.
  Schedule schedule;
  schedule.data_source_id = run.data_source_id;
  schedule.tenant_id = run.tenant_id;
  schedule.interval_ms = kDefaultScheduleIntervalMs;
  schedule.next_run_at = clock->NowMs() + schedule.interval_ms;
  Result<bool> scheduled = CreateScheduleIfMissing(db.get(), schedule, clock->NowMs());
  if (!scheduled.ok()) {
    err << "vigil: scheduling " << cmd.tenant << "/" << source << ": "
        << scheduled.status().message() << "\n";
    return kExitFailed;
  }
  // A failure is said once, on stderr, cause first (the report leaves it out).
  if (cmd.json) {
    out << SyncOutcomeToJson(cmd.tenant, source, run.trace_id, outcome) << "\n";
  } else {
    out << FormatSyncOutcome(cmd.tenant, source, run.trace_id, outcome,
                             /*errors_inline=*/false);
  }
  if (*scheduled && !cmd.json) {
    out << "scheduled: every " << FormatDuration(schedule.interval_ms) << " under `vigil serve`"
        << " (change with `vigil schedule`)\n";
  }
  if (!outcome.status.ok()) {
    err << "vigil: sync of " << cmd.tenant << " failed: " << outcome.status.message() << "\n"
        << "  no analysis ran; every alert is as it was (trace " << run.trace_id << ")\n";
    return kExitFailed;
  }
  if (!outcome.analysis) {
    err << "vigil: analysis of " << cmd.tenant << " failed: " << outcome.analysis_status.message()
        << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

void AddSyncCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<SyncCommand>();
  CLI::App* c = app.add_subcommand(
      "sync",
      "sync a tenant from a directory of Microsoft Graph or Google Workspace answers\n"
      "(creates the tenant and data source when new), or one of its stored data sources\n"
      "through its own provider, then analyze it and reconcile its alerts");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name (letters, digits, . - _)")->required();
  c->add_option("--from-dir", cmd->from_dir,
                "directory with users.json, subscribedSkus.json, userRegistrationDetails.json,\n"
                "roleAssignments.json, conditionalAccessPolicies.json, securityDefaults.json\n"
                "and optionally groups.json (with groupMembers/<id>.json per security group);\n"
                "a missing file means that data is not available. Without it, the tenant's\n"
                "stored data source (--source) syncs through its own provider: a live\n"
                "microsoft365 or google_workspace connection added with `vigil source add`\n"
                "(needs the secret key), or the directory it was created from");
  c->add_option("--format", cmd->format,
                "the directory's format: graph_json (Microsoft Graph answers, the files above;\n"
                "the default) or google_json (Google Workspace answers: users.json, roles.json,\n"
                "roleAssignments.json, licenseAssignments.json)")
      ->check(CLI::IsMember({"graph_json", "google_json"}));
  c->add_option("--source", cmd->source,
                "data source name within the tenant (with --from-dir, default: graph, or google\n"
                "for google_json; without, default: the tenant's only data source)");
  c->add_option("--now", cmd->now, kNowHelp);
  c->add_flag("--force", cmd->force,
              "accept a sync that deletes more than half of a kind of entity");
  c->add_flag("--json", cmd->json, "print the outcome as JSON");
  OnRun(c, cmd, cli, RunSync);
}

}  // namespace vigil
