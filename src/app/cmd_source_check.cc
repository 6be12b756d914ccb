// `vigil source test ID`: checks a microsoft365 data source's credentials
// and, one small request per endpoint of the Graph directory table, which
// permissions the app registration lacks (pipeline/source_check.h does the work;
// this prints it as it goes).
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
    out << "data source " << source->id << " \"" << source->name << "\": tenant " << r.tenant_id
        << ", app " << r.client_id << "\n";
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
  const std::vector<std::string>& missing = report->missing_permissions;
  for (size_t i = 0; i < missing.size(); ++i) {
    out << (i == 0 ? "; grant the app registration: " : ", ") << missing[i];
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
      "check passes (optional ones: sign-in activity, users delta, groups), 1 otherwise.");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("ID", cmd->id, "the data source id (`vigil sources` lists them)")->required();
  c->footer(kSecretKeyFooter);
  OnRun(c, cmd, cli, RunSourceTest);
}

}  // namespace vigil
