#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/tenants.h"

namespace vigil {

int RunGenerate(const GenerateCommand& cmd, std::ostream& out, std::ostream& err) {
  if (Status s = ValidateTenantName(cmd.tenant); !s.ok()) {
    err << "vigil: --tenant: " << s.message() << "\n";
    return kExitUsage;
  }
  SyntheticOptions options;
  options.seed = cmd.seed;
  options.tenant_name = cmd.tenant;
  options.users = cmd.users;
  if (!cmd.now.empty()) {
    Result<TimeMs> now = ParseIso8601(cmd.now);
    if (!now.ok()) {
      err << "vigil: --now: " << now.status().message() << "\n";
      return kExitUsage;
    }
    options.now = *now;
  }
  Snapshot snapshot = GenerateTenant(options);
  if (Status s = WriteGraphDirectory(snapshot, cmd.out_dir); !s.ok()) {
    err << "vigil: " << s.message() << "\n";
    return kExitFailed;
  }
  out << "wrote tenant " << cmd.tenant << " (" << snapshot.users.size() << " users, "
      << snapshot.skus.size() << " SKUs, " << snapshot.role_assignments.size()
      << " role assignments, " << snapshot.policies.size() << " policies) to " << cmd.out_dir
      << " as of " << FormatIso8601(options.now) << "\n";
  return kExitOk;
}

void AddGenerateCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<GenerateCommand>();
  CLI::App* c = app.add_subcommand(
      "generate", "write a synthetic tenant as a directory of Microsoft Graph responses");
  c->add_option("--out", cmd->out_dir, "directory to write (created)")->required();
  c->add_option("--tenant", cmd->tenant, "tenant name")->capture_default_str();
  c->add_option("--users", cmd->users, "number of users")
      ->check(CLI::Range(1, 5000000))
      ->capture_default_str();
  c->add_option("--seed", cmd->seed, "random seed (same seed, same tenant)")
      ->capture_default_str();
  c->add_option("--now", cmd->now, "the generator's notion of today (ISO 8601)");
  OnRun(c, cmd, cli, RunGenerate);
}

}  // namespace vigil
