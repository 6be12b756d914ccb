#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/cli_api.h"
#include "app/cli_pipeline.h"
#include "app/cli_queue.h"
#include "app/cli_source.h"
#include "app/cli_support.h"
#include "app/commands.h"

namespace vigil {
namespace {

constexpr const char* kNowHelp =
    "pin the analysis clock to this ISO 8601 time, e.g. 2026-11-28T00:00:00Z";

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "vigil keeps an MSP's view of its customers' Microsoft 365 security posture true:\n"
      "it syncs each tenant, analyzes one consistent snapshot, and keeps alerts that are\n"
      "open exactly while their finding exists, with every change in their history.\n\n"
      "Exit status: 0 success, 1 the operation failed, 2 bad usage.",
      "vigil"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every command");
  int status = kExitOk;

  SyncCommand sync;
  auto* s = app.add_subcommand(
      "sync",
      "sync a tenant from a directory of Microsoft Graph responses, analyze it and "
      "reconcile its alerts (creates the tenant and data source when new)");
  s->add_option("--db", sync.db, kDbHelp)->capture_default_str();
  s->add_option("--tenant", sync.tenant, "tenant name (letters, digits, . - _)")->required();
  s->add_option("--from-dir", sync.from_dir,
                "directory with users.json, subscribedSkus.json, userRegistrationDetails.json,\n"
                "roleAssignments.json, conditionalAccessPolicies.json, securityDefaults.json\n"
                "and optionally groups.json; a missing file means that data is not available")
      ->required();
  s->add_option("--source", sync.source, "data source name within the tenant")
      ->capture_default_str();
  s->add_option("--now", sync.now, kNowHelp);
  s->add_flag("--force", sync.force,
              "accept a sync that deletes more than half of a kind of entity");
  s->add_flag("--json", sync.json, "print the outcome as JSON");
  s->callback([&] { status = RunSync(sync, out, err); });

  AlertsCommand alerts;
  auto* a = app.add_subcommand("alerts", "list alerts");
  a->add_option("--db", alerts.db, kDbHelp)->capture_default_str();
  a->add_option("--tenant", alerts.tenant, "only this tenant");
  a->add_option("--state", alerts.state, "open, resolved or all")
      ->check(CLI::IsMember({"open", "resolved", "all"}))
      ->capture_default_str();
  a->add_option("--type", alerts.type, "only this alert type, e.g. mfa.user_not_registered");
  a->add_flag("--json", alerts.json, "print a JSON array");
  a->callback([&] { status = RunAlerts(alerts, out, err); });

  HistoryCommand history;
  auto* h = app.add_subcommand("history", "show every change of one alert and its trace");
  h->add_option("--db", history.db, kDbHelp)->capture_default_str();
  h->add_option("ALERT_ID", history.alert_id, "alert id (from `vigil alerts`)")->required();
  h->add_flag("--json", history.json, "print a JSON array");
  h->callback([&] { status = RunHistory(history, out, err); });

  TraceCommand trace;
  auto* t = app.add_subcommand("trace", "print the spans of one trace as a waterfall");
  t->add_option("--db", trace.db, kDbHelp)->capture_default_str();
  t->add_option("TRACE_ID", trace.trace_id, "trace id (printed by sync, shown in history)")
      ->required();
  t->add_flag("--json", trace.json, "print the spans as JSON");
  t->callback([&] { status = RunTrace(trace, out, err); });

  GenerateCommand gen;
  auto* g = app.add_subcommand(
      "generate", "write a synthetic tenant as a directory of Microsoft Graph responses");
  g->add_option("--out", gen.out_dir, "directory to write (created)")->required();
  g->add_option("--tenant", gen.tenant, "tenant name")->capture_default_str();
  g->add_option("--users", gen.users, "number of users")
      ->check(CLI::Range(1, 5000000))
      ->capture_default_str();
  g->add_option("--seed", gen.seed, "random seed (same seed, same tenant)")->capture_default_str();
  g->add_option("--now", gen.now, "the generator's notion of today (ISO 8601)");
  g->callback([&] { status = RunGenerate(gen, out, err); });

  PrefsCommand prefs;
  auto* p = app.add_subcommand(
      "prefs", "show a tenant's preferences (thresholds, alert types switched off), or set them");
  p->add_option("--db", prefs.db, kDbHelp)->capture_default_str();
  p->add_option("--tenant", prefs.tenant, "tenant name")->required();
  p->add_option("--set", prefs.set,
                "KEY=VALUE, repeatable: stale_days, min_global_admins, max_global_admins,\n"
                "max_sync_age_hours, disabled_alert_types (comma-separated alert types)");
  p->add_flag("--json", prefs.json, "print the effective preferences as JSON");
  p->callback([&] { status = RunPrefs(prefs, out, err); });

  DemoCommand demo;
  auto* d = app.add_subcommand(
      "demo",
      "seed synthetic tenants, run the whole pipeline, show the alerts, remediate, re-sync\n"
      "and show those alerts resolved with their history");
  d->add_option("--db", demo.db, kDbHelp)->capture_default_str();
  d->add_option("--users", demo.users, "users per tenant")
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  d->add_option("--now", demo.now, kNowHelp);
  d->callback([&] { status = RunDemo(demo, out, err); });

  PipelineCommandArgs pipeline;
  AddPipelineCommands(&app, &pipeline, &status, out, err);
  AddQueueCommands(&app, &status, out, err);
  AddSourceCommands(&app, &status, out, err);
  AddApiCommands(&app, &status, out, err);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      out << app.help();
      return kExitOk;
    }
    err << "vigil: " << e.what() << "\n";
    err << "Run 'vigil --help' for usage.\n";
    return kExitUsage;
  }
  return status;
}

}  // namespace vigil
