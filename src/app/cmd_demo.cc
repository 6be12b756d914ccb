#include <filesystem>
#include <map>
#include <ostream>

#include "alerts/alert_store.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/demo_delivery.h"
#include "pipeline/pipeline.h"
#include "app/provider_factory.h"
#include "app/report.h"
#include "app/table.h"
#include "common/time.h"
#include "providers/google_synthetic.h"
#include "providers/google_writer.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"

namespace vigil {
namespace {

// The demo's state: one database, the clocks, and where each tenant's Graph
// directory lives.
struct Demo {
  Db* db;
  DemoDelivery* delivery;
  const Clock* clock;
  const Clock* analysis_clock;
  std::string graph_root;
  std::ostream& out;
  std::ostream& err;
};

std::vector<SyntheticOptions> DemoTenants(int users, TimeMs now) {
  SyntheticOptions contoso;
  contoso.tenant_name = "contoso";
  contoso.seed = 11;
  SyntheticOptions fabrikam;
  fabrikam.tenant_name = "fabrikam";
  fabrikam.seed = 22;
  fabrikam.global_admins = 1;
  fabrikam.ca_mode = SyntheticOptions::kNone;
  SyntheticOptions northwind;
  northwind.tenant_name = "northwind";
  northwind.seed = 33;
  northwind.global_admins = 2;
  northwind.ca_mode = SyntheticOptions::kEnabled;
  northwind.legacy_auth_blocked = true;
  northwind.no_mfa_rate = 0.05;
  std::vector<SyntheticOptions> all = {contoso, fabrikam, northwind};
  for (auto& o : all) {
    o.users = users;
    o.now = now;
  }
  return all;
}

// Writes the snapshot as the tenant's Graph directory and runs sync ->
// analysis -> reconcile from it, printing the outcome. True when both ran.
bool SyncTenant(const Demo& demo, const std::string& tenant, const Snapshot& snapshot) {
  const std::string dir = demo.graph_root + "/" + tenant;
  if (Status s = WriteGraphDirectory(snapshot, dir); !s.ok()) {
    demo.err << "vigil: " << s.message() << "\n";
    return false;
  }
  DirectorySync run = SyncFromDirectory(demo.db, *demo.clock, *demo.analysis_clock, tenant, "graph",
                                        dir, SyncOptions(), "demo", OpenGraphDirectory);
  if (!run.setup.ok()) {
    demo.err << "vigil: " << run.setup.message() << "\n";
    return false;
  }
  const SyncOutcome& outcome = run.outcome;
  demo.out << FormatSyncOutcome(tenant, "graph", run.trace_id, outcome);
  if (Status s = demo.delivery->Show(demo.out); !s.ok()) {
    demo.err << "vigil: demo: delivery: " << s.message() << "\n";
  }
  return outcome.status.ok() && outcome.analysis.has_value();
}

// Writes the Workspace tenant as its google_json directory and runs the
// chain from it as data source "google" of `tenant`. True when both ran.
bool SyncGoogleTenant(const Demo& demo, const std::string& tenant, const GoogleTenant& google) {
  const std::string dir = demo.graph_root + "/" + tenant + "-google";
  if (Status s = WriteGoogleDirectory(google, dir); !s.ok()) {
    demo.err << "vigil: " << s.message() << "\n";
    return false;
  }
  DirectorySync run =
      SyncFromDirectory(demo.db, *demo.clock, *demo.analysis_clock, tenant, "google", dir,
                        SyncOptions(), "demo", OpenGoogleDirectory, "google_json");
  if (!run.setup.ok()) {
    demo.err << "vigil: " << run.setup.message() << "\n";
    return false;
  }
  demo.out << FormatSyncOutcome(tenant, "google", run.trace_id, run.outcome);
  if (Status s = demo.delivery->Show(demo.out); !s.ok()) {
    demo.err << "vigil: demo: delivery: " << s.message() << "\n";
  }
  return run.outcome.status.ok() && run.outcome.analysis.has_value();
}

void PrintOpenAlertSummary(const Demo& demo, const std::string& tenant) {
  AlertFilter filter;
  filter.tenant = tenant;
  auto alerts = ListAlerts(demo.db, filter);
  if (!alerts.ok()) return;
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const AlertRow& a : *alerts) ++counts[{a.type, a.severity}];
  Table table({"  OPEN ALERTS", "SEVERITY", "COUNT"});
  for (const auto& [key, n] : counts)
    table.AddRow({"  " + key.first, key.second, std::to_string(n)});
  demo.out << table.Render();
  demo.out << "  " << alerts->size() << " open alerts in " << tenant << "\n\n";
}

int CountOpen(Db* db, const std::string& tenant, const std::string& type_prefix) {
  AlertFilter filter;
  filter.tenant = tenant;
  auto alerts = ListAlerts(db, filter);
  int n = 0;
  if (alerts.ok()) {
    for (const AlertRow& a : *alerts) n += a.type.rfind(type_prefix, 0) == 0;
  }
  return n;
}

void PrintOneHistory(const Demo& demo, const std::string& tenant, const std::string& type) {
  AlertFilter filter;
  filter.tenant = tenant;
  filter.type = type;
  filter.state = AlertStateFilter::kResolved;
  auto alerts = ListAlerts(demo.db, filter);
  if (!alerts.ok() || alerts->empty()) return;
  const AlertRow& a = alerts->front();
  auto history = AlertHistory(demo.db, a.id);
  if (!history.ok()) return;
  demo.out << "  history of alert " << a.id << " (" << a.type << " on " << a.subject_name << "):\n";
  for (const HistoryRow& h : *history) {
    demo.out << "    " << FormatIso8601(h.at) << "  " << h.transition << "  " << h.reason
             << "  (trace " << h.trace_id << ")\n";
  }
}

// Step 4: litware on Google Workspace alone, and contoso adding its
// Workspace, where half of its people also have an account: one analysis
// over both sources, one alert per person.
bool RunMixedMsp(const Demo& demo, int users, TimeMs now, const SyntheticOptions& contoso) {
  demo.out << "== 4. a mixed MSP: litware on Google Workspace, contoso on Microsoft 365 and\n"
           << "   Google Workspace (the same people by email address)\n";
  GoogleSyntheticOptions litware;
  litware.tenant_name = "litware";
  litware.seed = 44;
  litware.users = users;
  litware.now = now;
  if (!SyncGoogleTenant(demo, "litware", GenerateGoogleTenant(litware))) return false;
  PrintOpenAlertSummary(demo, "litware");

  GoogleSyntheticOptions both;
  both.tenant_name = "contoso";
  both.seed = 55;
  both.users = std::max(10, users / 2);
  both.now = now;
  both.same_people_as = contoso;
  both.shared_people = both.users / 2;
  const int before = CountOpen(demo.db, "contoso", "");
  if (!SyncGoogleTenant(demo, "contoso", GenerateGoogleTenant(both))) return false;
  demo.out << "  contoso: " << before << " open alerts before its Workspace, "
           << CountOpen(demo.db, "contoso", "") << " after; a person with an account in both\n"
           << "  has one alert, whose details list both data sources (vigil alerts --json)\n\n";
  return true;
}

}  // namespace

int RunDemo(const DemoCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Clock> analysis_clock = AnalysisClockOrReport(cmd.now, err);
  if (!analysis_clock) return kExitUsage;
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::unique_ptr<Clock> clock = NewSystemClock();
  Result<std::unique_ptr<DemoDelivery>> delivery = DemoDelivery::Start(db.get(), cmd.db, clock.get());
  if (!delivery.ok()) {
    err << "vigil: demo: delivery: " << delivery.status().message() << "\n";
    return kExitFailed;
  }
  Demo demo{db.get(), delivery->get(), clock.get(), analysis_clock.get(), cmd.db + ".graph", out, err};
  const TimeMs now = analysis_clock->NowMs();

  out << "== vigil demo: database " << cmd.db << ", Graph directories under " << demo.graph_root
      << "\n   alert changes are delivered to a webhook channel \"demo-webhook\" on a receiver\n"
      << "   the demo runs at 127.0.0.1 (group wait 0: each analysis's changes as one message)\n"
      << "\n== 1. first sync of three synthetic tenants (" << cmd.users << " users each)\n";
  std::map<std::string, Snapshot> snapshots;
  for (const SyntheticOptions& options : DemoTenants(cmd.users, now)) {
    snapshots[options.tenant_name] = GenerateTenant(options);
    if (!SyncTenant(demo, options.tenant_name, snapshots[options.tenant_name])) return kExitFailed;
    PrintOpenAlertSummary(demo, options.tenant_name);
  }

  out << "== 2. a broken sync: fabrikam's provider answers with an empty user list\n";
  Snapshot empty = snapshots["fabrikam"];
  empty.users.clear();
  const int before = CountOpen(db.get(), "fabrikam", "");
  if (SyncTenant(demo, "fabrikam", empty)) {
    err << "vigil: demo: the deletion guard did not refuse an empty user list\n";
    return kExitFailed;
  }
  out << "  open alerts in fabrikam before " << before << ", after "
      << CountOpen(db.get(), "fabrikam", "") << ": nothing resolved by silence\n";
  if (!SyncTenant(demo, "fabrikam", snapshots["fabrikam"])) return kExitFailed;
  out << "\n";

  out << "== 3. remediation in contoso: MFA for everyone, licenses removed from disabled users\n";
  const int mfa_before = CountOpen(db.get(), "contoso", "mfa.");
  const int disabled_before = CountOpen(db.get(), "contoso", "license.disabled_user");
  Snapshot fixed = snapshots["contoso"];
  EnableMfaForAll(&fixed);
  RemoveLicensesFromDisabledUsers(&fixed);
  if (!SyncTenant(demo, "contoso", fixed)) return kExitFailed;
  const int mfa_after = CountOpen(db.get(), "contoso", "mfa.");
  const int disabled_after = CountOpen(db.get(), "contoso", "license.disabled_user");
  out << "  MFA alerts open: " << mfa_before << " -> " << mfa_after
      << " (mfa.not_enforced stays: that is a tenant policy, not a user's registration)\n";
  out << "  license.disabled_user alerts open: " << disabled_before << " -> " << disabled_after
      << "\n";
  PrintOneHistory(demo, "contoso", "mfa.user_not_registered");
  PrintOneHistory(demo, "contoso", "license.disabled_user");
  out << "\n";
  PrintOpenAlertSummary(demo, "contoso");

  if (!RunMixedMsp(demo, cmd.users, now, DemoTenants(cmd.users, now).front())) return kExitFailed;

  if (Status s = demo.delivery->Finish(out); !s.ok()) {
    err << "vigil: demo: delivery: " << s.message() << "\n";
    return kExitFailed;
  }
  out << "\nExplore: vigil alerts --db " << cmd.db << " [--tenant contoso] [--state all] [--json]\n"
      << "         vigil history --db " << cmd.db << " ALERT_ID\n"
      << "         vigil trace --db " << cmd.db << " TRACE_ID\n"
      << "         vigil notifications --db " << cmd.db << " (what was delivered)\n";
  if (mfa_after > 1 || disabled_after != 0) {
    err << "vigil: demo: remediated alerts did not resolve\n";
    return kExitFailed;
  }
  return kExitOk;
}

void AddDemoCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<DemoCommand>();
  CLI::App* c = app.add_subcommand(
      "demo",
      "seed synthetic tenants, run the whole pipeline, show the alerts, remediate, re-sync\n"
      "and show those alerts resolved with their history");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--users", cmd->users, "users per tenant")
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  c->add_option("--now", cmd->now, kNowHelp);
  OnRun(c, cmd, cli, RunDemo);
}

}  // namespace vigil
