#include "context/rule_settings.h"

#include <memory>

namespace vigil {

RuleSetting SettingOf(const RuleSettings& settings, std::string_view type) {
  auto it = settings.find(type);
  return it == settings.end() ? RuleSetting{} : it->second;
}

Result<RuleSettings> LoadRuleSettings(Db* db, int64_t tenant_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT analysis_type, active_version, previous_version, candidate_version, 0"
                  " FROM rule_settings WHERE tenant_id = ?"
                  " UNION ALL SELECT analysis_type, 0, 0, 0, rule_version FROM analysis_ledger"
                  " WHERE tenant_id = ? AND last_complete_run_id IS NOT NULL"));
  stmt->BindInt(1, tenant_id);
  stmt->BindInt(2, tenant_id);
  RuleSettings settings;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    RuleSetting& s = settings[stmt->String(0)];
    if (stmt->Int(1) != 0) {
      s.active = static_cast<int>(stmt->Int(1));
      s.previous = stmt->IsNull(2) ? 0 : static_cast<int>(stmt->Int(2));
      s.candidate = stmt->IsNull(3) ? 0 : static_cast<int>(stmt->Int(3));
    } else {
      s.applied = static_cast<int>(stmt->Int(4));
    }
  }
  return settings;
}

}  // namespace vigil
