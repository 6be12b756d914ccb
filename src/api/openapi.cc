#include "api/openapi.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

// ---- building blocks ------------------------------------------------------

Json Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }
Json ResponseRef(const std::string& name) { return {{"$ref", "#/components/responses/" + name}}; }

Json String(const std::string& description = "") {
  Json s = {{"type", "string"}};
  if (!description.empty()) s["description"] = description;
  return s;
}
Json Time(const std::string& description) {
  return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}
Json NullableTime(const std::string& description) {
  Json s = Time(description);
  s["nullable"] = true;
  return s;
}
Json Integer(const std::string& description = "") {
  Json s = {{"type", "integer"}, {"format", "int64"}};
  if (!description.empty()) s["description"] = description;
  return s;
}
Json Enum(std::initializer_list<const char*> values, const std::string& description = "") {
  Json s = {{"type", "string"}, {"enum", Json::array()}};
  for (const char* v : values) s["enum"].push_back(v);
  if (!description.empty()) s["description"] = description;
  return s;
}
Json ArrayOf(Json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
Json FreeObject(const std::string& description) {
  return {{"type", "object"}, {"additionalProperties", true}, {"description", description}};
}
Json Object(Json properties, std::initializer_list<const char*> required = {}) {
  Json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0) {
    s["required"] = Json::array();
    for (const char* r : required) s["required"].push_back(r);
  }
  return s;
}

Json PathParam(const std::string& name, const std::string& description, Json schema) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description", description},
          {"schema", std::move(schema)}};
}
Json QueryParam(const std::string& name, const std::string& description, Json schema) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", std::move(schema)}};
}
Json HeaderParam(const std::string& name, bool required, const std::string& description) {
  return {{"name", name},
          {"in", "header"},
          {"required", required},
          {"description", description},
          {"schema", String()}};
}

Json JsonContent(Json schema) { return {{"application/json", {{"schema", std::move(schema)}}}}; }
Json Body(Json schema, bool required, const std::string& description) {
  return {{"required", required},
          {"description", description},
          {"content", JsonContent(std::move(schema))}};
}
Json Reply(const std::string& description, Json schema) {
  return {{"description", description}, {"content", JsonContent(std::move(schema))}};
}

// One operation; Build adds its error responses (names of components/responses).
struct Operation {
  std::string summary;
  std::string tag;
  Json parameters = Json::array();
  Json request_body;  // null: none
  Json responses = Json::object();
  bool is_public = false;
};

Json Build(Operation op, std::initializer_list<const char*> errors) {
  Json out = {{"summary", op.summary}, {"tags", Json::array({op.tag})}};
  if (!op.parameters.empty()) out["parameters"] = std::move(op.parameters);
  if (!op.request_body.is_null()) out["requestBody"] = std::move(op.request_body);
  for (const char* e : errors) {
    const std::string name = e;
    const std::string status = name == "BadRequest"        ? "400"
                               : name == "Unauthorized"    ? "401"
                               : name == "Forbidden"       ? "403"
                               : name == "NotFound"        ? "404"
                               : name == "Conflict"        ? "409"
                               : name == "PayloadTooLarge" ? "413"
                               : name == "RateLimited"     ? "429"
                                                           : "503";
    op.responses[status] = ResponseRef(name);
  }
  out["responses"] = std::move(op.responses);
  if (op.is_public) out["security"] = Json::array();
  return out;
}

// A new operation (a token route unless is_public is set).
Operation Token(std::string summary, std::string tag) {
  Operation op;
  op.summary = std::move(summary);
  op.tag = std::move(tag);
  return op;
}

// ---- parameters -----------------------------------------------------------

Json TenantPath() { return PathParam("tenant", "the tenant's name", String()); }
Json SourcePath() { return PathParam("source_id", "the data source's id", Integer()); }
Json AlertPath() { return PathParam("alert_id", "the alert's id", Integer()); }
Json Limit() {
  Json schema = {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 100}};
  return QueryParam("limit", "page size (at most ApiLimits::max_page_size, 1000 by default)",
                    schema);
}
Json TenantQuery() {
  return QueryParam("tenant", "only this tenant (by name); a tenant token sees only its own",
                    String());
}

// ---- schemas --------------------------------------------------------------

// Schemas of the error body every failure answers with.
void AddErrorSchema(Json* schemas) {
  Json& s = *schemas;
  s["Error"] = Object(
      {{"error",
        Object({{"code",
                 Enum({"bad_request", "invalid_json", "json_too_deep", "unauthorized", "forbidden",
                       "not_found", "method_not_allowed", "request_timeout", "conflict",
                       "payload_too_large", "headers_too_large", "unsupported_media_type", "rate_limited", "invalid_signature",
                       "stale_timestamp", "replayed_delivery", "internal", "unavailable"},
                      "stable machine-readable code")},
                {"message", String("for humans; names the parameter or object")}},
               {"code", "message"})}},
      {"error"});
}

// Schemas of tenants and their preferences.
void AddTenantSchemas(Json* schemas) {
  Json& s = *schemas;
  s["Tenant"] = Object({{"id", Integer()},
                        {"name", String()},
                        {"created_at", Time("when the tenant was created")},
                        {"data_sources", Integer("how many data sources it has")},
                        {"open_alerts", Object({{"total", Integer()},
                                                {"low", Integer()},
                                                {"medium", Integer()},
                                                {"high", Integer()},
                                                {"critical", Integer()}})}},
                       {"id", "name"});
  s["TenantInput"] =
      Object({{"name", String("1 to 128 letters, digits, '.', '-', '_'")}}, {"name"});
  s["Preferences"] = Object({{"stale_days", Integer("sign-in age that makes an account stale")},
                             {"min_global_admins", Integer()},
                             {"max_global_admins", Integer()},
                             {"max_sync_age_hours", Integer()},
                             {"disabled_alert_types", ArrayOf(String("an alert type"))}});
  s["Preferences"]["description"] =
      "the effective preferences: the defaults overlaid by the stored values";
  s["PreferencesUpdate"] = s["Preferences"];
  s["PreferencesUpdate"]["description"] =
      "a partial update: only the keys given change, all of them in one transaction";
}

// Schemas of data sources, their checks, and the answers of a sync or webhook request.
void AddSourceSchemas(Json* schemas) {
  Json& s = *schemas;
  s["DataSource"] =
      Object({{"id", Integer()},
              {"tenant", String("the tenant's name")},
              {"name", String()},
              {"provider", String("microsoft365, graph_json, synthetic")},
              {"settings", FreeObject("provider settings; secrets show as \"(sealed)\"")},
              {"schedule", FreeObject("{every, window, enabled, next_run_at}, or null")},
              {"last_sync", FreeObject("{at, status, error}, or null")},
              {"not_available", ArrayOf(FreeObject("{kind, reason, checked_at}"))}},
             {"id", "tenant", "name", "provider"});
  s["DataSource"]["properties"]["schedule"]["nullable"] = true;
  s["DataSource"]["properties"]["last_sync"]["nullable"] = true;
  s["DataSourceInput"] =
      Object({{"tenant", String("the tenant's name")},
              {"provider", Enum({"microsoft365", "graph_json"})},
              {"name", String("default: the provider's name")},
              {"tenant_id", String("microsoft365: the Entra ID tenant (GUID or domain)")},
              {"client_id", String("microsoft365: the app registration's client id")},
              {"client_secret", String("microsoft365: sealed before it is stored; never returned")},
              {"dir", String("graph_json: a directory of Graph responses (admin tokens only)")},
              {"cloud", Enum({"global", "usgov", "usgovdod", "china"},
                             "microsoft365: sets the token endpoint and the Graph URL together "
                             "(not with authority_url or graph_url)")},
              {"authority_url", String("microsoft365: token endpoint base (admin tokens only)")},
              {"graph_url", String("microsoft365: Graph base URL (admin tokens only)")},
              {"every", String("sync interval, e.g. 1h")}},
             {"tenant", "provider"});
  const Json boolean = {{"type", "boolean"}};
  s["SourceTest"] = Object(
      {{"data_source", Integer()},
       {"tenant_id", String("the Entra ID tenant")},
       {"client_id", String()},
       {"ok", boolean},
       {"failed", Integer("checks that failed")},
       {"missing_permissions", ArrayOf(String("an application permission to grant"))},
       {"checks", ArrayOf(Object({{"name", String()},
                                  {"ok", boolean},
                                  {"optional", boolean},
                                  {"detail", {{"type", "string"}, {"nullable", true}}}},
                                 {"name", "ok"}))}},
      {"ok", "checks"});
  s["SyncRequest"] = Object(
      {{"force",
        {{"type", "boolean"}, {"description", "accept a sync the deletion guard would refuse"}}}});
  s["SyncAccepted"] =
      Object({{"trace_id", String()}, {"job_id", String()}}, {"trace_id", "job_id"});
  s["WebhookAccepted"] = Object(
      {{"trace_id", String()},
       {"job_id", String()},
       {"delivery_id", String("Vigil-Delivery, or the matching signature when it was absent")}},
      {"trace_id", "job_id", "delivery_id"});
}

// Schemas of alerts, their history and the operator actions on them.
void AddAlertSchemas(Json* schemas) {
  Json& s = *schemas;
  s["Alert"] = Object(
      {{"id", Integer()},
       {"tenant", String("the tenant's name")},
       {"type", String("alert type, e.g. mfa.user_not_registered")},
       {"subject", String("Graph object id, skuId, or the tenant name")},
       {"subject_name", String("UPN, skuPartNumber, or the tenant name")},
       {"severity", Enum({"low", "medium", "high", "critical"})},
       {"state", Enum({"open", "resolved"})},
       {"first_seen", Time("first found")},
       {"last_seen", Time("last found")},
       {"resolved_at", NullableTime("when it resolved; null while open")},
       {"details", FreeObject("what the analyzer found")},
       {"analysis_type", String()},
       {"tag", String()},
       {"details_digest", String()},
       {"updated_at", Time("last change")},
       {"last_trace_id", String()},
       {"acknowledged", FreeObject("{at, by}, or null")},
       {"snoozed_until", NullableTime("notifications muted until then; never changes state")}},
      {"id", "tenant", "type", "subject", "subject_name", "severity", "state", "first_seen",
       "last_seen", "resolved_at", "details"});
  s["Alert"]["properties"]["tag"]["nullable"] = true;
  s["Alert"]["properties"]["acknowledged"]["nullable"] = true;
  s["HistoryEntry"] = Object({{"id", Integer()},
                              {"alert_id", Integer()},
                              {"at", Time("when it changed")},
                              {"transition", Enum({"opened", "updated", "resolved", "reopened"})},
                              {"from_state", String()},
                              {"to_state", String()},
                              {"severity", String()},
                              {"reason", String()},
                              {"details", FreeObject("the details after the change")},
                              {"trace_id", String()}},
                             {"id", "alert_id", "at", "transition"});
  s["HistoryEntry"]["properties"]["from_state"]["nullable"] = true;
  s["AlertWithHistory"] = {
      {"allOf", Json::array({Ref("Alert"),
                             Object({{"history", ArrayOf(Ref("HistoryEntry"))}}, {"history"})})}};
  s["Acknowledge"] = Object({{"note", String("optional note")}});
  s["Snooze"] =
      Object({{"until", Time("ISO 8601; notifications are muted until then")}}, {"until"});
}

// Schemas of jobs and traces.
void AddJobAndTraceSchemas(Json* schemas) {
  Json& s = *schemas;
  s["Job"] = Object({{"id", String()},
                     {"name", String("sync, analyze")},
                     {"state", Enum({"waiting", "delayed", "active", "completed", "failed"})},
                     {"tenant", String()},
                     {"trace_id", String()},
                     {"attempts_made", Integer()},
                     {"max_attempts", Integer()},
                     {"created_at", Time("added")},
                     {"run_at", Time("due")},
                     {"started_at", NullableTime("latest run")},
                     {"finished_at", NullableTime("completed or failed")},
                     {"error", String("latest error")},
                     {"payload", FreeObject("the job's payload")},
                     {"return_value", FreeObject("what the job returned, or null")}},
                    {"id", "name", "state"});
  s["TraceSpan"] =
      Object({{"span_id", String()},
              {"parent_span_id", String()},
              {"name", String("sync, provider.fetch, analyze.mfa, ...")},
              {"tenant_id", Integer()},
              {"start", Time("span start")},
              {"duration_ms", {{"type", "number"}}},
              {"status", Enum({"ok", "error"})},
              {"statements", Integer("database statements inside the span")},
              {"attributes", {{"type", "object"}, {"additionalProperties", String()}}}},
             {"span_id", "name", "start", "duration_ms", "status"});
  s["TraceSpan"]["properties"]["parent_span_id"]["nullable"] = true;
  s["Trace"] =
      Object({{"trace_id", String()}, {"spans", ArrayOf(Ref("TraceSpan"))}}, {"trace_id", "spans"});
}

// Schemas of the list answers ("<Item>List"), cursor-paged or not.
void AddListSchemas(Json* schemas) {
  Json& s = *schemas;
  for (const char* item : {"Tenant", "DataSource", "Alert", "HistoryEntry", "Job"}) {
    Json page = Object({{"items", ArrayOf(Ref(item))}}, {"items"});
    page["properties"]["next_cursor"] = {
        {"type", "string"},
        {"nullable", true},
        {"description",
         "pass as ?cursor= for the next page; null on the last (cursor-paged "
         "lists only)"}};
    s[std::string(item) + "List"] = page;
  }
}

// Schemas of the readiness answer (/readyz).
void AddOpsSchemas(Json* schemas) {
  Json& s = *schemas;
  s["Readiness"] =
      Object({{"ready", {{"type", "boolean"}}},
              {"checks",
               {{"type", "object"},
                {"additionalProperties",
                 Object({{"ok", {{"type", "boolean"}}}, {"reason", String()}}, {"ok"})}}}},
             {"ready", "checks"});
}

Json Schemas() {
  Json s;
  AddErrorSchema(&s);
  AddTenantSchemas(&s);
  AddSourceSchemas(&s);
  AddAlertSchemas(&s);
  AddJobAndTraceSchemas(&s);
  AddListSchemas(&s);
  AddOpsSchemas(&s);
  return s;
}

Json Responses() {
  auto error = [](const std::string& description) { return Reply(description, Ref("Error")); };
  Json r;
  r["BadRequest"] = error(
      "bad_request (a parameter, naming it and the accepted values), "
      "invalid_json or json_too_deep");
  r["Unauthorized"] = error("unauthorized: no, malformed, unknown or revoked bearer token");
  r["Unauthorized"]["headers"] = {
      {"WWW-Authenticate", {{"schema", String()}, {"description", "Bearer realm=\"vigil\""}}}};
  r["Forbidden"] = error("forbidden: the route needs an admin token");
  r["NotFound"] = error("not_found: absent, or of another tenant (the two look the same)");
  r["Conflict"] = error("conflict");
  r["PayloadTooLarge"] = error("payload_too_large: the body exceeds the size limit");
  r["RateLimited"] = error(
      "rate_limited: the token's request budget is spent (webhooks: the data source's)");
  r["RateLimited"]["headers"] = {
      {"Retry-After", {{"schema", Integer()}, {"description", "seconds to wait"}}}};
  r["Unavailable"] = error("unavailable: a backend (database, queue) cannot be reached");
  return r;
}

// ---- paths ----------------------------------------------------------------

// The operations under /api/v1/tenants.
void AddTenantPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("List tenants (a tenant token: its own only)", "tenants");
  op.responses["200"] = Reply("the tenants", Ref("TenantList"));
  p["/api/v1/tenants"]["get"] = Build(op, {"Unauthorized", "RateLimited"});

  op = Token("Create a tenant (admin token only)", "tenants");
  op.request_body = Body(Ref("TenantInput"), true, "the new tenant");
  op.responses["201"] = Reply("created", Ref("Tenant"));
  op.responses["200"] = Reply("it existed already", Ref("Tenant"));
  p["/api/v1/tenants"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "Forbidden", "PayloadTooLarge", "RateLimited"});

  op = Token("One tenant", "tenants");
  op.parameters.push_back(TenantPath());
  op.responses["200"] = Reply("the tenant", Ref("Tenant"));
  p["/api/v1/tenants/{tenant}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("A tenant's effective preferences", "tenants");
  op.parameters.push_back(TenantPath());
  op.responses["200"] = Reply("the preferences", Ref("Preferences"));
  p["/api/v1/tenants/{tenant}/preferences"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Change some of a tenant's preferences", "tenants");
  op.parameters.push_back(TenantPath());
  op.request_body = Body(Ref("PreferencesUpdate"), true, "the keys to change");
  op.responses["200"] = Reply("the preferences after the change", Ref("Preferences"));
  p["/api/v1/tenants/{tenant}/preferences"]["put"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});
}

// The operations under /api/v1/sources.
void AddSourcePaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("List data sources", "sources");
  op.parameters.push_back(TenantQuery());
  op.responses["200"] = Reply("the data sources", Ref("DataSourceList"));
  p["/api/v1/sources"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Add a data source to a tenant", "sources");
  op.request_body = Body(Ref("DataSourceInput"), true, "the data source");
  op.responses["201"] = Reply("created", Ref("DataSource"));
  p["/api/v1/sources"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                 "PayloadTooLarge", "RateLimited", "Unavailable"});

  op = Token("One data source", "sources");
  op.parameters.push_back(SourcePath());
  op.responses["200"] = Reply("the data source", Ref("DataSource"));
  p["/api/v1/sources/{source_id}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Check a data source's connection and permissions", "sources");
  op.parameters.push_back(SourcePath());
  op.responses["200"] = Reply("the checks", Ref("SourceTest"));
  p["/api/v1/sources/{source_id}/test"]["post"] =
      Build(op, {"Unauthorized", "NotFound", "Conflict", "RateLimited", "Unavailable"});

  op = Token("Enqueue a sync of the data source now", "sources");
  op.parameters.push_back(SourcePath());
  op.request_body = Body(Ref("SyncRequest"), false, "optional");
  op.responses["202"] = Reply("enqueued", Ref("SyncAccepted"));
  p["/api/v1/sources/{source_id}/sync"]["post"] = Build(
      op,
      {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited", "Unavailable"});
}

// The operations under /api/v1/alerts.
void AddAlertPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("List alerts, newest last, cursor-paged", "alerts");
  op.parameters = Json::array(
      {TenantQuery(), QueryParam("type", "only this alert type", String()),
       QueryParam("state", "default open", Enum({"open", "resolved", "all"})),
       QueryParam("severity", "only this severity", Enum({"low", "medium", "high", "critical"})),
       Limit(), QueryParam("cursor", "next_cursor of the previous page", String())});
  op.responses["200"] = Reply("one page of alerts", Ref("AlertList"));
  p["/api/v1/alerts"]["get"] = Build(op, {"BadRequest", "Unauthorized", "NotFound", "RateLimited"});

  op = Token("One alert with its history", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("the alert", Ref("AlertWithHistory"));
  p["/api/v1/alerts/{alert_id}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("An alert's history, oldest first", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("every change", Ref("HistoryEntryList"));
  p["/api/v1/alerts/{alert_id}/history"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Acknowledge an alert (its state does not change)", "alerts");
  op.parameters.push_back(AlertPath());
  op.request_body = Body(Ref("Acknowledge"), false, "optional note");
  op.responses["200"] = Reply("the alert", Ref("Alert"));
  p["/api/v1/alerts/{alert_id}/acknowledge"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});

  op = Token("Snooze an alert: mute its notifications until a time", "alerts");
  op.parameters.push_back(AlertPath());
  op.request_body = Body(Ref("Snooze"), true, "until when");
  op.responses["200"] = Reply("the alert", Ref("Alert"));
  p["/api/v1/alerts/{alert_id}/snooze"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});

  op = Token("End an alert's snooze", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("the alert", Ref("Alert"));
  p["/api/v1/alerts/{alert_id}/snooze"]["delete"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});
}

// The operations under /api/v1/jobs and /api/v1/traces.
void AddJobAndTracePaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("Recent jobs, newest first", "jobs");
  op.parameters =
      Json::array({TenantQuery(),
                   QueryParam("state", "only this state",
                              Enum({"waiting", "delayed", "active", "completed", "failed"})),
                   Limit()});
  op.responses["200"] = Reply("the jobs", Ref("JobList"));
  p["/api/v1/jobs"]["get"] = Build(op, {"BadRequest", "Unauthorized", "NotFound", "RateLimited"});

  op = Token("One job", "jobs");
  op.parameters.push_back(PathParam("job_id", "the job's id", String()));
  op.responses["200"] = Reply("the job", Ref("Job"));
  p["/api/v1/jobs/{job_id}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("A trace as a waterfall of spans", "traces");
  op.parameters.push_back(PathParam("trace_id", "the trace's id", String()));
  op.responses["200"] = Reply("its spans in start order", Ref("Trace"));
  p["/api/v1/traces/{trace_id}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});
}

// The operations under /api/v1/openapi.json.
void AddDocumentPath(Json* paths) {
  Json& p = *paths;
  Operation op = Token("This document", "ops");
  op.is_public = true;
  op.responses["200"] = Reply("OpenAPI 3.0.3", FreeObject("the OpenAPI document"));
  p["/api/v1/openapi.json"]["get"] = Build(op, {});
}

// The operations under /hooks.
void AddWebhookPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("A webhook: enqueue a sync of the data source now", "webhooks");
  op.is_public = true;
  op.parameters = Json::array(
      {SourcePath(),
       HeaderParam("Vigil-Signature", true,
                   "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" keyed with the "
                   "data source's webhook secret (vigil webhook secret)>; several v1= allowed; "
                   "t within 300 s of the server's clock"),
       HeaderParam("Vigil-Delivery", false,
                   "a unique id per delivery (1-128 of A-Z a-z 0-9 . _ : -); a delivery seen "
                   "before is refused. Absent: the signature is the delivery id")});
  op.request_body = {
      {"required", false},
      {"description", "any bytes; signed, not parsed"},
      {"content", {{"*/*", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  op.responses["202"] = Reply("the sync is enqueued", Ref("WebhookAccepted"));
  op.responses["401"] = Reply(
      "invalid_signature (missing, malformed or not matching) or "
      "stale_timestamp (t too far from now)",
      Ref("Error"));
  op.responses["409"] = Reply("replayed_delivery: this delivery was received before", Ref("Error"));
  p["/hooks/{source_id}"]["post"] =
      Build(op, {"BadRequest", "NotFound", "PayloadTooLarge", "RateLimited", "Unavailable"});
}

// The operations under /metrics, /healthz and /readyz.
void AddOpsPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("Prometheus metrics (text format 0.0.4)", "ops");
  op.is_public = true;
  op.responses["200"] = {
      {"description",
       "queue depth, job latency, sync and analysis durations, statements per "
       "analysis, open alerts by type and severity, outbox backlogs, HTTP requests"},
      {"content", {{"text/plain", {{"schema", String()}}}}}};
  p["/metrics"]["get"] = Build(op, {});

  op = Token("Liveness: the process answers", "ops");
  op.is_public = true;
  op.responses["200"] = Reply("alive", Object({{"status", Enum({"ok"})}}, {"status"}));
  p["/healthz"]["get"] = Build(op, {});

  op = Token("Readiness: the database and the configured backends (Redis, NATS) answer", "ops");
  op.is_public = true;
  op.responses["200"] = Reply("ready", Ref("Readiness"));
  op.responses["503"] = Reply("not ready; each failing check has a reason", Ref("Readiness"));
  p["/readyz"]["get"] = Build(op, {});
}

Json Paths() {
  Json p;
  AddTenantPaths(&p);
  AddSourcePaths(&p);
  AddAlertPaths(&p);
  AddJobAndTracePaths(&p);
  AddDocumentPath(&p);
  AddWebhookPaths(&p);
  AddOpsPaths(&p);
  return p;
}

std::string BuildDocument() {
  Json doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {
      {"title", "vigil API"},
      {"version", "1"},
      {"description",
       "vigil's HTTP API. Errors are JSON {\"error\": {\"code\", \"message\"}} with a stable "
       "code. A tenant token sees only its tenant: another tenant's objects answer exactly as "
       "missing ones (404). Lists answer {\"items\": [...]} (cursor-paged ones also "
       "\"next_cursor\"); times are ISO 8601 UTC; ids are numbers except job and trace ids."}};
  doc["servers"] = Json::array({{{"url", "/"}}});
  doc["security"] = Json::array({{{"bearerAuth", Json::array()}}});
  doc["paths"] = Paths();
  doc["components"] = {
      {"securitySchemes",
       {{"bearerAuth",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"description", "vigil_<64 hex>, from `vigil token create`; shown once"}}}}},
      {"schemas", Schemas()},
      {"responses", Responses()}};
  return doc.dump(2);
}

}  // namespace

std::string_view OpenApiDocument() {
  static const std::string document = BuildDocument();
  return document;
}

}  // namespace vigil
