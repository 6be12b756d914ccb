#include "api/openapi_parts.h"

namespace vigil::openapi {
namespace {

// ---- schemas --------------------------------------------------------------

// Schemas of the error body every failure answers with.
void AddErrorSchema(Json* schemas) {
  Json& s = *schemas;
  s["Error"] = Object(
      {{"error",
        Object({{"code",
                 Enum({"bad_request", "invalid_json", "json_too_deep", "unauthorized", "forbidden",
                       "not_found", "method_not_allowed", "request_timeout", "conflict",
                       "payload_too_large", "headers_too_large", "unsupported_media_type",
                       "rate_limited", "invalid_signature",
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

}  // namespace

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

}  // namespace vigil::openapi
