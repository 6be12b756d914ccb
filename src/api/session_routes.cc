// What a client needs to know before it shows anything (the console asks
// right after sign-in):
//   GET /api/v1/session       {"token": name, "admin": bool, "tenant": name or null}:
//                             who the bearer token is
//   GET /api/v1/alert-types   {"items": [{"name", "analysis_type", "severity",
//                             "subject": "user"|"sku"|"tenant", "fires_when"}]}: every
//                             alert type in the table's order (docs/ARCHITECTURE.md,
//                             "Alert types"); the same for every token
#include <nlohmann/json.hpp>

#include "analysis/alert_types.h"
#include "analysis/finding.h"
#include "api/api_env.h"
#include "api/routes.h"
#include "store/tenants.h"

namespace vigil {
namespace {

ApiResponse SessionRoute(const ApiRequest&, RouteCall& call) {
  const Principal& who = *call.principal;
  nlohmann::json body = {{"token", who.token_name}, {"admin", who.admin()}, {"tenant", nullptr}};
  if (!who.admin()) {
    Result<std::optional<TenantRow>> tenant = GetTenant(call.db, *who.tenant_id);
    if (!tenant.ok()) return ErrorFromStatus(tenant.status());
    if (tenant->has_value()) body["tenant"] = (*tenant)->name;
  }
  return JsonResponse(200, body);
}

ApiResponse AlertTypesRoute(const ApiRequest&, RouteCall&) {
  nlohmann::json items = nlohmann::json::array();
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    items.push_back({{"name", info.name},
                     {"analysis_type", info.analysis_type},
                     {"severity", SeverityName(info.severity)},
                     {"subject", SubjectKindOfAlertType(info.name)},
                     {"fires_when", info.fires_when}});
  }
  return JsonResponse(200, {{"items", std::move(items)}});
}

}  // namespace

void AddSessionRoutes(Router* router) {
  router->Add({"GET", "/api/v1/session", RouteAuth::kToken, SessionRoute});
  router->Add({"GET", "/api/v1/alert-types", RouteAuth::kToken, AlertTypesRoute});
}

}  // namespace vigil
