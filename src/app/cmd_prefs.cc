#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/alert_types.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/cli_commands.h"
#include "app/table.h"
#include "context/preferences.h"
#include "store/tenants.h"

namespace vigil {

int RunPrefs(const PrefsCommand& cmd, std::ostream& out, std::ostream& err) {
  // Validate every --set before the database is opened.
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
  if (Status s = UpdatePreferences(db.get(), tenant_id, updates, IsAlertType); !s.ok()) {
    err << "vigil: " << s.message() << "\n";
    return kExitFailed;
  }
  Result<TenantPreferences> prefs = LoadTenantPreferences(db.get(), tenant_id);
  if (!prefs.ok()) {
    err << "vigil: " << prefs.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : prefs->effective.Entries()) j[key] = value;
    out << nlohmann::json{{"tenant", cmd.tenant}, {"preferences", j}}.dump(2) << "\n";
    return kExitOk;
  }
  Table table({"PREFERENCE", "VALUE", "SOURCE"});
  for (const auto& [key, value] : prefs->effective.Entries()) {
    table.AddRow({key, value.empty() ? "-" : value, prefs->stored.count(key) ? "set" : "default"});
  }
  out << "preferences of " << cmd.tenant << " (applied from the next analysis on):\n"
      << table.Render();
  return kExitOk;
}

// The command line of `vigil prefs`.
void AddPrefsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<PrefsCommand>();
  CLI::App* c = app.add_subcommand(
      "prefs", "show a tenant's preferences (thresholds, alert types switched off), or set them");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name")->required();
  c->add_option("--set", cmd->set,
                "KEY=VALUE, repeatable: stale_days, min_global_admins, max_global_admins,\n"
                "max_sync_age_hours, flap_threshold (0: off), flap_window (e.g. 6h),\n"
                "disabled_alert_types (comma-separated alert types)");
  c->add_flag("--json", cmd->json, "print the effective preferences as JSON");
  OnRun(c, cmd, cli, RunPrefs);
}

}  // namespace vigil
