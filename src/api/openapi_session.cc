// The OpenAPI description of /api/v1/session, /api/v1/alert-types
// (api/session_routes.cc) and /api/v1/queue (api/job_routes.cc).
#include "api/openapi_parts.h"

namespace vigil::openapi {

void AddSessionSchemas(Json* schemas) {
  Json& s = *schemas;
  s["Session"] = Object({{"token", String("the token's name")},
                         {"admin", {{"type", "boolean"}}},
                         {"tenant", String("the tenant a tenant token is bound to; null: admin")}},
                        {"token", "admin", "tenant"});
  s["Session"]["properties"]["tenant"]["nullable"] = true;
  s["AlertType"] = Object({{"name", String("e.g. mfa.user_not_registered")},
                           {"analysis_type", String("mfa, license, stale, privilege, policy")},
                           {"severity", Enum({"low", "medium", "high", "critical"})},
                           {"subject", Enum({"user", "sku", "tenant"})},
                           {"fires_when", String("one line for humans")}},
                          {"name", "analysis_type", "severity", "subject", "fires_when"});
  s["AlertTypeList"] = Object({{"items", ArrayOf(Ref("AlertType"))}}, {"items"});
  s["QueueCounts"] = Object(
      {{"counts", Object({{"waiting", Integer()},
                          {"delayed", Integer()},
                          {"active", Integer()},
                          {"completed", Integer()},
                          {"failed", Integer()}},
                         {"waiting", "delayed", "active", "completed", "failed"})},
       {"paused", {{"type", "boolean"}}},
       {"capped_at", Integer("a tenant token's counts stop here (null for an admin token)")}},
      {"counts", "paused", "capped_at"});
  s["QueueCounts"]["properties"]["capped_at"]["nullable"] = true;
}

void AddSessionPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("Who the bearer token is", "session");
  op.responses["200"] = Reply("the token's name and what it may see", Ref("Session"));
  p["/api/v1/session"]["get"] = Build(op, {"Unauthorized", "RateLimited"});

  op = Token("Every alert type, in the table's order", "session");
  op.responses["200"] = Reply("the alert types", Ref("AlertTypeList"));
  p["/api/v1/alert-types"]["get"] = Build(op, {"Unauthorized", "RateLimited"});

  op = Token("Jobs by state: the whole queue (admin) or the tenant's jobs", "jobs");
  op.parameters.push_back(QueryParam(
      "tenant", "only this tenant's jobs (by name); a tenant token sees only its own", String()));
  op.responses["200"] = Reply("the counts", Ref("QueueCounts"));
  p["/api/v1/queue"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited", "Unavailable"});
}

}  // namespace vigil::openapi
