#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/alert_types.h"
#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "common/time.h"
#include "context/exclusions.h"
#include "context/preferences.h"
#include "store/tenants.h"

namespace vigil {
namespace {

// "from every alert type but privilege.*" or "from <type>".
std::string Covers(const std::string& alert_type) {
  return alert_type == kEveryAlertType ? "from every alert type but privilege.*"
                                       : "from " + alert_type;
}

// The exclusion --exclude KIND:VALUE asks for; on a usage error prints it and
// returns nullopt.
std::optional<ExclusionInput> ExclusionOrReport(const PrefsCommand& cmd, std::ostream& err) {
  const size_t colon = cmd.exclude.find(':');
  if (colon == std::string::npos) {
    err << "vigil: --exclude " << cmd.exclude
        << ": expected user:UPN, user:ID, group:ID or sku:PART\n";
    return std::nullopt;
  }
  ExclusionInput in;
  in.kind = cmd.exclude.substr(0, colon);
  in.value = cmd.exclude.substr(colon + 1);
  in.alert_type = cmd.type;
  in.reason = cmd.reason;
  in.added_by = cmd.by;
  if (in.added_by.empty()) {
    const char* user = std::getenv("USER");
    in.added_by = user != nullptr && *user != '\0' ? user : "cli";
  }
  if (Status s = ValidateExclusion(in, SubjectKindOfAlertType); !s.ok()) {
    err << "vigil: " << s.message() << "\n";
    return std::nullopt;
  }
  return in;
}

nlohmann::json ExclusionJson(const Exclusion& e) {
  return {{"id", e.id},           {"kind", e.kind},         {"value", e.value},
          {"alert_type", e.alert_type}, {"reason", e.reason}, {"added_by", e.added_by},
          {"added_at", FormatIso8601(e.added_at)}};
}

// The severity overrides and the exclusions, after the preferences table.
void PrintOverridesAndExclusions(const Preferences& prefs,
                                 const std::vector<Exclusion>& exclusions, std::ostream& out) {
  if (prefs.severity_overrides.empty()) {
    out << "\nseverity overrides: none\n";
  } else {
    Table overrides({"ALERT TYPE", "DEFAULT", "OVERRIDE"});
    for (const auto& [type, severity] : prefs.severity_overrides) {
      const AlertTypeInfo* info = FindAlertType(type);
      overrides.AddRow({type, info != nullptr ? std::string(SeverityName(info->severity)) : "?",
                        severity});
    }
    out << "\nseverity overrides:\n" << overrides.Render();
  }
  if (exclusions.empty()) {
    out << "\nexclusions: none\n";
    return;
  }
  Table table({"ID", "KIND", "VALUE", "ALERT TYPE", "ADDED BY", "ADDED AT", "REASON"});
  for (const Exclusion& e : exclusions) {
    table.AddRow({std::to_string(e.id), e.kind, e.value, e.alert_type, e.added_by,
                  FormatIso8601(e.added_at), e.reason});
  }
  out << "\nexclusions:\n" << table.Render();
}

}  // namespace

int RunPrefs(const PrefsCommand& cmd, std::ostream& out, std::ostream& err) {
  // Validate every --set and the --exclude before the database is opened.
  std::vector<std::pair<std::string, std::string>> updates;
  for (const std::string& assignment : cmd.set) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      err << "vigil: --set " << assignment << ": expected KEY=VALUE\n";
      return kExitUsage;
    }
    std::string key = assignment.substr(0, eq);
    std::string value = assignment.substr(eq + 1);
    if (Status s = ValidatePreference(key, value, IsAlertType); !s.ok()) {
      err << "vigil: --set: " << s.message() << "\n";
      return kExitUsage;
    }
    updates.emplace_back(std::move(key), std::move(value));
  }
  std::optional<ExclusionInput> exclusion;
  if (!cmd.exclude.empty()) {
    exclusion = ExclusionOrReport(cmd, err);
    if (!exclusion) return kExitUsage;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::optional<TenantRow>> tenant = FindTenant(db.get(), cmd.tenant);
  if (!tenant.ok() || !tenant->has_value()) {
    err << "vigil: "
        << (tenant.ok() ? "no tenant named \"" + cmd.tenant + "\"" : tenant.status().message())
        << "\n";
    return kExitFailed;
  }
  const int64_t tenant_id = (*tenant)->id;
  // Each change is its own transaction: the preferences, then the exclusion.
  if (Status s = UpdatePreferences(db.get(), tenant_id, updates, IsAlertType); !s.ok()) {
    // InvalidArgument: values that are impossible together (with the stored ones).
    const bool usage = s.code() == Code::kInvalidArgument;
    err << "vigil: " << (usage ? "--set: " : "") << s.message() << "\n";
    return usage ? kExitUsage : kExitFailed;
  }
  std::string done;  // what changed, for the human output
  if (exclusion) {
    Result<Exclusion> added =
        AddExclusion(db.get(), tenant_id, *exclusion, NewSystemClock()->NowMs(),
                     SubjectKindOfAlertType);
    if (!added.ok()) {
      err << "vigil: " << added.status().message() << "\n";
      return kExitFailed;
    }
    done = "added exclusion " + std::to_string(added->id) + ": " + ExclusionTarget(*added) + " " +
           Covers(added->alert_type) + "\n";
  }
  if (cmd.remove_exclusion > 0) {
    Result<Exclusion> removed = RemoveExclusion(db.get(), tenant_id, cmd.remove_exclusion);
    if (!removed.ok()) {
      err << "vigil: " << removed.status().message() << "\n";
      return kExitFailed;
    }
    done = "removed exclusion " + std::to_string(removed->id) + ": " +
           ExclusionTarget(*removed) + " " + Covers(removed->alert_type) + "\n";
  }
  Result<TenantPreferences> prefs = LoadTenantPreferences(db.get(), tenant_id);
  if (!prefs.ok()) {
    err << "vigil: " << prefs.status().message() << "\n";
    return kExitFailed;
  }
  Result<std::vector<Exclusion>> exclusions = ListExclusions(db.get(), tenant_id);
  if (!exclusions.ok()) {
    err << "vigil: " << exclusions.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : prefs->effective.Entries()) j[key] = value;
    nlohmann::json overrides = nlohmann::json::object();
    for (const auto& [type, severity] : prefs->effective.severity_overrides) {
      overrides[type] = severity;
    }
    nlohmann::json listed = nlohmann::json::array();
    for (const Exclusion& e : *exclusions) listed.push_back(ExclusionJson(e));
    out << nlohmann::json{{"tenant", cmd.tenant},
                          {"preferences", j},
                          {"severity_overrides", overrides},
                          {"exclusions", listed}}
               .dump(2)
        << "\n";
    return kExitOk;
  }
  Table table({"PREFERENCE", "VALUE", "SOURCE"});
  for (const auto& [key, value] : prefs->effective.Entries()) {
    table.AddRow({key, value.empty() ? "-" : value, prefs->stored.count(key) ? "set" : "default"});
  }
  out << done << "preferences of " << cmd.tenant << " (applied from the next analysis on):\n"
      << table.Render();
  PrintOverridesAndExclusions(prefs->effective, *exclusions, out);
  return kExitOk;
}

// The command line of `vigil prefs`.
void AddPrefsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<PrefsCommand>();
  CLI::App* c = app.add_subcommand(
      "prefs",
      "show a tenant's preferences (thresholds, alert types switched off, severity overrides)\n"
      "and exclusions, or change them");
  c->footer(
      "Exclusions: a user (by UPN or object id), the members of a group (by object id) or\n"
      "a SKU (by part number, its license.* alerts) that is not a finding, for one alert\n"
      "type (--type) or for all of them; never for privilege.* alerts. Excluded findings\n"
      "open no alert, and an open alert whose subject becomes excluded resolves at the\n"
      "next analysis with the reason \"excluded (exclusion N: <reason>)\". Changes apply\n"
      "from the next analysis on.");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name")->required();
  c->add_option("--set", cmd->set,
                "KEY=VALUE, repeatable: stale_days, min_global_admins, max_global_admins\n"
                "(min <= max), max_sync_age_hours, flap_threshold (0: off), flap_window\n"
                "(e.g. 6h), disabled_alert_types (comma-separated alert types),\n"
                "severity_overrides (ALERT_TYPE=SEVERITY,...: low, medium, high, critical)");
  CLI::Option* exclude =
      c->add_option("--exclude", cmd->exclude,
                    "exclude user:UPN, user:ID, group:ID or sku:PART (needs --reason)");
  c->add_option("--type", cmd->type,
                "with --exclude: the alert type excluded (default *: every type but\n"
                "privilege.*)")
      ->needs(exclude);
  c->add_option("--reason", cmd->reason, "with --exclude: why (required)")->needs(exclude);
  c->add_option("--by", cmd->by, "with --exclude: who adds it (default: $USER)")->needs(exclude);
  c->add_option("--remove-exclusion", cmd->remove_exclusion, "remove the exclusion with this id")
      ->check(CLI::PositiveNumber)
      ->excludes(exclude);
  c->add_flag("--json", cmd->json,
              "print the effective preferences, severity overrides and exclusions as JSON");
  OnRun(c, cmd, cli, RunPrefs);
}

}  // namespace vigil
