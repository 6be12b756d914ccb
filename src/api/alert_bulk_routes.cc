// POST /api/v1/alerts/bulk: one operator action on many alerts, all or
// nothing.
//   {"ids": [alert id, ...] (1 to 1000, distinct),
//    "action": "acknowledge" | "snooze" | "unsnooze",
//    "until": ISO 8601 in the future (snooze only, and required there),
//    "reason": string of at most 500 characters (optional)}
// -> 200 {"items": [the alerts afterwards, as the single routes answer them,
// in the order of ids]}. An id that does not exist or belongs to a tenant
// the token may not see answers 404 "alerts not found: 12, 40" (every such
// id, in the order given) and nothing changes; a body that is not as above
// answers 400 naming the field. Each alert's action is logged with its
// reason (alerts/alert_actions.h), in the one transaction.
#include <cstdint>
#include <set>
#include <vector>

#include "alerts/alert_actions.h"
#include "alerts/alert_json.h"
#include "api/alert_route_support.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/routes.h"

namespace vigil {
namespace {

Status BadIds(const std::string& message) { return Status::InvalidArgument("ids" + message); }

// The "ids" of `body`: positive integers, distinct, 1 to kMaxAlertsPerAction.
Result<std::vector<int64_t>> IdsField(const nlohmann::json& body) {
  auto it = body.find("ids");
  if (it == body.end() || it->is_null()) return BadIds(": required");
  if (!it->is_array()) {
    return BadIds(std::string(": expected an array of alert ids, got ") + it->type_name());
  }
  if (it->empty() || it->size() > kMaxAlertsPerAction) {
    return BadIds(": expected 1 to " + std::to_string(kMaxAlertsPerAction) + " alert ids, got " +
                  std::to_string(it->size()));
  }
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& item = (*it)[i];
    const std::string at = "[" + std::to_string(i) + "]";
    const bool integer = item.is_number_integer();
    const bool positive = item.is_number_unsigned()
                              ? item.get<uint64_t>() <= uint64_t{INT64_MAX} && item != 0
                              : integer && item.get<int64_t>() >= 1;
    if (!positive) {
      return BadIds(at + ": expected an alert id (a positive integer), got " +
                    (integer ? item.dump() : std::string(item.type_name())));
    }
    const int64_t id = item.get<int64_t>();
    if (!seen.insert(id).second) return BadIds(at + ": " + std::to_string(id) + " is given twice");
    ids.push_back(id);
  }
  return ids;
}

// The action, its "until" and "reason" from `body` into *out.
Status ActionFields(const nlohmann::json& body, TimeMs now, AlertActionRequest* out) {
  VIGIL_ASSIGN_OR_RETURN(std::string name, RequiredStringField(body, "action"));
  std::optional<AlertAction> action = ParseAlertAction(name);
  if (!action) {
    return Status::InvalidArgument("action: \"" + name +
                                   "\" is not an action (acknowledge, snooze, unsnooze)");
  }
  out->action = *action;
  if (*action == AlertAction::kSnooze) {
    VIGIL_ASSIGN_OR_RETURN(out->until, UntilField(body, now));
  } else if (body.contains("until") && !body["until"].is_null()) {
    return Status::InvalidArgument("until: only for the action snooze, not " + name);
  }
  VIGIL_ASSIGN_OR_RETURN(out->reason, ReasonField(body));
  return Status::Ok();
}

ApiResponse BulkRoute(const ApiRequest& request, RouteCall& call) {
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"ids", "action", "until", "reason"}, &body)) {
    return *bad;
  }
  Result<std::vector<int64_t>> ids = IdsField(body);
  if (!ids.ok()) return ErrorFromStatus(ids.status());
  AlertActionRequest action;
  action.by = call.principal->token_name;
  action.now = call.env->clock->NowMs();
  action.tenant_id = call.principal->tenant_id;
  if (Status s = ActionFields(body, action.now, &action); !s.ok()) return ErrorFromStatus(s);
  Result<std::vector<AlertRow>> alerts = ApplyAlertAction(call.db, *ids, action);
  if (!alerts.ok()) return ErrorFromStatus(alerts.status());
  nlohmann::json items = nlohmann::json::array();
  for (const AlertRow& alert : *alerts) items.push_back(nlohmann::json(AlertJsonValue(alert)));
  return JsonResponse(200, {{"items", std::move(items)}});
}

}  // namespace

void AddAlertBulkRoutes(Router* router) {
  router->Add({"POST", "/api/v1/alerts/bulk", RouteAuth::kToken, BulkRoute});
}

}  // namespace vigil
