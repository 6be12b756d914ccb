// The OpenAPI description of what the console reads and does besides the
// alert routes: an alert's action log, bulk actions on alerts
// (api/alert_bulk_routes.cc) and the overview (api/overview.h). (The
// console's own files are openapi_console.cc.)
#include "api/openapi_parts.h"

namespace vigil::openapi {
namespace {

Json Nullable(Json schema) {
  schema["nullable"] = true;
  return schema;
}

Json Count(const std::string& description) {
  Json s = Integer(description);
  s["minimum"] = 0;
  return s;
}

void AddOverviewSchemas(Json* schemas) {
  Json& s = *schemas;
  s["OverviewSource"] = Object(
      {{"id", Integer()},
       {"name", String()},
       {"provider", String()},
       {"status", Enum({"ok", "failed", "stale", "never"},
                       "never synced; the last sync failed; the last successful sync is older "
                       "than the tenant's max_sync_age_hours; or ok")},
       {"last_sync_at", NullableTime("the last sync, successful or not")},
       {"error", Nullable(String("the last sync's error"))},
       {"unavailable",
        ArrayOf(Object({{"kind", String("a kind of data: user, signin, ...")},
                        {"reason", String("why the last sync could not give it, e.g. a "
                                          "licence it needs")}},
                       {"kind", "reason"}))}},
      {"id", "name", "provider", "status", "last_sync_at", "error", "unavailable"});
  s["OverviewTenant"] = Object(
      {{"tenant", String("the tenant's name")},
       {"open", Object({{"critical", Count("")},
                        {"high", Count("")},
                        {"medium", Count("")},
                        {"low", Count("")},
                        {"total", Count("")}},
                       {"critical", "high", "medium", "low", "total"})},
       {"flapping", Count("open alerts that are flapping")},
       {"snoozed", Count("open alerts snoozed beyond now")},
       {"last_sync_at", NullableTime("the newest sync of its data sources")},
       {"last_analysis_at", NullableTime("when its newest analysis was recorded")},
       {"sources", ArrayOf(Ref("OverviewSource"))},
       {"trend", ArrayOf(Object({{"day", {{"type", "string"}, {"format", "date"}}},
                                 {"open", Count("open alerts at the end of the day (UTC): the "
                                                "day's last analysis, else the last earlier "
                                                "day's, 0 before any")}},
                                {"day", "open"}))}},
      {"tenant", "open", "flapping", "snoozed", "last_sync_at", "last_analysis_at", "sources",
       "trend"});
  s["OverviewTenant"]["properties"]["trend"]["minItems"] = 30;
  s["OverviewTenant"]["properties"]["trend"]["maxItems"] = 30;
  s["Overview"] = Object(
      {{"generated_at", Time("when it was read")}, {"tenants", ArrayOf(Ref("OverviewTenant"))}},
      {"generated_at", "tenants"});
}

}  // namespace

void AddConsoleApiSchemas(Json* schemas) {
  Json& s = *schemas;
  s["AlertAction"] = Object({{"id", Integer()},
                             {"at", Time("when")},
                             {"action", Enum({"acknowledged", "snoozed", "unsnoozed"})},
                             {"by", String("the API token's name")},
                             {"until", NullableTime("the snooze's end (snoozed only)")},
                             {"reason", String("as given; empty when none was")}},
                            {"id", "at", "action", "by", "until", "reason"});
  s["AlertActionList"] = Object({{"items", ArrayOf(Ref("AlertAction"))}}, {"items"});
  s["AlertBulkAction"] = Object({{"ids",
                                  {{"type", "array"},
                                   {"items", Integer()},
                                   {"minItems", 1},
                                   {"maxItems", 1000},
                                   {"uniqueItems", true}}},
                                 {"action", Enum({"acknowledge", "snooze", "unsnooze"})},
                                 {"until", Time("snooze only (and required there): in the future")},
                                 {"reason", {{"type", "string"}, {"maxLength", 500}}}},
                                {"ids", "action"});
  AddOverviewSchemas(schemas);
}

void AddConsoleApiPaths(Json* paths) {
  Json& p = *paths;
  Operation op = Token(
      "Acknowledge, snooze or unsnooze many alerts at once, all or nothing; each is logged "
      "with the reason",
      "alerts");
  op.request_body = Body(Ref("AlertBulkAction"), true, "the alerts and the action");
  op.responses["200"] = Reply("the alerts afterwards, in the order of ids", Ref("AlertList"));
  op.responses["404"] = Reply(
      "alerts not found: 12, 40 -- every id that does not exist or is of another tenant; "
      "nothing changed",
      Ref("Error"));
  p["/api/v1/alerts/bulk"]["post"] =
      Build(op, {"BadRequest", "Unauthorized", "PayloadTooLarge", "RateLimited"});

  op = Token(
      "Every tenant the token may see (a tenant token: its own), worst first: open alerts by "
      "severity, flapping and snoozed ones, data sources' health, last sync and analysis, the "
      "open alerts of the last 30 days",
      "tenants");
  op.parameters.push_back(QueryParam("tenant", "only this tenant (by name)", String()));
  op.responses["200"] = Reply("the overview", Ref("Overview"));
  p["/api/v1/overview"]["get"] = Build(op, {"Unauthorized", "NotFound", "RateLimited"});
}

}  // namespace vigil::openapi
