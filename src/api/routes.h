// The API's route groups, one file each; Api (api/api.h) adds them all.
#pragma once

#include "api/router.h"

namespace vigil {

void AddTenantRoutes(Router* router);   // tenants and their preferences (tenant_routes.cc)
void AddExclusionRoutes(Router* router);  // a tenant's exclusions (exclusion_routes.cc)
void AddSourceRoutes(Router* router);   // data sources: list, add, test, sync (source_routes.cc)
void AddAlertRoutes(Router* router);    // one alert: history, actions, acknowledge, snooze
                                        // (alert_routes.cc)
void AddAlertListRoutes(Router* router);  // the alert list, as JSON pages or CSV
                                          // (alert_list_routes.cc)
void AddAlertBulkRoutes(Router* router);  // one action on many alerts (alert_bulk_routes.cc)
void AddOverviewRoutes(Router* router);   // every tenant's posture at once (overview_routes.cc)
void AddChannelRoutes(Router* router);  // delivery channels (channel_routes.cc)
void AddNotificationRoutes(Router* router);  // the delivery log (notification_routes.cc)
void AddJobRoutes(Router* router);           // jobs (job_routes.cc)
void AddTraceRoutes(Router* router);         // traces as waterfalls (trace_routes.cc)
void AddEventStreamRoutes(Router* router);   // live events, SSE (event_stream_routes.cc)
void AddRolloutRoutes(Router* router);       // rule rollouts, admin only (rollout_routes.cc)
void AddWebhookRoutes(Router* router);       // POST /hooks/{source_id} (webhook_routes.cc)
void AddSessionRoutes(Router* router);       // who the token is, the alert types (session_routes.cc)
void AddOpsRoutes(Router* router);  // /healthz, /readyz, /metrics, openapi.json (ops_routes.cc)
void AddConsoleRoutes(Router* router);  // the console's files at / and /assets/ (console_routes.cc)

}  // namespace vigil
