// Data sources:
//
//   GET  /api/v1/sources[?tenant=NAME]      {"items": [source...]}: of that tenant, else of
//                                           the token's tenant (every tenant for an admin)
//   POST /api/v1/sources                    {"tenant", "provider", ...} -> 201 the source
//   GET  /api/v1/sources/{source_id}        the source
//   POST /api/v1/sources/{source_id}/test   the connection check (pipeline/source_check.h):
//                                           {"data_source", "provider", "tenant_id",
//                                            "client_id", "admin_email", "ok",
//                                            "failed", "missing_permissions": [...],
//                                            "checks": [{"name", "ok", "optional", "detail"}]}
//   POST /api/v1/sources/{source_id}/sync   optional {"force": bool} -> 202
//                                           {"trace_id", "job_id"}: the sync is enqueued
//
// A source is the JSON of api/source_json.h (as `vigil sources --json`);
// secrets show as "(sealed)".
//
// POST /api/v1/sources body: "tenant" (a name the caller may see, else 404),
// "provider": "microsoft365" (with "tenant_id", "client_id", "client_secret",
// optional "authority_url", "graph_url"), "graph_json" (with "dir") or
// "google_workspace" (with "admin_email", "service_account_key", optional
// "customer_id", "token_url", "api_url", "licensing_url"), optional "name"
// and "every" (a duration such as "15m"), added as `vigil source add` adds
// one (api/source_create.h: an existing source of that name gets the new
// settings). The check sends its Graph or Google requests through
// ApiHooks::graph_http; 503 unavailable without one. A tenant token may not
// add a graph_json source (it reads a directory on the server) nor set
// authority_url, graph_url, token_url, api_url, licensing_url, or a
// service account key whose token_uri is not Google's (the server would send
// requests where the caller says): 403 forbidden; an admin token may.
#include <nlohmann/json.hpp>
#include <string>

#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/scope.h"
#include "api/source_create.h"
#include "api/source_json.h"
#include "pipeline/source_check.h"
#include "providers/google_jwt.h"
#include "queue/sync_trigger.h"

namespace vigil {
namespace {

// The response with the JSON of data source `row`.
ApiResponse SourceResponse(Db* db, const DataSourceRow& row, int status) {
  Result<SourceView> view = LoadSourceView(db, row);
  if (!view.ok()) return ErrorFromStatus(view.status());
  return JsonResponse(status, SourceJson(*view));
}

ApiResponse ListSources(const ApiRequest& request, RouteCall& call) {
  int64_t tenant_id = call.principal->admin() ? 0 : *call.principal->tenant_id;
  if (std::optional<std::string> name = request.Query("tenant")) {
    TenantRow tenant;
    if (auto error = ResolveTenant(call, *name, &tenant)) return *error;
    tenant_id = tenant.id;
  }
  Result<std::vector<SourceView>> views = LoadSourceViews(call.db, tenant_id);
  if (!views.ok()) return ErrorFromStatus(views.status());
  nlohmann::json items = nlohmann::json::array();
  for (const SourceView& view : *views) items.push_back(SourceJson(view));
  return JsonResponse(200, {{"items", items}});
}

// 403 when a tenant token asks for what only an admin may (see the top).
std::optional<ApiResponse> AdminOnlyParts(const nlohmann::json& body, const Principal& caller) {
  if (caller.admin()) return std::nullopt;
  auto given = [&body](const char* key) { return body.contains(key) && !body[key].is_null(); };
  if (given("provider") && body["provider"] == "graph_json") {
    return ErrorResponse(403, api_error::kForbidden,
                         "provider graph_json reads a directory on the server; adding one needs "
                         "an admin token");
  }
  for (const char* key : {"authority_url", "graph_url", "token_url", "api_url", "licensing_url"}) {
    if (given(key)) {
      return ErrorResponse(403, api_error::kForbidden,
                           std::string(key) +
                               ": only an admin token may point a data source at "
                               "another endpoint");
    }
  }
  if (given("service_account_key")) {
    // The key file names its token endpoint; vigil posts the signed assertion there.
    const nlohmann::json& key = body["service_account_key"];
    const nlohmann::json doc =
        key.is_string() ? nlohmann::json::parse(key.get<std::string>(), nullptr, false) : key;
    auto uri = doc.is_object() ? doc.find("token_uri") : doc.end();
    if (doc.is_object() && uri != doc.end() && !uri->is_null() && *uri != kGoogleTokenUri) {
      return ErrorResponse(403, api_error::kForbidden,
                           "service_account_key: its token_uri is not Google's (" +
                               std::string(kGoogleTokenUri) +
                               "); only an admin token may point a data source at another "
                               "endpoint");
    }
  }
  return std::nullopt;
}

ApiResponse AddSource(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) {
    return *error;
  }
  Result<std::string> name = RequiredStringField(body, "tenant");
  if (!name.ok()) return ErrorFromStatus(name.status());
  TenantRow tenant;
  if (auto error = ResolveTenant(call, *name, &tenant)) return *error;
  if (auto error = AdminOnlyParts(body, *call.principal)) return *error;
  Result<DataSourceRow> row = CreateSourceFromBody(call.db, *call.env->clock, tenant, body);
  if (!row.ok()) return ErrorFromStatus(row.status());
  return SourceResponse(call.db, *row, 201);
}

ApiResponse GetSource(const ApiRequest& request, RouteCall& call) {
  DataSourceRow source;
  if (auto error = ResolveDataSource(call, request.Param("source_id"), &source)) return *error;
  return SourceResponse(call.db, source, 200);
}

ApiResponse TestSource(const ApiRequest& request, RouteCall& call) {
  DataSourceRow source;
  if (auto error = ResolveDataSource(call, request.Param("source_id"), &source)) return *error;
  HttpClient* http = call.env->hooks.graph_http.get();
  if (http == nullptr) {
    return ErrorResponse(503, api_error::kUnavailable, "testing data sources is not configured");
  }
  Result<SourceCheckReport> report = CheckSourceConnection(source, http);
  if (!report.ok()) return ErrorFromStatus(report.status());
  return JsonResponse(200, SourceCheckJson(*report));
}

ApiResponse SyncSource(const ApiRequest& request, RouteCall& call) {
  DataSourceRow source;
  if (auto error = ResolveDataSource(call, request.Param("source_id"), &source)) return *error;
  TriggerOptions options;
  options.by = "api";
  if (!request.body.empty()) {
    nlohmann::json body;
    if (auto error = ParseJsonBody(request.body, call.env->limits.max_json_depth, &body)) {
      return *error;
    }
    if (Status s = CheckKnownFields(body, {"force"}); !s.ok()) return ErrorFromStatus(s);
    Result<std::optional<bool>> force = OptionalBoolField(body, "force");
    if (!force.ok()) return ErrorFromStatus(force.status());
    options.force = force->value_or(false);
  }
  if (call.env->queue == nullptr) {
    return ErrorResponse(503, api_error::kUnavailable, "no job queue is configured");
  }
  Result<TriggeredSync> sync =
      TriggerSync(call.db, call.env->queue, *call.env->clock, source.tenant_id, source.id, options);
  if (!sync.ok()) return ErrorFromStatus(sync.status());
  return JsonResponse(202, {{"trace_id", sync->trace_id}, {"job_id", sync->job_id}});
}

}  // namespace

void AddSourceRoutes(Router* router) {
  router->Add({"GET", "/api/v1/sources", RouteAuth::kToken, ListSources});
  router->Add({"POST", "/api/v1/sources", RouteAuth::kToken, AddSource});
  router->Add({"GET", "/api/v1/sources/{source_id}", RouteAuth::kToken, GetSource});
  router->Add({"POST", "/api/v1/sources/{source_id}/test", RouteAuth::kToken, TestSource});
  router->Add({"POST", "/api/v1/sources/{source_id}/sync", RouteAuth::kToken, SyncSource});
}

}  // namespace vigil
