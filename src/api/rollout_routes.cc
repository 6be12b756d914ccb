// Rule rollouts (pipeline/rule_rollout.h), admin only: what `vigil rollout`
// does, over HTTP. Shapes as in pipeline/rollout_json.h.
//
//   GET  /api/v1/rollouts                          the status: versions per type, settings
//   GET  /api/v1/rollouts/{type}/diff[?tenant=N]   the last shadow run per tenant
//   PUT  /api/v1/rollouts/{type}/candidate         {"version": V or null, target} -> change
//   POST /api/v1/rollouts/{type}/promote           {"version": V, target} -> change
//   POST /api/v1/rollouts/{type}/rollback          {"tenants": [...]?} -> change (none: all)
//
// A target is exactly one of "tenants": [names], "percent": 1-100,
// "all": true. Unknown fields, wrong types, an unknown analysis type or
// version, a bad percentage answer 400 naming what was wrong; unknown
// tenant names answer 404 naming them. Nothing is stored then. The change
// is recorded as made by the token's name.
#include <nlohmann/json.hpp>
#include <string>

#include "alerts/shadow_reconcile.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "pipeline/rollout_json.h"
#include "pipeline/rule_rollout.h"
#include "store/tenants.h"

namespace vigil {
namespace {

ApiResponse Answer(const Result<RolloutChange>& change) {
  if (!change.ok()) return ErrorFromStatus(change.status());
  return JsonResponse(200, nlohmann::json(RolloutChangeJson(*change)));
}

// The whole-number field `key` (absent: nullopt).
Result<std::optional<int>> IntField(const nlohmann::json& body, std::string_view key) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<double> value, OptionalNumberField(body, key));
  if (!value) return std::optional<int>();
  if (*value != static_cast<double>(static_cast<int>(*value))) {
    return Status::InvalidArgument(std::string(key) + ": expected a whole number, got " +
                                   ShownJson(body[std::string(key)]));
  }
  return std::optional<int>(static_cast<int>(*value));
}

Result<RolloutTarget> TargetOf(const nlohmann::json& body) {
  RolloutTarget target;
  VIGIL_ASSIGN_OR_RETURN(auto tenants, OptionalStringArrayField(body, "tenants"));
  if (tenants) target.tenants = *tenants;
  VIGIL_ASSIGN_OR_RETURN(target.percent, IntField(body, "percent"));
  VIGIL_ASSIGN_OR_RETURN(std::optional<bool> all, OptionalBoolField(body, "all"));
  target.all = all.value_or(false);
  return target;
}

// The JSON object of the request; an error response when it is none.
std::optional<ApiResponse> Body(const ApiRequest& request, RouteCall& call,
                                std::initializer_list<std::string_view> known,
                                nlohmann::json* body) {
  if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, body)) {
    return error;
  }
  if (Status s = CheckKnownFields(*body, known); !s.ok()) return ErrorFromStatus(s);
  return std::nullopt;
}

ApiResponse GetStatus(const ApiRequest&, RouteCall& call) {
  Result<RolloutStatus> status = LoadRolloutStatus(call.db);
  if (!status.ok()) return ErrorFromStatus(status.status());
  return JsonResponse(200, nlohmann::json(RolloutStatusJson(*status)));
}

ApiResponse GetDiff(const ApiRequest& request, RouteCall& call) {
  const std::string& type = request.Param("type");
  int64_t tenant_id = 0;
  if (std::optional<std::string> name = request.Query("tenant")) {
    Result<std::optional<TenantRow>> tenant = FindTenant(call.db, *name);
    if (!tenant.ok()) return ErrorFromStatus(tenant.status());
    if (!tenant->has_value()) {
      return ErrorResponse(404, "not_found", "no tenant named \"" + *name + "\"");
    }
    tenant_id = (*tenant)->id;
  }
  if (Status s = CheckRolloutType(type); !s.ok()) return ErrorFromStatus(s);
  Result<std::vector<StoredShadowRun>> runs = LoadShadowRuns(call.db, type, tenant_id);
  if (!runs.ok()) return ErrorFromStatus(runs.status());
  return JsonResponse(200, nlohmann::json(ShadowDiffJson(type, *runs)));
}

ApiResponse PutCandidate(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto error = Body(request, call, {"version", "tenants", "percent", "all"}, &body)) {
    return *error;
  }
  Result<std::optional<int>> version = IntField(body, "version");
  if (!version.ok()) return ErrorFromStatus(version.status());
  Result<RolloutTarget> target = TargetOf(body);
  if (!target.ok()) return ErrorFromStatus(target.status());
  return Answer(SetCandidate(call.db, *call.env->clock, request.Param("type"),
                             version->value_or(0), *target, call.principal->token_name));
}

ApiResponse PostPromote(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto error = Body(request, call, {"version", "tenants", "percent", "all"}, &body)) {
    return *error;
  }
  Result<std::optional<int>> version = IntField(body, "version");
  if (!version.ok()) return ErrorFromStatus(version.status());
  if (!version->has_value()) return ErrorResponse(400, "bad_request", "version: required");
  Result<RolloutTarget> target = TargetOf(body);
  if (!target.ok()) return ErrorFromStatus(target.status());
  return Answer(Promote(call.db, *call.env->clock, request.Param("type"), **version, *target,
                        call.principal->token_name));
}

ApiResponse PostRollback(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body = nlohmann::json::object();
  if (!request.body.empty()) {
    if (auto error = Body(request, call, {"tenants"}, &body)) return *error;
  }
  Result<std::optional<std::vector<std::string>>> tenants =
      OptionalStringArrayField(body, "tenants");
  if (!tenants.ok()) return ErrorFromStatus(tenants.status());
  return Answer(Rollback(call.db, *call.env->clock, request.Param("type"),
                         tenants->value_or(std::vector<std::string>{}),
                         call.principal->token_name));
}

}  // namespace

void AddRolloutRoutes(Router* router) {
  router->Add({"GET", "/api/v1/rollouts", RouteAuth::kAdmin, GetStatus});
  router->Add({"GET", "/api/v1/rollouts/{type}/diff", RouteAuth::kAdmin, GetDiff});
  router->Add({"PUT", "/api/v1/rollouts/{type}/candidate", RouteAuth::kAdmin, PutCandidate});
  router->Add({"POST", "/api/v1/rollouts/{type}/promote", RouteAuth::kAdmin, PostPromote});
  router->Add({"POST", "/api/v1/rollouts/{type}/rollback", RouteAuth::kAdmin, PostRollback});
}

}  // namespace vigil
