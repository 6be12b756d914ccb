#include "alerts/tenant_preferences.h"

#include "analysis/alert_types.h"
#include "store/tenants.h"

namespace vigil {

Status ValidatePreference(std::string_view key, std::string_view value) {
  Preferences check;
  VIGIL_RETURN_IF_ERROR(check.Set(key, value));
  if (key == kDisabledAlertTypesPreference) {
    for (const std::string& type : check.disabled_alert_types) {
      if (FindAlertType(type) == nullptr) {
        return Status::InvalidArgument(std::string(kDisabledAlertTypesPreference) +
                                       ": unknown alert type \"" + type + "\"");
      }
    }
  }
  return Status::Ok();
}

Status UpdatePreferences(Db* db, int64_t tenant_id,
                         const std::vector<std::pair<std::string, std::string>>& updates) {
  for (const auto& [key, value] : updates) VIGIL_RETURN_IF_ERROR(ValidatePreference(key, value));
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  for (const auto& [key, value] : updates) {
    VIGIL_RETURN_IF_ERROR(SetPreference(db, tenant_id, key, value));
  }
  return tx.Commit();
}

Result<TenantPreferences> LoadTenantPreferences(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(auto stored, ListPreferences(db, tenant_id));
  TenantPreferences prefs;
  for (const auto& [key, value] : stored) {
    if (prefs.effective.Set(key, value).ok()) prefs.stored.insert(key);
  }
  return prefs;
}

}  // namespace vigil
