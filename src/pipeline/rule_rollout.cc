#include "pipeline/rule_rollout.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "analysis/alert_types.h"
#include "analysis/rule_versions.h"
#include "context/rule_settings.h"
#include "store/batch_insert.h"
#include "store/tenants.h"

namespace vigil {

Status CheckRolloutType(std::string_view type) {
  if (LatestRuleVersion(type) != 0) return Status::Ok();
  std::string known;
  for (const std::string& t : AnalysisTypes()) known += (known.empty() ? "" : ", ") + t;
  return Status::InvalidArgument("unknown analysis type \"" + std::string(type) +
                                 "\" (known: " + known + ")");
}

namespace {

struct Tenant {
  int64_t id = 0;
  std::string name;
};

Status CheckVersion(std::string_view type, int version) {
  VIGIL_RETURN_IF_ERROR(CheckRolloutType(type));
  const int latest = LatestRuleVersion(type);
  if (version >= 1 && version <= latest) return Status::Ok();
  return Status::InvalidArgument(std::string(type) + " has no version " +
                                 std::to_string(version) + " (versions 1-" +
                                 std::to_string(latest) + ")");
}

// The tenants `target` names, by name.
Result<std::vector<Tenant>> Targeted(Db* db, const RolloutTarget& target) {
  const int kinds = (target.tenants.empty() ? 0 : 1) + (target.percent ? 1 : 0) +
                    (target.all ? 1 : 0);
  if (kinds != 1) {
    return Status::InvalidArgument(
        "a rollout targets exactly one of: a list of tenants, a percentage, all tenants");
  }
  if (target.percent && (*target.percent < 1 || *target.percent > 100)) {
    return Status::InvalidArgument("percentage " + std::to_string(*target.percent) +
                                   " is not from 1 to 100");
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<TenantRow> rows, ListTenants(db));
  std::map<std::string, int64_t> by_name;
  for (const TenantRow& t : rows) by_name.emplace(t.name, t.id);
  std::vector<Tenant> out;
  if (!target.tenants.empty()) {
    std::string unknown;
    std::set<std::string> seen;
    for (const std::string& name : target.tenants) {
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        unknown += (unknown.empty() ? "\"" : ", \"") + name + "\"";
      } else if (seen.insert(name).second) {
        out.push_back({it->second, name});
      }
    }
    if (!unknown.empty()) return Status::NotFound("no tenant named " + unknown);
    return out;
  }
  for (const auto& [name, id] : by_name) {
    if (target.all || RolloutBucket(name) < *target.percent) out.push_back({id, name});
  }
  return out;
}

// The stored settings of `type`, by tenant id.
Result<std::map<int64_t, RuleSetting>> LoadSettings(Db* db, std::string_view type) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT tenant_id, active_version, previous_version, candidate_version"
                  " FROM rule_settings WHERE analysis_type = ?"));
  stmt->BindText(1, type);
  std::map<int64_t, RuleSetting> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    RuleSetting& s = out[stmt->Int(0)];
    s.active = static_cast<int>(stmt->Int(1));
    s.previous = stmt->IsNull(2) ? 0 : static_cast<int>(stmt->Int(2));
    s.candidate = stmt->IsNull(3) ? 0 : static_cast<int>(stmt->Int(3));
  }
  return out;
}

Status StoreSettings(Db* db, std::string_view type, const std::map<int64_t, RuleSetting>& changed,
                     TimeMs now, std::string_view by) {
  if (changed.empty()) return Status::Ok();
  BatchOptions options;
  options.rows_per_statement = 200;
  options.suffix =
      " ON CONFLICT (tenant_id, analysis_type) DO UPDATE SET"
      " active_version = excluded.active_version,"
      " previous_version = excluded.previous_version,"
      " candidate_version = excluded.candidate_version, updated_at = excluded.updated_at,"
      " updated_by = excluded.updated_by";
  BatchInsert upsert(db,
                     "INSERT INTO rule_settings (tenant_id, analysis_type, active_version,"
                     " previous_version, candidate_version, updated_at, updated_by)",
                     7, std::move(options));
  for (const auto& [tenant_id, s] : changed) {
    upsert.Int(tenant_id);
    upsert.TextRef(type);
    upsert.Int(s.active);
    if (s.previous == 0) {
      upsert.Null();
    } else {
      upsert.Int(s.previous);
    }
    if (s.candidate == 0) {
      upsert.Null();
    } else {
      upsert.Int(s.candidate);
    }
    upsert.Int(now);
    upsert.TextRef(by);
    VIGIL_RETURN_IF_ERROR(upsert.EndRow());
  }
  return upsert.Finish();
}

// Applies `change` to the setting of each of `tenants` (and `others`, for
// tenants not targeted), in one transaction. `change` returns whether it
// changed the setting.
template <typename Change, typename Other>
Result<RolloutChange> Apply(Db* db, const Clock& clock, std::string_view type,
                            const std::vector<Tenant>& tenants, std::string_view by,
                            Change change, Other other) {
  Transaction tx(db);
  VIGIL_RETURN_IF_ERROR(tx.status());
  VIGIL_ASSIGN_OR_RETURN(auto stored, LoadSettings(db, type));
  RolloutChange result;
  result.analysis_type = std::string(type);
  std::map<int64_t, RuleSetting> changed;
  std::set<int64_t> targeted;
  for (const Tenant& t : tenants) {
    targeted.insert(t.id);
    auto it = stored.find(t.id);
    RuleSetting s = it == stored.end() ? RuleSetting{} : it->second;
    if (change(&s)) {
      changed[t.id] = s;
      result.changed.push_back(t.name);
    } else {
      result.unchanged.push_back(t.name);
    }
  }
  std::vector<int64_t> others;
  for (auto& [tenant_id, s] : stored) {
    if (targeted.count(tenant_id) == 0 && other(&s)) {
      changed[tenant_id] = s;
      others.push_back(tenant_id);
    }
  }
  if (!others.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<TenantRow> rows, ListTenants(db));
    for (const TenantRow& t : rows) {
      if (std::find(others.begin(), others.end(), t.id) != others.end()) {
        result.cleared.push_back(t.name);
      }
    }
  }
  VIGIL_RETURN_IF_ERROR(StoreSettings(db, type, changed, clock.NowMs(), by));
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return result;
}

}  // namespace

int RolloutBucket(std::string_view tenant_name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : tenant_name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % 100);
}

Result<RolloutChange> SetCandidate(Db* db, const Clock& clock, std::string_view analysis_type,
                                   int version, const RolloutTarget& target, std::string_view by) {
  if (version == 0) {
    VIGIL_RETURN_IF_ERROR(CheckRolloutType(analysis_type));
  } else {
    VIGIL_RETURN_IF_ERROR(CheckVersion(analysis_type, version));
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, Targeted(db, target));
  // A tenant already at `version` has nothing to compare it with.
  auto set = [version](RuleSetting* s) {
    const int candidate = s->active == version ? 0 : version;
    if (s->candidate == candidate) return false;
    s->candidate = candidate;
    return true;
  };
  auto clear_others = [version](RuleSetting* s) {
    if (version == 0 || s->candidate != version) return false;
    s->candidate = 0;
    return true;
  };
  return Apply(db, clock, analysis_type, tenants, by, set, clear_others);
}

Result<RolloutChange> Promote(Db* db, const Clock& clock, std::string_view analysis_type,
                              int version, const RolloutTarget& target, std::string_view by) {
  VIGIL_RETURN_IF_ERROR(CheckVersion(analysis_type, version));
  VIGIL_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, Targeted(db, target));
  auto promote = [version](RuleSetting* s) {
    if (s->active == version) return false;
    s->previous = s->active;
    s->active = version;
    if (s->candidate == version) s->candidate = 0;
    return true;
  };
  return Apply(db, clock, analysis_type, tenants, by, promote, [](RuleSetting*) { return false; });
}

Result<RolloutChange> Rollback(Db* db, const Clock& clock, std::string_view analysis_type,
                               const std::vector<std::string>& names, std::string_view by) {
  VIGIL_RETURN_IF_ERROR(CheckRolloutType(analysis_type));
  RolloutTarget target;
  target.tenants = names;
  target.all = names.empty();
  VIGIL_ASSIGN_OR_RETURN(std::vector<Tenant> tenants, Targeted(db, target));
  auto rollback = [](RuleSetting* s) {
    if (s->previous == 0) return false;
    s->active = s->previous;
    s->previous = 0;
    return true;
  };
  Result<RolloutChange> change =
      Apply(db, clock, analysis_type, tenants, by, rollback, [](RuleSetting*) { return false; });
  // Rolling back "everything" reports only the tenants it rolled back.
  if (change.ok() && names.empty()) change->unchanged.clear();
  return change;
}

Result<RolloutStatus> LoadRolloutStatus(Db* db) {
  RolloutStatus status;
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> tenants,
                         db->QueryInt("SELECT COUNT(*) FROM tenants", {}));
  status.tenants = static_cast<int>(tenants.value_or(0));
  std::map<std::string, std::map<int, int>> active, applied;
  std::map<std::string, int> candidates, non_default;
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> settings,
      db->Prepare("SELECT t.name, r.analysis_type, r.active_version, r.previous_version,"
                  " r.candidate_version, r.updated_at, r.updated_by FROM rule_settings r"
                  " JOIN tenants t ON t.id = r.tenant_id ORDER BY t.name, r.analysis_type"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, settings->Step());
    if (!row) break;
    RolloutSettingRow r;
    r.tenant = settings->String(0);
    r.analysis_type = settings->String(1);
    r.active = static_cast<int>(settings->Int(2));
    r.previous = settings->IsNull(3) ? 0 : static_cast<int>(settings->Int(3));
    r.candidate = settings->IsNull(4) ? 0 : static_cast<int>(settings->Int(4));
    r.updated_at = settings->Int(5);
    r.updated_by = settings->String(6);
    ++active[r.analysis_type][r.active];
    ++non_default[r.analysis_type];
    if (r.candidate != 0) ++candidates[r.analysis_type];
    if (r.active != 1 || r.candidate != 0 || r.previous != 0) {
      status.settings.push_back(std::move(r));
    }
  }
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> ledger,
      db->Prepare("SELECT analysis_type, rule_version, COUNT(*) FROM analysis_ledger"
                  " WHERE last_complete_run_id IS NOT NULL GROUP BY analysis_type, rule_version"));
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, ledger->Step());
    if (!row) break;
    applied[ledger->String(0)][static_cast<int>(ledger->Int(1))] +=
        static_cast<int>(ledger->Int(2));
  }
  for (const std::string& type : AnalysisTypes()) {
    RolloutTypeSummary t;
    t.analysis_type = type;
    t.latest = LatestRuleVersion(type);
    std::map<int, int> versions = active[type];
    versions[1] += status.tenants - non_default[type];  // tenants without a row run version 1
    for (const auto& [v, n] : versions) {
      if (n > 0) t.active.emplace_back(v, n);
    }
    t.candidates = candidates[type];
    for (const auto& [v, n] : applied[type]) t.applied.emplace_back(v, n);
    status.types.push_back(std::move(t));
  }
  return status;
}

}  // namespace vigil
