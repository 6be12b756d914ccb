// `vigil source test ID`: checks a microsoft365 data source's credentials
// and, one small request per endpoint of the Graph directory table, which
// permissions the app registration lacks; for a google_workspace data source
// the service account's token as the administrator, then one small request
// per Admin SDK API and the scopes refused (pipeline/source_check.h does the
// work; this prints it as it goes).
#include <algorithm>
#include <ostream>
#include <string>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/provider_factory.h"
#include "pipeline/source_check.h"
#include "app/source_commands.h"
#include "store/tenants.h"

namespace vigil {
namespace {

void Print(const SourceCheck& c, std::ostream& out) {
  std::string name = c.name;
  name.resize(std::max<size_t>(name.size(), 20), ' ');
  out << "  " << name << (c.ok ? "ok" : "MISSING") << (c.detail.empty() ? "" : ": ") << c.detail
      << "\n";
}

}  // namespace

int RunSourceTest(const SourceTestCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<DataSourceRow> source = GetDataSource(db.get(), cmd.id);
  if (!source.ok()) {
    err << "vigil: " << source.status().message() << "\n";
    return kExitFailed;
  }
  SourceCheckProgress progress;
  progress.started = [&out, &source](const SourceCheckReport& r) {
    out << "data source " << source->id << " \"" << source->name << "\": ";
    if (r.provider == "google_workspace") {
      out << "customer " << r.tenant_id << ", service account " << r.client_id << " as "
          << r.admin_email << "\n";
    } else {
      out << "tenant " << r.tenant_id << ", app " << r.client_id << "\n";
    }
  };
  progress.checked = [&out](const SourceCheck& c) { Print(c, out); };
  Result<SourceCheckReport> report = CheckSourceConnection(*source, SharedGraphHttpClient().get(), progress);
  if (!report.ok()) {
    err << "vigil: " << report.status().message() << "\n";
    return kExitFailed;
  }
  const int failed = report->failed();
  if (failed == 0) {
    out << "all " << report->checks.size() << " checks passed\n";
    return kExitOk;
  }
  out << failed << " of " << report->checks.size() << " checks failed"
      << (report->ok() ? " (optional ones only: the sync works without them)" : "");
  const bool google = report->provider == "google_workspace";
  const std::vector<std::string>& missing = report->missing_permissions;
  for (size_t i = 0; i < missing.size(); ++i) {
    out << (i == 0 ? (google ? "; Google refused the scopes: " : "; grant the app registration: ")
                   : ", ")
        << missing[i];
  }
  if (google && !missing.empty()) {
    out << " (the administrator needs a role that reads them, and the service account's Cloud "
           "project the Admin SDK and License Manager APIs enabled)";
  }
  out << "\n";
  return report->ok() ? kExitOk : kExitFailed;
}

void AddSourceTestCommand(CLI::App& source, CommandContext* cli) {
  auto cmd = std::make_shared<SourceTestCommand>();
  CLI::App* c = source.add_subcommand(
      "test",
      "check a microsoft365 data source: its credentials (a token from the identity\n"
      "platform), then one small Graph request per endpoint vigil reads, naming each\n"
      "application permission the app registration lacks. Exit 0 when every required\n"
      "check passes (optional ones: sign-in activity, users delta, groups), 1 otherwise.\n"
      "A google_workspace data source: a token for the service account acting as the\n"
      "administrator (domain-wide delegation), then one small request each for users,\n"
      "roles, role assignments and licenses, naming each OAuth scope Google refuses.");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("ID", cmd->id, "the data source id (`vigil sources` lists them)")->required();
  c->footer(kSecretKeyFooter);
  OnRun(c, cmd, cli, RunSourceTest);
}

}  // namespace vigil
