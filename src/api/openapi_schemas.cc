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
                             {"flap_threshold", Integer("state changes within flap_window that "
                                                        "make an alert flapping; 0: off")},
                             {"flap_window", String("a duration such as \"6h\" or \"90m\"")},
                             {"disabled_alert_types", ArrayOf(String("an alert type"))},
                             {"severity_overrides",
                              {{"type", "object"},
                               {"additionalProperties", Enum({"low", "medium", "high", "critical"})},
                               {"description",
                                "alert type -> the severity its alerts get instead of their "
                                "own; the history of an alert whose severity an override "
                                "changed says \"(severity override)\""}}}});
  s["Preferences"]["description"] =
      "the effective preferences: the defaults overlaid by the stored values";
  s["PreferencesUpdate"] = s["Preferences"];
  s["PreferencesUpdate"]["description"] =
      "a partial update: only the keys given change, all of them in one transaction; "
      "min_global_admins may not end up above max_global_admins";
  s["Exclusion"] = Object(
      {{"id", Integer()},
       {"tenant", String("the tenant's name")},
       {"kind", Enum({"user", "group", "sku"})},
       {"value", String("user: object id or UPN (stored in lower case); group: object id "
                        "(its members are excluded); sku: part number (its license.* alerts)")},
       {"alert_type", String("one alert type, or \"*\": every alert type but privilege.*")},
       {"reason", String("why")},
       {"added_by", String("who added it: the API token's name, or the person (CLI)")},
       {"added_at", Time("when it was added")}},
      {"id", "tenant", "kind", "value", "alert_type", "reason", "added_by", "added_at"});
  s["Exclusion"]["description"] =
      "findings it matches open no alert; an open alert whose subject becomes excluded "
      "resolves with the reason \"excluded (exclusion N: <reason>)\"";
  s["ExclusionInput"] =
      Object({{"kind", Enum({"user", "group", "sku"})},
              {"value", String("user: object id or UPN; group: object id; sku: part number")},
              {"alert_type", String("one alert type (not privilege.*), or \"*\" (the default)")},
              {"reason", String("why (required)")}},
             {"kind", "value", "reason"});
}

// Schemas of data sources, their checks, and the answers of a sync or webhook request.
void AddSourceSchemas(Json* schemas) {
  Json& s = *schemas;
  s["DataSource"] =
      Object({{"id", Integer()},
              {"tenant", String("the tenant's name")},
              {"name", String()},
              {"provider", String("microsoft365, graph_json, google_workspace, synthetic")},
              {"settings", FreeObject("provider settings; secrets show as \"(sealed)\"")},
              {"schedule", FreeObject("{every, window, enabled, next_run_at}, or null")},
              {"last_sync", FreeObject("{at, status, error}, or null")},
              {"not_available", ArrayOf(FreeObject("{kind, reason, checked_at}"))}},
             {"id", "tenant", "name", "provider"});
  s["DataSource"]["properties"]["schedule"]["nullable"] = true;
  s["DataSource"]["properties"]["last_sync"]["nullable"] = true;
  s["DataSourceInput"] =
      Object({{"tenant", String("the tenant's name")},
              {"provider", Enum({"microsoft365", "graph_json", "google_workspace"})},
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
              {"customer_id", String("google_workspace: the Workspace customer id (default "
                                     "my_customer)")},
              {"admin_email", String("google_workspace: the administrator the service account "
                                     "acts as (domain-wide delegation)")},
              {"service_account_key",
               {{"description",
                 "google_workspace: the service account's JSON key file, as its text or as the "
                 "object; sealed before it is stored; never returned (a token_uri other than "
                 "Google's: admin tokens only)"},
                {"oneOf", Json::array({{{"type", "string"}}, {{"type", "object"}}})}}},
              {"token_url", String("google_workspace: OAuth token endpoint (admin tokens only)")},
              {"api_url", String("google_workspace: Admin SDK base URL (admin tokens only)")},
              {"licensing_url",
               String("google_workspace: License Manager base URL (admin tokens only)")},
              {"every", String("sync interval, e.g. 1h")}},
             {"tenant", "provider"});
  const Json boolean = {{"type", "boolean"}};
  s["SourceTest"] = Object(
      {{"data_source", Integer()},
       {"provider", String("microsoft365 or google_workspace")},
       {"tenant_id", String("the Entra ID tenant; google_workspace: the customer id")},
       {"client_id", String("the app registration; google_workspace: the service account's "
                            "email")},
       {"admin_email", {{"type", "string"},
                        {"nullable", true},
                        {"description", "google_workspace: the administrator acted as"}}},
       {"ok", boolean},
       {"failed", Integer("checks that failed")},
       {"missing_permissions",
        ArrayOf(String("an application permission to grant; google_workspace: an OAuth scope "
                       "Google refused"))},
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
       {"snoozed_until", NullableTime("notifications muted until then; never changes state")},
       {"flapping",
        {{"type", "boolean"},
         {"description",
          "changed state flap_threshold times within flap_window and has not "
          "held one state for a whole window since"}}}},
      {"id", "tenant", "type", "subject", "subject_name", "severity", "state", "first_seen",
       "last_seen", "resolved_at", "details"});
  s["Alert"]["properties"]["tag"]["nullable"] = true;
  s["Alert"]["properties"]["acknowledged"]["nullable"] = true;
  s["HistoryEntry"] = Object(
      {{"id", Integer()},
       {"alert_id", Integer()},
       {"at", Time("when it changed")},
       {"transition", Enum({"opened", "updated", "resolved", "reopened", "flapping", "stable"})},
       {"from_state", String()},
       {"to_state", String()},
       {"severity", String()},
       {"reason", String()},
       {"details", FreeObject("the details after the change")},
       {"trace_id", String()},
       {"rule_version", Integer("the rule version of the analysis that made the change")}},
      {"id", "alert_id", "at", "transition"});
  s["HistoryEntry"]["properties"]["from_state"]["nullable"] = true;
  s["AlertWithHistory"] = {
      {"allOf",
       Json::array({Ref("Alert"), Object({{"history", ArrayOf(Ref("HistoryEntry"))},
                                          {"actions", ArrayOf(Ref("AlertAction"))}},
                                         {"history", "actions"})})}};
  const Json reason = {{"type", "string"},
                       {"maxLength", 500},
                       {"description", "why (at most 500 characters); kept in the action log"}};
  s["Acknowledge"] = Object(
      {{"reason", reason},
       {"note", String("the older name of reason (give one of them)")}});
  s["Snooze"] = Object(
      {{"until", Time("ISO 8601; notifications are muted until then")}, {"reason", reason}},
      {"until"});
  s["Unsnooze"] = Object({{"reason", reason}});
}

// Schemas of delivery channels and the delivery log.
void AddDeliverySchemas(Json* schemas) {
  Json& s = *schemas;
  const Json kinds = Enum({"webhook", "slack", "teams", "email", "pagerduty", "alertmanager"});
  const Json changes =
      ArrayOf(Enum({"opened", "reopened", "resolved", "severity_changed", "updated", "repeat"}));
  const Json nullable_string = {{"type", "string"}, {"nullable", true}};
  s["ChannelRoute"] = Object(
      {{"tenants", ArrayOf(String("a tenant's name"))},
       {"types", ArrayOf(String("an alert type glob: * any run, ? one character"))},
       {"min_severity", Enum({"low", "medium", "high", "critical"})},
       {"changes", changes},
       {"group_wait", String("a duration: changes of a tenant within it go out as one message")},
       {"repeat_interval", String("a duration: remind of alerts still open; 0ms: never")},
       {"digest", nullable_string},
       {"timezone", nullable_string}});
  s["ChannelRoute"]["description"] =
      "which alert changes go to the channel; empty tenants or types: all. flapping and "
      "stable are sent whenever the route takes the alert";
  s["Channel"] = Object(
      {{"id", Integer()},
       {"name", String()},
       {"kind", kinds},
       {"tenant",
        {{"type", "string"}, {"nullable", true}, {"description", "the owner; null: MSP-wide"}}},
       {"route", Ref("ChannelRoute")},
       {"give_up", String("a duration: retrying a message stops after it")},
       {"timeout", String("a duration: one attempt's limit")},
       {"max_retry_wait", String("a duration: retries wait 1s, doubling up to it")},
       {"max_per_second", {{"type", "number"}, {"description", "0: the kind's default"}}},
       {"smtp_url", String("email only")},
       {"smtp_user", String("email only")},
       {"from", String("email only")},
       {"to", ArrayOf(String("email only: a recipient"))},
       {"secrets", ArrayOf(Enum({"url", "signing_secret", "routing_key", "smtp_password"},
                                "a secret the channel holds; its value is never returned"))},
       {"created_at", Time("when it was added")},
       {"last_attempt_at", NullableTime("the latest delivery attempt")},
       {"last_outcome",
        {{"type", "string"}, {"nullable", true}, {"enum", {"sent", "retry", "failed", nullptr}}}},
       {"last_error", String("the latest attempt's error, if any")},
       {"pending", Integer("notifications waiting")},
       {"failed", Integer("notifications given up on")}},
      {"id", "name", "kind", "tenant", "route", "secrets", "created_at", "pending", "failed"});
  s["ChannelCreated"] = {
      {"allOf",
       Json::array({Ref("Channel"),
                    Object({{"signing_secret",
                             String("webhook, when none was given: the generated HMAC-SHA256 "
                                    "key of X-Vigil-Signature; shown only in this answer")}})})}};
  Json route_input = s["ChannelRoute"];
  route_input["properties"]["group_wait"] = String("a duration such as 30s; 0 sends at once");
  route_input["properties"]["repeat_interval"] = String("a duration; 0 (the default): never");
  route_input["properties"]["digest"] = String("daily@HH:MM: one message a day instead");
  route_input["properties"]["timezone"] = String("the digest's IANA time zone (default UTC)");
  route_input["description"] =
      "defaults: every tenant and type, min_severity low, changes opened, reopened, resolved, "
      "group_wait 30s; a tenant token may name only its own tenant";
  s["ChannelInput"] = Object(
      {{"name", String("1 to 64 letters, digits, '.', '-', '_'; unique")},
       {"kind", kinds},
       {"tenant", String("the owner (admin tokens: any tenant, default none, i.e. MSP-wide; "
                         "tenant tokens: only their own, the default)")},
       {"url", String("webhook, slack, teams, alertmanager, pagerduty (optional): the "
                      "receiver's URL; sealed")},
       {"signing_secret", String("webhook: the HMAC key; sealed; absent: one is generated and "
                                 "returned once")},
       {"routing_key", String("pagerduty: the Events API v2 routing key; sealed")},
       {"smtp_url", String("email: smtp://host:port or smtps://host:port")},
       {"smtp_user", String("email: the SMTP AUTH user")},
       {"smtp_password", String("email: sealed")},
       {"from", String("email: the sender")},
       {"to", ArrayOf(String("email: a recipient"))},
       {"route", route_input},
       {"give_up", String("a duration (default 6h)")},
       {"timeout", String("a duration (default 10s)")},
       {"max_retry_wait",
        String("a duration, at least 1s (default 5m): retries wait 1s, doubling up to it, or "
               "the receiver's Retry-After")},
       {"max_per_second",
        {{"type", "number"}, {"minimum", 0}, {"description", "0 (default): the kind's"}}}},
      {"name", "kind"});
  s["ChannelInput"]["additionalProperties"] = false;
  s["Notification"] = Object(
      {{"id", Integer()},
       {"key", String("the idempotency key, the same on every retry")},
       {"channel", String()},
       {"tenant", String()},
       {"alert_id", Integer()},
       {"alert_type", String()},
       {"subject_name", String()},
       {"change", String("opened, reopened, resolved, severity_changed, flapping, stable, ...")},
       {"at", Time("when the alert changed")},
       {"state", Enum({"pending", "sent", "failed", "suppressed"})},
       {"reason", String("why it was suppressed or failed")},
       {"attempts", Integer()},
       {"sent_at", NullableTime("when the receiver accepted it")},
       {"group_key", String("the message it went out in")},
       {"last_attempt", Object({{"at", Time("when")},
                                {"status", Integer("the receiver's status code")},
                                {"response", String("the first bytes of its answer")},
                                {"error", String()}})}},
      {"id", "key", "channel", "tenant", "alert_id", "change", "at", "state"});
  s["Notification"]["properties"]["last_attempt"]["nullable"] = true;
  s["NotificationList"] =
      Object({{"items", ArrayOf(Ref("Notification"))},
              {"next_before",
               {{"type", "integer"},
                {"format", "int64"},
                {"nullable", true},
                {"description", "pass as ?before= for the next page; null on the last"}}}},
             {"items", "next_before"});
  // Not an answer of this API: the body vigil POSTs to a webhook channel's
  // URL (README, "Delivering alerts"); versioned by its "version".
  s["WebhookMessage"] = Object(
      {{"version", Enum({"1"})},
       {"channel", String("the channel's name")},
       {"tenant", String("the tenant's name; null in a digest")},
       {"group_key", String("the message's idempotency key (also the Idempotency-Key header), "
                            "the same on every retry")},
       {"digest", {{"type", "boolean"}}},
       {"notifications",
        ArrayOf(Object({{"id", String("the notification's idempotency key; receivers drop one "
                                      "they have seen")},
                        {"change", String("opened, reopened, resolved, severity_changed, updated, "
                                          "flapping, stable or repeat")},
                        {"previous_severity", String("severity_changed: the severity before")},
                        {"at", Time("when the alert changed")},
                        {"trace_id", String("the trace of the analysis that changed it")},
                        {"alert", Ref("Alert")}},
                       {"id", "change", "previous_severity", "at", "trace_id", "alert"}))}},
      {"version", "channel", "tenant", "group_key", "digest", "notifications"});
  s["WebhookMessage"]["description"] =
      "The body of every POST vigil sends to a webhook channel, signed with the header "
      "X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> keyed with the "
      "channel's signing secret.";
  s["WebhookMessage"]["properties"]["tenant"]["nullable"] = true;
  s["WebhookMessage"]["properties"]["notifications"]["items"]["properties"]["previous_severity"]
   ["nullable"] = true;
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
  for (const char* item :
       {"Tenant", "DataSource", "Alert", "HistoryEntry", "Job", "Channel", "Exclusion"}) {
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
  AddDeliverySchemas(&s);
  AddJobAndTraceSchemas(&s);
  AddRolloutSchemas(&s);
  AddSessionSchemas(&s);
  AddConsoleApiSchemas(&s);
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
