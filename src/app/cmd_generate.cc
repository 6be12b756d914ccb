#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "pipeline/source_add.h"
#include "providers/google_synthetic.h"
#include "providers/google_writer.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/tenants.h"

namespace vigil {
namespace {

int GenerateMicrosoft365(const GenerateCommand& cmd, TimeMs now, std::ostream& out,
                         std::ostream& err) {
  SyntheticOptions options;
  options.seed = cmd.seed;
  options.tenant_name = cmd.tenant;
  options.users = cmd.users;
  options.now = now;
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

int GenerateGoogleWorkspace(const GenerateCommand& cmd, TimeMs now, std::ostream& out,
                            std::ostream& err) {
  GoogleSyntheticOptions options;
  options.seed = cmd.seed;
  options.tenant_name = cmd.tenant;
  options.users = cmd.users;
  options.now = now;
  if (!cmd.same_people_as_tenant.empty()) {
    if (Status s = ValidateTenantName(cmd.same_people_as_tenant); !s.ok()) {
      err << "vigil: --same-people-as-tenant: " << s.message() << "\n";
      return kExitUsage;
    }
    SyntheticOptions m365;
    m365.tenant_name = cmd.same_people_as_tenant;
    m365.users = cmd.same_people_users;
    m365.seed = cmd.same_people_seed;
    m365.now = now;
    options.same_people_as = m365;
    options.shared_people = cmd.shared_people >= 0 ? cmd.shared_people : cmd.users / 2;
  }
  const GoogleTenant tenant = GenerateGoogleTenant(options);
  if (Status s = WriteGoogleDirectory(tenant, cmd.out_dir); !s.ok()) {
    err << "vigil: " << s.message() << "\n";
    return kExitFailed;
  }
  out << "wrote Google Workspace tenant " << cmd.tenant << " (" << tenant.users.size() << " users, "
      << tenant.roles.size() << " roles, " << tenant.role_assignments.size()
      << " role assignments, " << tenant.licenses.size() << " license assignments";
  if (options.same_people_as) {
    out << ", " << tenant.shared_people << " people shared with Microsoft 365 tenant "
        << cmd.same_people_as_tenant;
  }
  out << ") to " << cmd.out_dir << " as of " << FormatIso8601(options.now) << "\n";
  return kExitOk;
}

}  // namespace

int RunGenerate(const GenerateCommand& cmd, std::ostream& out, std::ostream& err) {
  if (Status s = ValidateTenantName(cmd.tenant); !s.ok()) {
    err << "vigil: --tenant: " << s.message() << "\n";
    return kExitUsage;
  }
  const bool google = cmd.provider == kGoogleWorkspaceProvider;
  if (!google && cmd.provider != kMicrosoft365Provider) {
    err << "vigil: --provider: unknown provider \"" << cmd.provider
        << "\" (known: microsoft365, google_workspace)\n";
    return kExitUsage;
  }
  if (!google && (!cmd.same_people_as_tenant.empty() || cmd.shared_people >= 0)) {
    err << "vigil: --same-people-as-tenant and --shared-people are for --provider "
           "google_workspace\n";
    return kExitUsage;
  }
  if (cmd.shared_people >= 0 && cmd.same_people_as_tenant.empty()) {
    err << "vigil: --shared-people needs --same-people-as-tenant\n";
    return kExitUsage;
  }
  TimeMs now = kSyntheticDefaultNow;
  if (!cmd.now.empty()) {
    Result<TimeMs> parsed = ParseIso8601(cmd.now);
    if (!parsed.ok()) {
      err << "vigil: --now: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    now = *parsed;
  }
  return google ? GenerateGoogleWorkspace(cmd, now, out, err)
                : GenerateMicrosoft365(cmd, now, out, err);
}

void AddGenerateCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<GenerateCommand>();
  CLI::App* c = app.add_subcommand(
      "generate",
      "write a synthetic tenant as a directory of Microsoft Graph responses (graph_json),\n"
      "or of Google Workspace Admin SDK answers (google_json) with --provider\n"
      "google_workspace");
  c->add_option("--out", cmd->out_dir, "directory to write (created)")->required();
  c->add_option("--provider", cmd->provider, "microsoft365 or google_workspace")
      ->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name")->capture_default_str();
  c->add_option("--users", cmd->users, "number of users")
      ->check(CLI::Range(1, 5000000))
      ->capture_default_str();
  c->add_option("--seed", cmd->seed, "random seed (same seed, same tenant)")->capture_default_str();
  c->add_option("--now", cmd->now, "the generator's notion of today (ISO 8601)");
  c->add_option("--same-people-as-tenant", cmd->same_people_as_tenant,
                "google_workspace: some users are people of the Microsoft 365 tenant that\n"
                "`vigil generate --tenant NAME` makes (same --now): they take its users'\n"
                "addresses as primary emails, so a tenant with both sources links them");
  c->add_option("--same-people-users", cmd->same_people_users,
                "google_workspace: the --users that Microsoft 365 tenant was generated with")
      ->check(CLI::Range(1, 5000000))
      ->capture_default_str();
  c->add_option("--same-people-seed", cmd->same_people_seed,
                "google_workspace: the --seed that Microsoft 365 tenant was generated with")
      ->capture_default_str();
  c->add_option("--shared-people", cmd->shared_people,
                "google_workspace: how many users are people of that tenant (default: half\n"
                "of --users; at most its enabled members)")
      ->check(CLI::Range(0, 5000000));
  OnRun(c, cmd, cli, RunGenerate);
}

}  // namespace vigil
