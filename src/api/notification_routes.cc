// The delivery log (notify/notification_log.h):
//
//   GET /api/v1/notifications   ?tenant&channel&alert&state&limit&before
//       {"items": [notification...], "next_before": id or null}, newest first
//
// A notification is the JSON of notify/channel_json.h (as `vigil
// notifications --json`). A tenant token sees only its tenant's
// notifications (on any channel that routed them); ?tenant= narrows an
// admin's view to one tenant, and names a tenant the caller may not see as
// a missing one (404). ?channel= is a channel the caller may see
// (api/scope.h ResolveChannel; 404 otherwise). ?alert= is an alert id (an
// alert of another tenant simply matches nothing). ?state= is pending, sent,
// failed or suppressed.
//
// Paging is by id: the page holds the newest `limit` notifications with an
// id below ?before= (all when absent); "next_before" is the id to pass as
// ?before= for the next page, null on the last.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api_env.h"
#include "api/routes.h"
#include "api/scope.h"
#include "notify/channel_json.h"
#include "notify/notification_log.h"
#include "notify/notification_store.h"

namespace vigil {
namespace {

ApiResponse BadParameter(std::string_view name, const std::string& value, std::string_view what) {
  return ErrorResponse(400, api_error::kBadRequest,
                       std::string(name) + ": \"" + value + "\" is not " + std::string(what));
}

bool IsNotificationState(const std::string& state) {
  return state == kNotificationPending || state == kNotificationSent ||
         state == kNotificationFailed || state == kNotificationSuppressed;
}

// The filter the query asks for, scoped to the caller; or the 400/404.
std::optional<ApiResponse> FilterOf(const ApiRequest& request, const RouteCall& call,
                                    NotificationFilter* filter) {
  if (auto bad = PageSize(request, call, &filter->limit)) return bad;
  if (std::optional<std::string> state = request.Query("state")) {
    if (!IsNotificationState(*state)) {
      return BadParameter("state", *state,
                          "a notification state (pending, sent, failed, suppressed)");
    }
    filter->state = *state;
  }
  if (std::optional<std::string> alert = request.Query("alert")) {
    filter->alert_id = ParseId(*alert);
    if (!filter->alert_id) return BadParameter("alert", *alert, "an alert id");
  }
  if (std::optional<std::string> before = request.Query("before")) {
    std::optional<int64_t> id = ParseId(*before);
    if (!id) return BadParameter("before", *before, "a notification id (next_before)");
    filter->before_id = *id;
  }
  filter->tenant_id = call.principal->tenant_id;
  if (std::optional<std::string> name = request.Query("tenant")) {
    TenantRow tenant;
    if (auto missing = ResolveTenant(call, *name, &tenant)) return missing;
    filter->tenant_id = tenant.id;
  }
  if (std::optional<std::string> name = request.Query("channel")) {
    ChannelRow channel;
    if (auto missing = ResolveChannel(call, *name, &channel)) return missing;
    filter->channel = channel.name;
  }
  return std::nullopt;
}

ApiResponse ListNotificationsRoute(const ApiRequest& request, RouteCall& call) {
  NotificationFilter filter;
  if (auto error = FilterOf(request, call, &filter)) return *error;
  const int limit = filter.limit;
  filter.limit = limit + 1;  // one more tells whether a next page exists
  Result<std::vector<NotificationRow>> rows = ListNotifications(call.db, filter);
  if (!rows.ok()) return ErrorFromStatus(rows.status());
  nlohmann::json body = {{"items", nlohmann::json::array()}, {"next_before", nullptr}};
  const bool more = rows->size() > static_cast<size_t>(limit);
  if (more) rows->resize(limit);
  for (const NotificationRow& row : *rows) {
    body["items"].push_back(nlohmann::json(NotificationJsonValue(row)));
  }
  if (more) body["next_before"] = rows->back().id;
  return JsonResponse(200, body);
}

}  // namespace

void AddNotificationRoutes(Router* router) {
  router->Add({"GET", "/api/v1/notifications", RouteAuth::kToken, ListNotificationsRoute});
}

}  // namespace vigil
