#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/alert_types.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/table.h"
#include "context/preferences.h"
#include "store/tenants.h"

namespace vigil {

int RunPrefs(const PrefsCommand& cmd, std::ostream& out, std::ostream& err) {
  // Validate every --set before anything is written.
  Preferences check;
  std::vector<std::pair<std::string, std::string>> updates;
  for (const std::string& assignment : cmd.set) {
    const size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      err << "vigil: --set " << assignment << ": expected KEY=VALUE\n";
      return kExitUsage;
    }
    std::string key = assignment.substr(0, eq);
    std::string value = assignment.substr(eq + 1);
    if (Status s = check.Set(key, value); !s.ok()) {
      err << "vigil: --set: " << s.message() << "\n";
      return kExitUsage;
    }
    if (key == "disabled_alert_types") {
      for (const std::string& type : check.disabled_alert_types) {
        if (FindAlertType(type) == nullptr) {
          err << "vigil: --set: disabled_alert_types: unknown alert type \"" << type << "\"\n";
          return kExitUsage;
        }
      }
    }
    updates.emplace_back(std::move(key), std::move(value));
  }
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::optional<TenantRow>> tenant = FindTenant(db.get(), cmd.tenant);
  if (!tenant.ok() || !tenant->has_value()) {
    err << "vigil: "
        << (tenant.ok() ? "no tenant named \"" + cmd.tenant + "\"" : tenant.status().message())
        << "\n";
    return kExitFailed;
  }
  const int64_t tenant_id = (*tenant)->id;
  {
    Transaction tx(db.get());
    Status s = tx.status();
    for (const auto& [key, value] : updates) {
      if (s.ok()) s = SetPreference(db.get(), tenant_id, key, value);
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      err << "vigil: " << s.message() << "\n";
      return kExitFailed;
    }
  }
  Result<std::vector<std::pair<std::string, std::string>>> stored =
      ListPreferences(db.get(), tenant_id);
  if (!stored.ok()) {
    err << "vigil: " << stored.status().message() << "\n";
    return kExitFailed;
  }
  Preferences effective;
  for (const auto& [key, value] : *stored) (void)effective.Set(key, value);
  auto is_stored = [&](const std::string& key) {
    for (const auto& entry : *stored) {
      if (entry.first == key) return true;
    }
    return false;
  };
  if (cmd.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : effective.Entries()) j[key] = value;
    out << nlohmann::json{{"tenant", cmd.tenant}, {"preferences", j}}.dump(2) << "\n";
    return kExitOk;
  }
  Table table({"PREFERENCE", "VALUE", "SOURCE"});
  for (const auto& [key, value] : effective.Entries()) {
    table.AddRow({key, value.empty() ? "-" : value, is_stored(key) ? "set" : "default"});
  }
  out << "preferences of " << cmd.tenant << " (applied from the next analysis on):\n"
      << table.Render();
  return kExitOk;
}

}  // namespace vigil
