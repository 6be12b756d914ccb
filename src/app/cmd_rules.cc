// `vigil rules`: every analysis type, its rule versions and what each one
// changed. A tenant runs version 1 of every type until `vigil rollout`
// promotes another (cmd_rollout.cc).
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "analysis/alert_types.h"
#include "analysis/rule_versions.h"
#include "app/cli_commands.h"
#include "app/commands.h"

namespace vigil {

int RunRules(const RulesCommand& cmd, std::ostream& out, std::ostream& /*err*/) {
  nlohmann::json json = nlohmann::json::array();
  for (const std::string& type : AnalysisTypes()) {
    nlohmann::json versions = nlohmann::json::array();
    if (!cmd.json) out << type << "\n";
    for (const RuleVersion& r : AllRuleVersions()) {
      if (r.analysis_type != type) continue;
      const bool is_default = r.version == 1;
      versions.push_back(
          {{"version", r.version}, {"default", is_default}, {"changes", std::string(r.changes)}});
      if (!cmd.json) {
        out << "  v" << r.version << (is_default ? " (default)" : "") << ": " << r.changes << "\n";
      }
    }
    json.push_back({{"type", type}, {"latest", LatestRuleVersion(type)}, {"versions", versions}});
  }
  if (cmd.json) out << json.dump(2) << "\n";
  return kExitOk;
}

void AddRulesCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<RulesCommand>();
  CLI::App* c = app.add_subcommand(
      "rules",
      "list the analysis types and their rule versions: what each version changed, and\n"
      "which one every tenant runs by default (version 1)");
  c->add_flag("--json", cmd->json,
              "print [{type, latest, versions: [{version, default, changes}]}]");
  OnRun(c, cmd, cli, RunRules);
}

}  // namespace vigil
