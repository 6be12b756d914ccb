// The routes of one alert:
//   GET    /api/v1/alerts/{alert_id}              the alert with its "history" and "actions"
//   GET    /api/v1/alerts/{alert_id}/history      {"items": [history rows]}
//   GET    /api/v1/alerts/{alert_id}/actions      {"items": [action log rows]}
//   POST   /api/v1/alerts/{alert_id}/acknowledge  optional {"reason": "..."} ("note", its
//                                                  older name, is the same); the first
//                                                  acknowledgement stays
//   POST   /api/v1/alerts/{alert_id}/snooze       {"until": ISO 8601 in the future,
//                                                  optional "reason"}
//   DELETE /api/v1/alerts/{alert_id}/snooze       optional {"reason": "..."}
// An alert of another tenant answers exactly as a missing one (404). The
// actions answer the alert as it is afterwards; they never change its state,
// severity, details or history, and each is logged with its reason
// (alerts/alert_actions.h). The list is alert_list_routes.cc, bulk actions
// alert_bulk_routes.cc.
#include <string>
#include <vector>

#include "alerts/alert_actions.h"
#include "alerts/alert_json.h"
#include "alerts/alert_store.h"
#include "api/alert_route_support.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/routes.h"
#include "common/time.h"

namespace vigil {
namespace {

ApiResponse AlertResponse(const Result<AlertRow>& alert) {
  if (!alert.ok()) return ErrorFromStatus(alert.status());
  return JsonResponse(200, nlohmann::json(AlertJsonValue(*alert)));
}

nlohmann::json HistoryItems(const std::vector<HistoryRow>& history) {
  nlohmann::json items = nlohmann::json::array();
  for (const HistoryRow& row : history) items.push_back(nlohmann::json(HistoryJsonValue(row)));
  return items;
}

nlohmann::json ActionItems(const std::vector<AlertActionRow>& actions) {
  nlohmann::json items = nlohmann::json::array();
  for (const AlertActionRow& row : actions) {
    items.push_back(nlohmann::json(AlertActionJsonValue(row)));
  }
  return items;
}

ApiResponse GetAlertRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<std::vector<HistoryRow>> history = AlertHistory(call.db, alert.id);
  if (!history.ok()) return ErrorFromStatus(history.status());
  Result<std::vector<AlertActionRow>> actions = ListAlertActions(call.db, alert.id);
  if (!actions.ok()) return ErrorFromStatus(actions.status());
  nlohmann::json body = AlertJsonValue(alert);
  body["history"] = HistoryItems(*history);
  body["actions"] = ActionItems(*actions);
  return JsonResponse(200, body);
}

ApiResponse AlertHistoryRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<std::vector<HistoryRow>> history = AlertHistory(call.db, alert.id);
  if (!history.ok()) return ErrorFromStatus(history.status());
  return JsonResponse(200, {{"items", HistoryItems(*history)}});
}

ApiResponse AlertActionsRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<std::vector<AlertActionRow>> actions = ListAlertActions(call.db, alert.id);
  if (!actions.ok()) return ErrorFromStatus(actions.status());
  return JsonResponse(200, {{"items", ActionItems(*actions)}});
}

ApiResponse AcknowledgeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"reason", "note"}, &body)) return *bad;
  if (body.contains("reason") && body.contains("note")) {
    return ErrorResponse(400, api_error::kBadRequest,
                         "request body: give \"reason\" or \"note\" (its older name), not both");
  }
  Result<std::string> reason = ReasonField(body, body.contains("note") ? "note" : "reason");
  if (!reason.ok()) return ErrorFromStatus(reason.status());
  return AlertResponse(AcknowledgeAlert(call.db, alert.id, call.principal->token_name,
                                        call.env->clock->NowMs(), *reason));
}

ApiResponse SnoozeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"until", "reason"}, &body)) return *bad;
  const TimeMs now = call.env->clock->NowMs();
  Result<TimeMs> until = UntilField(body, now);
  if (!until.ok()) return ErrorFromStatus(until.status());
  Result<std::string> reason = ReasonField(body);
  if (!reason.ok()) return ErrorFromStatus(reason.status());
  return AlertResponse(
      SnoozeAlert(call.db, alert.id, *until, now, call.principal->token_name, *reason));
}

ApiResponse UnsnoozeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"reason"}, &body)) return *bad;
  Result<std::string> reason = ReasonField(body);
  if (!reason.ok()) return ErrorFromStatus(reason.status());
  return AlertResponse(UnsnoozeAlert(call.db, alert.id, call.principal->token_name,
                                     call.env->clock->NowMs(), *reason));
}

}  // namespace

void AddAlertRoutes(Router* router) {
  router->Add({"GET", "/api/v1/alerts/{alert_id}", RouteAuth::kToken, GetAlertRoute});
  router->Add({"GET", "/api/v1/alerts/{alert_id}/history", RouteAuth::kToken, AlertHistoryRoute});
  router->Add({"GET", "/api/v1/alerts/{alert_id}/actions", RouteAuth::kToken, AlertActionsRoute});
  router->Add(
      {"POST", "/api/v1/alerts/{alert_id}/acknowledge", RouteAuth::kToken, AcknowledgeRoute});
  router->Add({"POST", "/api/v1/alerts/{alert_id}/snooze", RouteAuth::kToken, SnoozeRoute});
  router->Add({"DELETE", "/api/v1/alerts/{alert_id}/snooze", RouteAuth::kToken, UnsnoozeRoute});
}

}  // namespace vigil
