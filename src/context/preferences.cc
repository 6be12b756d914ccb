#include "context/preferences.h"

#include <charconv>
#include <memory>

#include "common/duration.h"

namespace vigil {
namespace {

Status ParseInt(std::string_view key, std::string_view value, int min, int max, int* out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return Status::InvalidArgument("preference " + std::string(key) + ": \"" + std::string(value) +
                                   "\" is not a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  *out = v;
  return Status::Ok();
}

Status ParseWindow(std::string_view key, std::string_view value, int64_t* out) {
  Result<int64_t> ms = ParseDuration(value);
  if (!ms.ok()) {
    return Status::InvalidArgument("preference " + std::string(key) + ": \"" + std::string(value) +
                                   "\" is not a duration (e.g. 90m, 6h, 1d)");
  }
  *out = *ms;
  return Status::Ok();
}

// The severity names of analysis/finding.h, in order.
constexpr std::string_view kSeverityNames[] = {"low", "medium", "high", "critical"};

// Calls `item` with each non-empty item of the comma-separated `value`.
template <typename Fn>
Status ForEachItem(std::string_view value, Fn item) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view text = value.substr(start, comma - start);
    if (!text.empty()) VIGIL_RETURN_IF_ERROR(item(text));
    start = comma + 1;
  }
  return Status::Ok();
}

Status ParseOverrides(std::string_view key, std::string_view value,
                      std::map<std::string, std::string, std::less<>>* out) {
  std::map<std::string, std::string, std::less<>> overrides;
  const std::string named = "preference " + std::string(key) + ": ";
  VIGIL_RETURN_IF_ERROR(ForEachItem(value, [&](std::string_view item) {
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument(named + "\"" + std::string(item) +
                                     "\" is not ALERT_TYPE=SEVERITY");
    }
    const std::string type(item.substr(0, eq));
    const std::string_view severity = item.substr(eq + 1);
    bool known = false;
    for (std::string_view name : kSeverityNames) known = known || name == severity;
    if (!known) {
      return Status::InvalidArgument(named + "unknown severity \"" + std::string(severity) +
                                     "\" for " + type + " (known: low, medium, high, critical)");
    }
    if (!overrides.emplace(type, std::string(severity)).second) {
      return Status::InvalidArgument(named + type + " is given twice");
    }
    return Status::Ok();
  }));
  *out = std::move(overrides);
  return Status::Ok();
}

}  // namespace

bool Preferences::IsStale(TimeMs last_sync_at, TimeMs now) const {
  return now - last_sync_at > static_cast<TimeMs>(max_sync_age_hours) * 3600 * 1000;
}

Status Preferences::Set(std::string_view key, std::string_view value) {
  if (key == "stale_days") return ParseInt(key, value, 1, 3650, &stale_days);
  if (key == "min_global_admins") return ParseInt(key, value, 0, 1000, &min_global_admins);
  if (key == "max_global_admins") return ParseInt(key, value, 0, 1000, &max_global_admins);
  if (key == "max_sync_age_hours") return ParseInt(key, value, 1, 24 * 3650, &max_sync_age_hours);
  if (key == "flap_threshold") return ParseInt(key, value, 0, 1000, &flap_threshold);
  if (key == "flap_window") return ParseWindow(key, value, &flap_window_ms);
  if (key == kDisabledAlertTypesPreference) {
    disabled_alert_types.clear();
    return ForEachItem(value, [&](std::string_view item) {
      disabled_alert_types.insert(std::string(item));
      return Status::Ok();
    });
  }
  if (key == kSeverityOverridesPreference) return ParseOverrides(key, value, &severity_overrides);
  return Status::InvalidArgument(
      "unknown preference \"" + std::string(key) +
      "\" (known: stale_days, min_global_admins, "
      "max_global_admins, max_sync_age_hours, flap_threshold, flap_window, "
      "disabled_alert_types, severity_overrides)");
}

std::vector<std::pair<std::string, std::string>> Preferences::Entries() const {
  std::string disabled;
  for (const std::string& type : disabled_alert_types) {
    if (!disabled.empty()) disabled += ",";
    disabled += type;
  }
  std::string overrides;
  for (const auto& [type, severity] : severity_overrides) {
    if (!overrides.empty()) overrides += ",";
    overrides += type + "=" + severity;
  }
  return {{"stale_days", std::to_string(stale_days)},
          {"min_global_admins", std::to_string(min_global_admins)},
          {"max_global_admins", std::to_string(max_global_admins)},
          {"max_sync_age_hours", std::to_string(max_sync_age_hours)},
          {"flap_threshold", std::to_string(flap_threshold)},
          {"flap_window", FormatDuration(flap_window_ms)},
          {"disabled_alert_types", disabled},
          {std::string(kSeverityOverridesPreference), overrides}};
}

Status ValidatePreference(std::string_view key, std::string_view value,
                          IsAlertTypeFn is_alert_type) {
  Preferences check;
  VIGIL_RETURN_IF_ERROR(check.Set(key, value));
  auto check_type = [&](const std::string& type) {
    if (is_alert_type(type)) return Status::Ok();
    return Status::InvalidArgument(std::string(key) + ": unknown alert type \"" + type + "\"");
  };
  if (key == kDisabledAlertTypesPreference) {
    for (const std::string& type : check.disabled_alert_types) {
      VIGIL_RETURN_IF_ERROR(check_type(type));
    }
  }
  if (key == kSeverityOverridesPreference) {
    for (const auto& [type, severity] : check.severity_overrides) {
      VIGIL_RETURN_IF_ERROR(check_type(type));
    }
  }
  return Status::Ok();
}

Status CheckPreferenceCombination(const Preferences& prefs) {
  if (prefs.min_global_admins > prefs.max_global_admins) {
    return Status::InvalidArgument("min_global_admins (" + std::to_string(prefs.min_global_admins) +
                                   ") is greater than max_global_admins (" +
                                   std::to_string(prefs.max_global_admins) + ")");
  }
  return Status::Ok();
}

Status UpdatePreferences(Db* db, int64_t tenant_id,
                         const std::vector<std::pair<std::string, std::string>>& updates,
                         IsAlertTypeFn is_alert_type) {
  for (const auto& [key, value] : updates) {
    VIGIL_RETURN_IF_ERROR(ValidatePreference(key, value, is_alert_type));
  }
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  // The values the tenant will have: what is stored, overlaid by the updates.
  VIGIL_ASSIGN_OR_RETURN(TenantPreferences after, LoadTenantPreferences(db, tenant_id));
  for (const auto& [key, value] : updates) {
    VIGIL_RETURN_IF_ERROR(after.effective.Set(key, value));
  }
  VIGIL_RETURN_IF_ERROR(CheckPreferenceCombination(after.effective));
  for (const auto& [key, value] : updates) {
    VIGIL_RETURN_IF_ERROR(
        db->Execute("INSERT INTO tenant_preferences (tenant_id, key, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value",
                    {tenant_id, key, value}));
  }
  return tx.Commit();
}

Result<TenantPreferences> LoadTenantPreferences(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT key, value FROM tenant_preferences WHERE tenant_id = ? ORDER BY key"));
  stmt->BindInt(1, tenant_id);
  TenantPreferences prefs;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    // A stored value that no longer validates keeps the default;
    // UpdatePreferences checks on the way in, so this only happens across
    // versions.
    if (prefs.effective.Set(stmt->Text(0), stmt->Text(1)).ok()) {
      prefs.stored.insert(stmt->String(0));
    }
  }
  return prefs;
}

Result<std::map<int64_t, Preferences>> LoadPreferencesOfTenants(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare(std::string("SELECT tenant_id, key, value FROM tenant_preferences") +
                  (tenant_id != 0 ? " WHERE tenant_id = ?" : "") + " ORDER BY tenant_id, key"));
  if (tenant_id != 0) stmt->BindInt(1, tenant_id);
  std::map<int64_t, Preferences> prefs;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    // As LoadTenantPreferences: a value that no longer validates keeps the default.
    (void)prefs[stmt->Int(0)].Set(stmt->Text(1), stmt->Text(2));
  }
  return prefs;
}

}  // namespace vigil
