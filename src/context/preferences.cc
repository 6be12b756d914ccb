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

}  // namespace

Status Preferences::Set(std::string_view key, std::string_view value) {
  if (key == "stale_days") return ParseInt(key, value, 1, 3650, &stale_days);
  if (key == "min_global_admins") return ParseInt(key, value, 0, 1000, &min_global_admins);
  if (key == "max_global_admins") return ParseInt(key, value, 0, 1000, &max_global_admins);
  if (key == "max_sync_age_hours") return ParseInt(key, value, 1, 24 * 3650, &max_sync_age_hours);
  if (key == "flap_threshold") return ParseInt(key, value, 0, 1000, &flap_threshold);
  if (key == "flap_window") return ParseWindow(key, value, &flap_window_ms);
  if (key == "disabled_alert_types") {
    disabled_alert_types.clear();
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string_view::npos) comma = value.size();
      std::string_view item = value.substr(start, comma - start);
      if (!item.empty()) disabled_alert_types.insert(std::string(item));
      start = comma + 1;
    }
    return Status::Ok();
  }
  return Status::InvalidArgument(
      "unknown preference \"" + std::string(key) +
      "\" (known: stale_days, min_global_admins, "
      "max_global_admins, max_sync_age_hours, flap_threshold, flap_window, "
      "disabled_alert_types)");
}

std::vector<std::pair<std::string, std::string>> Preferences::Entries() const {
  std::string disabled;
  for (const std::string& type : disabled_alert_types) {
    if (!disabled.empty()) disabled += ",";
    disabled += type;
  }
  return {{"stale_days", std::to_string(stale_days)},
          {"min_global_admins", std::to_string(min_global_admins)},
          {"max_global_admins", std::to_string(max_global_admins)},
          {"max_sync_age_hours", std::to_string(max_sync_age_hours)},
          {"flap_threshold", std::to_string(flap_threshold)},
          {"flap_window", FormatDuration(flap_window_ms)},
          {"disabled_alert_types", disabled}};
}

Status ValidatePreference(std::string_view key, std::string_view value,
                          IsAlertTypeFn is_alert_type) {
  Preferences check;
  VIGIL_RETURN_IF_ERROR(check.Set(key, value));
  if (key == kDisabledAlertTypesPreference) {
    for (const std::string& type : check.disabled_alert_types) {
      if (!is_alert_type(type)) {
        return Status::InvalidArgument(std::string(kDisabledAlertTypesPreference) +
                                       ": unknown alert type \"" + type + "\"");
      }
    }
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

}  // namespace vigil
