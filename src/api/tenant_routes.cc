// Tenants and their preferences:
//
//   GET  /api/v1/tenants                       {"items": [tenant...]}: every tenant for an
//                                              admin token, its own for a tenant token
//   POST /api/v1/tenants               admin   {"name": "..."} -> 201 the tenant (200 when it
//                                              existed); 400 for a bad name or unknown field
//   GET  /api/v1/tenants/{tenant}              the tenant ({tenant} is its name)
//   GET  /api/v1/tenants/{tenant}/preferences  every preference with its effective value
//   PUT  /api/v1/tenants/{tenant}/preferences  a partial object of preferences; all are
//                                              checked before any is stored, then stored in
//                                              one transaction; answers as GET does
//
// A tenant: {"id", "name", "created_at", "data_sources": n,
//            "open_alerts": {"total", "critical", "high", "medium", "low"}}
// computed with one statement per figure for the whole list, not per tenant.
//
// Preferences (GET, and the answer to PUT): every preference with its
// effective value, {"stale_days": 90, "min_global_admins": 2, ...,
// "disabled_alert_types": ["stale.guest"], "severity_overrides":
// {"stale.user": "high"}}: numbers are JSON numbers, disabled_alert_types an
// array of alert types, severity_overrides an object of alert type to
// severity. A PUT body has the same shape with only the keys to change; an
// unknown key, a value of the wrong type, out of range or naming an unknown
// alert type or severity answers 400 naming the key and the value, values
// impossible together with the stored ones (min_global_admins above
// max_global_admins) answer 400 naming both, and nothing is stored.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/alert_store.h"
#include "analysis/alert_types.h"
#include "analysis/finding.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/scope.h"
#include "common/time.h"
#include "context/preferences.h"
#include "store/tenants.h"

namespace vigil {
namespace {

constexpr Severity kSeverities[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                                    Severity::kLow};

// The tenant objects of tenant `tenant_id` (of every tenant when it is 0), by
// id: three statements, whatever the number of tenants.
Result<std::vector<nlohmann::json>> TenantObjects(Db* db, int64_t tenant_id) {
  std::vector<TenantRow> rows;
  if (tenant_id != 0) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> one, GetTenant(db, tenant_id));
    if (one) rows.push_back(std::move(*one));
  } else {
    VIGIL_ASSIGN_OR_RETURN(rows, ListTenants(db));
  }
  VIGIL_ASSIGN_OR_RETURN(auto sources, CountDataSources(db, tenant_id));
  VIGIL_ASSIGN_OR_RETURN(auto open_alerts, CountOpenAlertsByTenant(db, tenant_id));
  std::vector<nlohmann::json> tenants;
  for (const TenantRow& row : rows) {
    nlohmann::json open = {{"total", 0}};
    int64_t total = 0;
    for (Severity s : kSeverities) {
      const std::string name(SeverityName(s));
      int64_t count = 0;
      if (auto it = open_alerts.find(row.id); it != open_alerts.end()) {
        if (auto c = it->second.find(name); c != it->second.end()) count = c->second;
      }
      open[name] = count;
      total += count;
    }
    open["total"] = total;
    auto count = sources.find(row.id);
    tenants.push_back({{"id", row.id},
                       {"name", row.name},
                       {"created_at", FormatIso8601(row.created_at)},
                       {"data_sources", count == sources.end() ? 0 : count->second},
                       {"open_alerts", open}});
  }
  return tenants;
}

// The response with the object of tenant `tenant_id`, with `status`.
ApiResponse TenantResponse(Db* db, int64_t tenant_id, int status) {
  Result<std::vector<nlohmann::json>> tenants = TenantObjects(db, tenant_id);
  if (!tenants.ok()) return ErrorFromStatus(tenants.status());
  if (tenants->empty()) return ErrorResponse(500, api_error::kInternal, "tenant vanished");
  return JsonResponse(status, tenants->front());
}

ApiResponse ListTenantsRoute(const ApiRequest&, RouteCall& call) {
  const int64_t only = call.principal->admin() ? 0 : *call.principal->tenant_id;
  Result<std::vector<nlohmann::json>> tenants = TenantObjects(call.db, only);
  if (!tenants.ok()) return ErrorFromStatus(tenants.status());
  return JsonResponse(200, {{"items", *tenants}});
}

ApiResponse CreateTenant(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) {
    return *error;
  }
  if (Status s = CheckKnownFields(body, {"name"}); !s.ok()) return ErrorFromStatus(s);
  Result<std::string> name = RequiredStringField(body, "name");
  if (!name.ok()) return ErrorFromStatus(name.status());
  if (Status s = ValidateTenantName(*name); !s.ok()) return ErrorFromStatus(s);
  Result<std::optional<TenantRow>> existing = FindTenant(call.db, *name);
  if (!existing.ok()) return ErrorFromStatus(existing.status());
  Result<TenantRow> tenant = EnsureTenant(call.db, *name, call.env->clock->NowMs());
  if (!tenant.ok()) return ErrorFromStatus(tenant.status());
  return TenantResponse(call.db, tenant->id, existing->has_value() ? 200 : 201);
}

ApiResponse GetTenantRoute(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  return TenantResponse(call.db, tenant.id, 200);
}

// ---- preferences ----------------------------------------------------------

ApiResponse PreferencesResponse(Db* db, int64_t tenant_id) {
  Result<TenantPreferences> prefs = LoadTenantPreferences(db, tenant_id);
  if (!prefs.ok()) return ErrorFromStatus(prefs.status());
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [key, text] : prefs->effective.Entries()) {
    if (key == kDisabledAlertTypesPreference) {
      values[key] = prefs->effective.disabled_alert_types;
    } else if (key == kSeverityOverridesPreference) {
      values[key] = nlohmann::json::object();
      for (const auto& [type, severity] : prefs->effective.severity_overrides) {
        values[key][type] = severity;
      }
    } else {
      nlohmann::json number = nlohmann::json::parse(text, nullptr, false);
      values[key] = number.is_number() ? number : nlohmann::json(text);
    }
  }
  return JsonResponse(200, values);
}

// The stored text of preference `key` given as JSON `value`, checked
// (ValidatePreference); InvalidArgument naming the key and the value.
Result<std::string> PreferenceText(const std::string& key, const nlohmann::json& value) {
  std::string text;
  const std::string named = "preference " + key;
  if (key == kDisabledAlertTypesPreference) {
    bool ok = value.is_array();
    for (size_t i = 0; ok && i < value.size(); ++i) {
      const nlohmann::json& item = value[i];
      ok = item.is_string() && !item.get<std::string>().empty() &&
           item.get<std::string>().find(',') == std::string::npos;
      if (ok) text += (i == 0 ? "" : ",") + item.get<std::string>();
    }
    if (!ok) {
      return Status::InvalidArgument(named + ": expected an array of alert type names, got " +
                                     ShownJson(value));
    }
  } else if (key == kSeverityOverridesPreference) {
    // {"alert.type": "severity"}: the stored text "type=severity,..."; a name
    // that holds a separator cannot be said in that text.
    bool ok = value.is_object();
    if (ok) {
      for (const auto& [type, severity] : value.items()) {
        ok = ok && severity.is_string() && !type.empty() &&
             type.find_first_of(",=") == std::string::npos;
        if (!ok) break;
        text += (text.empty() ? "" : ",") + type + "=" + severity.get<std::string>();
      }
    }
    if (!ok) {
      return Status::InvalidArgument(named + ": expected an object of alert type to severity, got " +
                                     ShownJson(value));
    }
  } else if (key == "flap_window") {
    if (!value.is_string()) {
      return Status::InvalidArgument(named + ": expected a duration such as \"6h\", got " +
                                     ShownJson(value));
    }
    text = value.get<std::string>();
  } else if (value.is_number_unsigned()) {
    text = std::to_string(value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    text = std::to_string(value.get<int64_t>());
  } else {
    // Known keys other than the list and the window are whole numbers; an unknown key
    // fails below with the list of known ones.
    bool known = false;
    for (const auto& entry : Preferences().Entries()) known = known || entry.first == key;
    if (known) {
      return Status::InvalidArgument(named + ": expected a whole number, got " + ShownJson(value));
    }
    text = ShownJson(value);
  }
  VIGIL_RETURN_IF_ERROR(ValidatePreference(key, text, IsAlertType));
  return text;
}

ApiResponse GetPreferences(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  return PreferencesResponse(call.db, tenant.id);
}

ApiResponse PutPreferences(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  nlohmann::json body;
  if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) {
    return *error;
  }
  std::vector<std::pair<std::string, std::string>> updates;
  for (const auto& [key, value] : body.items()) {
    Result<std::string> text = PreferenceText(key, value);
    if (!text.ok()) return ErrorFromStatus(text.status());
    updates.emplace_back(key, std::move(*text));
  }
  if (Status s = UpdatePreferences(call.db, tenant.id, updates, IsAlertType); !s.ok()) {
    return ErrorFromStatus(s);
  }
  return PreferencesResponse(call.db, tenant.id);
}

}  // namespace

void AddTenantRoutes(Router* router) {
  router->Add({"GET", "/api/v1/tenants", RouteAuth::kToken, ListTenantsRoute});
  router->Add({"POST", "/api/v1/tenants", RouteAuth::kAdmin, CreateTenant});
  router->Add({"GET", "/api/v1/tenants/{tenant}", RouteAuth::kToken, GetTenantRoute});
  router->Add({"GET", "/api/v1/tenants/{tenant}/preferences", RouteAuth::kToken, GetPreferences});
  router->Add({"PUT", "/api/v1/tenants/{tenant}/preferences", RouteAuth::kToken, PutPreferences});
}

}  // namespace vigil
