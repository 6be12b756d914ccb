// A tenant's exclusions (context/exclusions.h):
//
//   GET    /api/v1/tenants/{tenant}/exclusions         {"items": [exclusion...]}, in id order
//   POST   /api/v1/tenants/{tenant}/exclusions         {"kind", "value", "alert_type"?,
//                                                      "reason"} -> 201 the exclusion;
//                                                      400 naming what is wrong, 409 when
//                                                      the tenant has it already
//   DELETE /api/v1/tenants/{tenant}/exclusions/{exclusion_id}
//                                                      removes it -> 200 the exclusion as
//                                                      it was
//
// An exclusion: {"id", "tenant", "kind", "value", "alert_type", "reason",
// "added_by", "added_at"}. "alert_type" defaults to "*" (every alert type
// but privilege.*); "added_by" is the name of the token that added it. The
// routes are tenant-scoped as the preferences are: a tenant a token may not
// see answers as one that does not exist, and an exclusion id that is not
// the path tenant's answers "exclusion N not found", as a missing one does.
// Changes apply from the tenant's next analysis on.
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/alert_types.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/scope.h"
#include "common/time.h"
#include "context/exclusions.h"

namespace vigil {
namespace {

nlohmann::json ExclusionItem(const std::string& tenant, const Exclusion& e) {
  return {{"id", e.id},
          {"tenant", tenant},
          {"kind", e.kind},
          {"value", e.value},
          {"alert_type", e.alert_type},
          {"reason", e.reason},
          {"added_by", e.added_by},
          {"added_at", FormatIso8601(e.added_at)}};
}

ApiResponse ListExclusionsRoute(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  Result<std::vector<Exclusion>> exclusions = ListExclusions(call.db, tenant.id);
  if (!exclusions.ok()) return ErrorFromStatus(exclusions.status());
  nlohmann::json items = nlohmann::json::array();
  for (const Exclusion& e : *exclusions) items.push_back(ExclusionItem(tenant.name, e));
  return JsonResponse(200, {{"items", items}});
}

// The ExclusionInput of a POST body; InvalidArgument naming the field.
Result<ExclusionInput> InputOf(const nlohmann::json& body, const Principal& principal) {
  VIGIL_RETURN_IF_ERROR(CheckKnownFields(body, {"kind", "value", "alert_type", "reason"}));
  ExclusionInput in;
  VIGIL_ASSIGN_OR_RETURN(in.kind, RequiredStringField(body, "kind"));
  VIGIL_ASSIGN_OR_RETURN(in.value, RequiredStringField(body, "value"));
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptionalStringField(body, "alert_type"));
  if (type) in.alert_type = *type;
  VIGIL_ASSIGN_OR_RETURN(in.reason, RequiredStringField(body, "reason"));
  in.added_by = principal.token_name;
  return in;
}

ApiResponse AddExclusionRoute(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  nlohmann::json body;
  if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) {
    return *error;
  }
  Result<ExclusionInput> input = InputOf(body, *call.principal);
  if (!input.ok()) return ErrorFromStatus(input.status());
  Result<Exclusion> added = AddExclusion(call.db, tenant.id, *input, call.env->clock->NowMs(),
                                         SubjectKindOfAlertType);
  if (!added.ok()) return ErrorFromStatus(added.status());
  return JsonResponse(201, ExclusionItem(tenant.name, *added));
}

ApiResponse RemoveExclusionRoute(const ApiRequest& request, RouteCall& call) {
  TenantRow tenant;
  if (auto error = ResolveTenant(call, request.Param("tenant"), &tenant)) return *error;
  const std::string& text = request.Param("exclusion_id");
  const std::string what = "exclusion " + text;
  std::optional<int64_t> id = ParseId(text);
  if (!id) return NotFoundResponse(what);
  Result<Exclusion> removed = RemoveExclusion(call.db, tenant.id, *id);
  if (removed.status().code() == Code::kNotFound) return NotFoundResponse(what);
  if (!removed.ok()) return ErrorFromStatus(removed.status());
  return JsonResponse(200, ExclusionItem(tenant.name, *removed));
}

}  // namespace

void AddExclusionRoutes(Router* router) {
  router->Add({"GET", "/api/v1/tenants/{tenant}/exclusions", RouteAuth::kToken,
               ListExclusionsRoute});
  router->Add({"POST", "/api/v1/tenants/{tenant}/exclusions", RouteAuth::kToken,
               AddExclusionRoute});
  router->Add({"DELETE", "/api/v1/tenants/{tenant}/exclusions/{exclusion_id}", RouteAuth::kToken,
               RemoveExclusionRoute});
}

}  // namespace vigil
