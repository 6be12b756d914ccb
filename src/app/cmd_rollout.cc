// `vigil rollout set|diff|promote|rollback|status`: per tenant, which rule
// version of an analysis type is active and which runs in shadow
// (pipeline/rule_rollout.h), and what the shadow runs would change
// (alerts/shadow_reconcile.h). Changes take effect at each tenant's next
// analysis.
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "analysis/alert_types.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "common/clock.h"
#include "pipeline/rollout_json.h"
#include "pipeline/rule_rollout.h"
#include "store/tenants.h"

namespace vigil {
namespace {

std::string Who(const RolloutCommand& cmd) {
  if (!cmd.by.empty()) return cmd.by;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

RolloutTarget TargetOf(const RolloutCommand& cmd) {
  RolloutTarget target;
  target.tenants = cmd.tenants;
  if (cmd.percent != 0) target.percent = cmd.percent;
  target.all = cmd.all;
  return target;
}

std::string Versions(const std::vector<std::pair<int, int>>& counts) {
  if (counts.empty()) return "-";
  std::string out;
  for (const auto& [version, tenants] : counts) {
    out += (out.empty() ? "v" : ", v") + std::to_string(version) + " x" + std::to_string(tenants);
  }
  return out;
}

std::string List(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int PrintChange(const RolloutCommand& cmd, const Result<RolloutChange>& change, std::ostream& out,
                std::ostream& err, const std::string& what) {
  if (!change.ok()) {
    err << "vigil: rollout " << cmd.action << ": " << change.status().message() << "\n";
    return change.status().code() == Code::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  if (cmd.json) {
    out << RolloutChangeJson(*change).dump(2) << "\n";
    return kExitOk;
  }
  out << what << " for " << change->changed.size() << " tenant(s)";
  if (!change->changed.empty()) out << ": " << List(change->changed);
  out << "\n";
  if (!change->unchanged.empty()) {
    out << "already so: " << change->unchanged.size() << " tenant(s): " << List(change->unchanged)
        << "\n";
  }
  if (!change->cleared.empty()) {
    out << "candidate removed (not targeted): " << change->cleared.size()
        << " tenant(s): " << List(change->cleared) << "\n";
  }
  out << "takes effect at each tenant's next analysis\n";
  return kExitOk;
}

int RunStatus(Db* db, const RolloutCommand& cmd, std::ostream& out, std::ostream& err) {
  Result<RolloutStatus> status = LoadRolloutStatus(db);
  if (!status.ok()) {
    err << "vigil: rollout status: " << status.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    out << RolloutStatusJson(*status).dump(2) << "\n";
    return kExitOk;
  }
  out << status->tenants << " tenant(s)\n";
  Table types({"TYPE", "LATEST", "ACTIVE", "CANDIDATES", "APPLIED"});
  for (const RolloutTypeSummary& t : status->types) {
    types.AddRow({t.analysis_type, "v" + std::to_string(t.latest), Versions(t.active),
                  std::to_string(t.candidates), Versions(t.applied)});
  }
  out << types.Render();
  if (status->settings.empty()) return kExitOk;
  Table settings({"TENANT", "TYPE", "ACTIVE", "PREVIOUS", "CANDIDATE", "BY"});
  auto v = [](int version) { return version == 0 ? std::string("-") : "v" + std::to_string(version); };
  for (const RolloutSettingRow& r : status->settings) {
    settings.AddRow({r.tenant, r.analysis_type, v(r.active), v(r.previous), v(r.candidate),
                     r.updated_by});
  }
  out << "\n" << settings.Render();
  return kExitOk;
}

int RunDiff(Db* db, const RolloutCommand& cmd, std::ostream& out, std::ostream& err) {
  if (Status s = CheckRolloutType(cmd.type); !s.ok()) {
    err << "vigil: rollout diff: " << s.message() << "\n";
    return kExitUsage;
  }
  int64_t tenant_id = 0;
  if (!cmd.tenant.empty()) {
    Result<std::optional<TenantRow>> tenant = FindTenant(db, cmd.tenant);
    if (!tenant.ok() || !tenant->has_value()) {
      err << "vigil: rollout diff: "
          << (tenant.ok() ? "no tenant named \"" + cmd.tenant + "\"" : tenant.status().message())
          << "\n";
      return kExitFailed;
    }
    tenant_id = (*tenant)->id;
  }
  Result<std::vector<StoredShadowRun>> runs = LoadShadowRuns(db, cmd.type, tenant_id);
  if (!runs.ok()) {
    err << "vigil: rollout diff: " << runs.status().message() << "\n";
    return kExitFailed;
  }
  const nlohmann::ordered_json json = ShadowDiffJson(cmd.type, *runs);
  if (cmd.json) {
    out << json.dump(2) << "\n";
    return kExitOk;
  }
  if (runs->empty()) {
    out << "no shadow runs of " << cmd.type
        << " yet: set a candidate (vigil rollout set), then let the tenants be analyzed\n";
    return kExitOk;
  }
  Table table({"TENANT", "VERSIONS", "STATUS", "WOULD OPEN", "WOULD RESOLVE", "SEVERITY",
               "UNCHANGED"});
  for (const StoredShadowRun& s : *runs) {
    const ShadowRun& r = s.run;
    table.AddRow({s.tenant,
                  "v" + std::to_string(r.active_version) + " -> v" +
                      std::to_string(r.candidate_version),
                  r.reason.empty() ? r.status : r.status + ": " + r.reason,
                  std::to_string(r.diff.would_open), std::to_string(r.diff.would_resolve),
                  std::to_string(r.diff.would_change_severity), std::to_string(r.diff.unchanged)});
  }
  out << table.Render();
  const auto& totals = json["totals"];
  out << "in all: would open " << totals["would_open"].get<int>() << ", would resolve "
      << totals["would_resolve"].get<int>() << ", would change severity "
      << totals["would_change_severity"].get<int>() << "\n";
  for (const StoredShadowRun& s : *runs) {
    for (const DiffExample& e : s.run.diff.examples) {
      out << "  " << s.tenant << ": " << e.change << " " << e.alert_type << " " << e.subject_name
          << " (" << (e.from_severity.empty() ? "" : e.from_severity + " -> ") << e.severity
          << ")\n";
    }
  }
  return kExitOk;
}

}  // namespace

int RunRollout(const RolloutCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  if (cmd.action == "status") return RunStatus(db.get(), cmd, out, err);
  if (cmd.action == "diff") return RunDiff(db.get(), cmd, out, err);
  std::unique_ptr<Clock> clock = NewSystemClock();
  if (cmd.action == "set") {
    int version = 0;
    if (cmd.candidate != "none") {
      try {
        size_t used = 0;
        version = std::stoi(cmd.candidate, &used);
        if (used != cmd.candidate.size() || version < 1) throw std::invalid_argument("");
      } catch (const std::exception&) {
        err << "vigil: rollout set: --candidate \"" << cmd.candidate
            << "\" is not a version number or \"none\"\n";
        return kExitUsage;
      }
    }
    return PrintChange(cmd,
                       SetCandidate(db.get(), *clock, cmd.type, version, TargetOf(cmd), Who(cmd)),
                       out, err,
                       version == 0 ? "candidate of " + cmd.type + " cleared"
                                    : cmd.type + " v" + cmd.candidate + " runs in shadow");
  }
  if (cmd.action == "promote") {
    return PrintChange(
        cmd, Promote(db.get(), *clock, cmd.type, cmd.version, TargetOf(cmd), Who(cmd)), out, err,
        cmd.type + " v" + std::to_string(cmd.version) + " is active");
  }
  return PrintChange(cmd, Rollback(db.get(), *clock, cmd.type, cmd.tenants, Who(cmd)), out, err,
                     cmd.type + " rolled back to its previous version");
}

void AddRolloutCommand(CLI::App& app, CommandContext* cli) {
  CLI::App* rollout = app.add_subcommand(
      "rollout",
      "roll a rule version out safely: run a candidate in shadow beside the active version\n"
      "(it changes no alert and notifies no one), read what it would change, promote it\n"
      "for some tenants or all, and roll it back in one command");
  rollout->require_subcommand(1);
  rollout->footer(
      "A percentage takes the tenants whose stable bucket (a hash of the name, 0-99) is\n"
      "below it: the same tenants every time, and 10% is a subset of 20%. Changes take\n"
      "effect at each tenant's next analysis; alerts the change of version opens or\n"
      "resolves say \"rule_changed (vA -> vB)\" in their history. `vigil rules` lists the\n"
      "versions.");
  auto add = [&](const char* name, const char* help) {
    auto cmd = std::make_shared<RolloutCommand>();
    cmd->action = name;
    CLI::App* c = rollout->add_subcommand(name, help);
    c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
    c->add_flag("--json", cmd->json, "print the result as JSON");
    OnRun(c, cmd, cli, RunRollout);
    return std::make_pair(c, cmd);
  };
  auto targets = [](CLI::App* c, RolloutCommand* cmd, bool with_all) {
    CLI::Option* tenants =
        c->add_option("--tenants", cmd->tenants, "these tenants (comma-separated names)")
            ->delimiter(',');
    CLI::Option* percent =
        c->add_option("--percent", cmd->percent, "the tenants of the lowest P buckets (1-100)")
            ->check(CLI::Range(1, 100));
    tenants->excludes(percent);
    if (with_all) {
      CLI::Option* all = c->add_flag("--all", cmd->all, "every tenant");
      all->excludes(tenants)->excludes(percent);
    }
  };
  {
    auto [c, cmd] = add("set", "run version V of a type in shadow for some tenants");
    c->add_option("--type", cmd->type, "analysis type (mfa, license, stale, ...)")->required();
    c->add_option("--candidate", cmd->candidate, "the version to run in shadow, or \"none\"")
        ->required();
    targets(c, cmd.get(), true);
    c->add_option("--by", cmd->by, "who makes the change (default: $USER)");
  }
  {
    auto [c, cmd] = add("diff", "what the candidates would change: would open, would resolve,\n"
                                "would change severity, with examples, per tenant");
    c->add_option("--type", cmd->type, "analysis type")->required();
    c->add_option("--tenant", cmd->tenant, "one tenant only");
  }
  {
    auto [c, cmd] = add("promote", "make version V the active one for some tenants or all");
    c->add_option("--type", cmd->type, "analysis type")->required();
    c->add_option("--version", cmd->version, "the version to activate")->required();
    targets(c, cmd.get(), true);
    c->add_option("--by", cmd->by, "who makes the change (default: $USER)");
  }
  {
    auto [c, cmd] = add("rollback", "return to the version before the last promotion");
    c->add_option("--type", cmd->type, "analysis type")->required();
    c->add_option("--tenants", cmd->tenants,
                  "these tenants (comma-separated; default: every promoted tenant)")
        ->delimiter(',');
    c->add_option("--by", cmd->by, "who makes the change (default: $USER)");
  }
  add("status", "which version each type runs, per tenant, and what alerts were last\n"
                "reconciled from");
}

}  // namespace vigil
