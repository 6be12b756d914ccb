// GET /api/v1/overview[?tenant=NAME]: every tenant the token may see, worst
// first, in one answer (api/overview.h): an admin token every tenant, a
// tenant token its own. ?tenant= narrows it to one tenant; naming one the
// token may not see answers 404 as for a missing one.
#include "api/api_env.h"
#include "api/overview.h"
#include "api/routes.h"
#include "api/scope.h"

namespace vigil {
namespace {

ApiResponse OverviewRoute(const ApiRequest& request, RouteCall& call) {
  int64_t tenant_id = call.principal->tenant_id.value_or(0);
  if (std::optional<std::string> tenant = request.Query("tenant")) {
    TenantRow row;
    if (auto missing = ResolveTenant(call, *tenant, &row)) return *missing;
    tenant_id = row.id;
  }
  Result<Overview> overview = LoadOverview(call.db, tenant_id, call.env->clock->NowMs());
  if (!overview.ok()) return ErrorFromStatus(overview.status());
  ApiResponse response;
  response.status = 200;
  response.body = OverviewJson(*overview);
  return response;
}

}  // namespace

void AddOverviewRoutes(Router* router) {
  router->Add({"GET", "/api/v1/overview", RouteAuth::kToken, OverviewRoute});
}

}  // namespace vigil
