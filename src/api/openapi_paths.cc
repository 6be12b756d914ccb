#include "api/openapi_parts.h"

namespace vigil::openapi {
namespace {

// ---- parameters -----------------------------------------------------------

Json TenantPath() { return PathParam("tenant", "the tenant's name", String()); }
Json SourcePath() { return PathParam("source_id", "the data source's id", Integer()); }
Json AlertPath() { return PathParam("alert_id", "the alert's id", Integer()); }
Json ChannelPath() { return PathParam("channel", "the channel's name", String()); }
Json ExclusionPath() { return PathParam("exclusion_id", "the exclusion's id", Integer()); }
Json Limit() {
  Json schema = {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 100}};
  return QueryParam("limit", "page size (at most ApiLimits::max_page_size, 1000 by default)",
                    schema);
}
Json TenantQuery() {
  return QueryParam("tenant", "only this tenant (by name); a tenant token sees only its own",
                    String());
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

  op = Token("A tenant's exclusions, in id order", "tenants");
  op.parameters.push_back(TenantPath());
  op.responses["200"] = Reply("the exclusions", Ref("ExclusionList"));
  p["/api/v1/tenants/{tenant}/exclusions"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Exclude a user, the members of a group or a SKU from one alert type or all "
             "(never privilege.*); added_by is the token's name",
             "tenants");
  op.parameters.push_back(TenantPath());
  op.request_body = Body(Ref("ExclusionInput"), true, "the exclusion");
  op.responses["201"] = Reply("added", Ref("Exclusion"));
  op.responses["409"] = Reply("the tenant has this exclusion already", Ref("Error"));
  p["/api/v1/tenants/{tenant}/exclusions"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});

  op = Token("Remove an exclusion (from the next analysis on)", "tenants");
  op.parameters.push_back(TenantPath());
  op.parameters.push_back(ExclusionPath());
  op.responses["200"] = Reply("the exclusion as it was", Ref("Exclusion"));
  p["/api/v1/tenants/{tenant}/exclusions/{exclusion_id}"]["delete"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});
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
  Operation op = Token(
      "List alerts, newest last, cursor-paged; or every match as CSV. A filtered page examines "
      "at most 10,000 alerts: it may hold fewer than `limit` items, even none, and still have a "
      "next_cursor; only a null next_cursor ends the list",
      "alerts");
  const Json flag = Enum({"true", "false"});
  op.parameters = Json::array(
      {TenantQuery(),
       QueryParam("type",
                  "an alert type, or a glob over them (`*` any run, `?` one character: "
                  "mfa.*, *.stale_*) matching at least one",
                  String()),
       QueryParam("state", "default open", Enum({"open", "resolved", "all"})),
       QueryParam("severity", "a severity or a comma list of them (high,critical)", String()),
       QueryParam("flapping", "only flapping (true) or not flapping (false) alerts", flag),
       QueryParam("snoozed", "only alerts snoozed beyond now (true), or the others (false)",
                  flag),
       QueryParam("acknowledged", "only acknowledged (true) or unacknowledged (false) alerts",
                  flag),
       QueryParam("q",
                  "a case-insensitive substring of subject_name (UPN, SKU part number) or "
                  "subject, at most 200 characters",
                  {{"type", "string"}, {"maxLength", 200}}),
       Limit(), QueryParam("cursor", "next_cursor of the previous page", String()),
       QueryParam("format",
                  "json (default) or csv: every match (from the cursor on, at most 100,000, "
                  "then a line \"# truncated at 100000 alerts\"), as Accept: text/csv asks too",
                  Enum({"json", "csv"}))});
  op.responses["200"] = Reply("one page of alerts", Ref("AlertList"));
  op.responses["200"]["content"]["text/csv"] = {
      {"schema",
       String("RFC 4180, CRLF lines, header id,tenant,type,severity,state,subject_name,"
              "subject,first_seen,last_seen,resolved_at,flapping,acknowledged_at,"
              "acknowledged_by,snoozed_until; cells starting with =, +, -, @, tab or CR get a "
              "leading '")}};
  op.responses["200"]["headers"] = {
      {"Content-Disposition",
       {{"schema", String()}, {"description", "CSV only: attachment; filename=\"alerts.csv\""}}}};
  p["/api/v1/alerts"]["get"] = Build(op, {"BadRequest", "Unauthorized", "NotFound", "RateLimited"});

  op = Token("One alert with its history and its action log", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("the alert", Ref("AlertWithHistory"));
  p["/api/v1/alerts/{alert_id}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("An alert's history, oldest first", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("every change", Ref("HistoryEntryList"));
  p["/api/v1/alerts/{alert_id}/history"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("An alert's action log (acknowledged, snoozed, unsnoozed), oldest first", "alerts");
  op.parameters.push_back(AlertPath());
  op.responses["200"] = Reply("every action", Ref("AlertActionList"));
  p["/api/v1/alerts/{alert_id}/actions"]["get"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Acknowledge an alert (its state does not change)", "alerts");
  op.parameters.push_back(AlertPath());
  op.request_body = Body(Ref("Acknowledge"), false, "optional reason");
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
  op.request_body = Body(Ref("Unsnooze"), false, "optional reason");
  op.responses["200"] = Reply("the alert", Ref("Alert"));
  p["/api/v1/alerts/{alert_id}/snooze"]["delete"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});
}

// The operations under /api/v1/channels and /api/v1/notifications.
void AddDeliveryPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token("List channels (a tenant token: those its tenant owns)", "delivery");
  op.parameters.push_back(
      QueryParam("tenant", "only the channels this tenant owns (by name)", String()));
  op.responses["200"] = Reply("the channels, by name", Ref("ChannelList"));
  p["/api/v1/channels"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Add a channel with its route (a tenant token: owned by its tenant, routing only it)",
             "delivery");
  op.request_body = Body(Ref("ChannelInput"), true, "the channel; its secrets are sealed");
  op.responses["201"] = Reply("created", Ref("ChannelCreated"));
  op.responses["409"] = Reply(
      "conflict: the name is taken, or the server has no secret key to seal with", Ref("Error"));
  op.responses["503"] =
      Reply("unavailable: this server cannot check channels (or a backend is down)", Ref("Error"));
  p["/api/v1/channels"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "PayloadTooLarge", "RateLimited"});

  op = Token("One channel", "delivery");
  op.parameters.push_back(ChannelPath());
  op.responses["200"] = Reply("the channel", Ref("Channel"));
  p["/api/v1/channels/{channel}"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("Remove a channel and its pending notifications (the delivery log stays)", "delivery");
  op.parameters.push_back(ChannelPath());
  op.responses["200"] = Reply("the channel as it was", Ref("Channel"));
  p["/api/v1/channels/{channel}"]["delete"] =
      Build(op, {"Unauthorized", "NotFound", "RateLimited"});

  op = Token("The delivery log: notifications, newest first, paged by id", "delivery");
  op.parameters = Json::array(
      {QueryParam("tenant", "only this tenant (by name); a tenant token sees only its own",
                  String()),
       QueryParam("channel", "only this channel (by name; one the caller may see)", String()),
       QueryParam("alert", "only this alert id", Integer()),
       QueryParam("state", "only this state", Enum({"pending", "sent", "failed", "suppressed"})),
       Limit(),
       QueryParam("before", "only ids below this: next_before of the previous page", Integer())});
  op.responses["200"] = Reply("one page of notifications", Ref("NotificationList"));
  p["/api/v1/notifications"]["get"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "RateLimited"});
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

// The operations under /api/v1/events.
void AddEventPaths(Json* paths) {
  Operation op = Token("Live events as Server-Sent Events (a tenant token: its own tenant's)",
                       "events");
  op.parameters = Json::array(
      {TenantQuery(),
       QueryParam("type", "a type (alert.opened), a family (alert.*) or * (every type)", String()),
       QueryParam("last_event_id", "start after this event id (when no Last-Event-ID header)",
                  Integer()),
       HeaderParam("Last-Event-ID", false,
                   "start after this event id (EventSource sends it when it reconnects); "
                   "neither: only events newer than the connection")});
  op.responses["200"] = {
      {"description",
       "opens with \"retry: 2000\" and \"id: <start>\", or with an event \"reset\" "
       "({\"reason\": ...}) when the events after the start id were pruned; then, in id "
       "order, \"id: <outbox id>\", \"event: <type>\", \"data: <payload JSON with tenant>\" "
       "per event, and \": keep-alive\" comments during silences. Ends when the token is "
       "revoked"},
      {"content", {{"text/event-stream", {{"schema", String()}}}}}};
  (*paths)["/api/v1/events/stream"]["get"] =
      Build(op, {"BadRequest", "Unauthorized", "NotFound", "RateLimited", "Unavailable"});
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

}  // namespace

Json Paths() {
  Json p;
  AddTenantPaths(&p);
  AddSourcePaths(&p);
  AddAlertPaths(&p);
  AddDeliveryPaths(&p);
  AddJobAndTracePaths(&p);
  AddEventPaths(&p);
  AddRolloutPaths(&p);
  AddSessionPaths(&p);
  AddConsoleApiPaths(&p);
  AddDocumentPath(&p);
  AddWebhookPaths(&p);
  AddOpsPaths(&p);
  AddConsolePaths(&p);
  return p;
}

}  // namespace vigil::openapi
