// The alert routes:
//   GET    /api/v1/alerts                         ?tenant&type&state&severity&limit&cursor
//   GET    /api/v1/alerts/{alert_id}              the alert with its "history"
//   GET    /api/v1/alerts/{alert_id}/history      {"items": [history rows]}
//   POST   /api/v1/alerts/{alert_id}/acknowledge  optional {"note": "..."} (logged, not
//                                                  stored); the first acknowledgement stays
//   POST   /api/v1/alerts/{alert_id}/snooze       {"until": ISO 8601 in the future}
//   DELETE /api/v1/alerts/{alert_id}/snooze
// An alert of another tenant answers exactly as a missing one (404). The
// actions answer the alert as it is afterwards; they never change its state,
// severity, details or history (alerts/alert_actions.h).
#include <sodium.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "alerts/alert_actions.h"
#include "alerts/alert_json.h"
#include "alerts/alert_page.h"
#include "alerts/alert_store.h"
#include "analysis/alert_types.h"
#include "api/api_env.h"
#include "api/body_fields.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/scope.h"
#include "common/time.h"
#include "observe/log.h"

namespace vigil {
namespace {

constexpr std::string_view kCursorPrefix = "alerts:";

// next_cursor: base64url of "alerts:<last id>". Opaque to clients.
std::string EncodeCursor(int64_t after_id) {
  const std::string plain = std::string(kCursorPrefix) + std::to_string(after_id);
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_encoded_len(plain.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(plain.data()),
                    plain.size(), variant);
  text.resize(text.find('\0'));
  return text;
}

// The after_id of a cursor made by EncodeCursor, or none.
std::optional<int64_t> DecodeCursor(const std::string& text) {
  std::string plain(text.size(), '\0');
  size_t length = 0;
  if (text.empty() || sodium_base642bin(reinterpret_cast<unsigned char*>(plain.data()),
                                        plain.size(), text.data(), text.size(), nullptr, &length,
                                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  if (plain.compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) return std::nullopt;
  return ParseId(plain.substr(kCursorPrefix.size()));
}

// 400 bad_request: `<name>: "<value>" is not <what>`, `what` naming the
// accepted values.
ApiResponse BadParameter(std::string_view name, const std::string& value, std::string_view what) {
  return ErrorResponse(400, api_error::kBadRequest,
                       std::string(name) + ": \"" + value + "\" is not " + std::string(what));
}

std::string AlertTypeNames() {
  std::string names;
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

ApiResponse AlertResponse(const AlertRow& alert) {
  return JsonResponse(200, nlohmann::json(AlertJsonValue(alert)));
}

nlohmann::json HistoryItems(const std::vector<HistoryRow>& history) {
  nlohmann::json items = nlohmann::json::array();
  for (const HistoryRow& row : history) items.push_back(nlohmann::json(HistoryJsonValue(row)));
  return items;
}

// The alert {alert_id} when the caller may see it; otherwise the 404
// "alert <id> not found" (also for an id that is not a number).
std::optional<ApiResponse> ResolveAlert(const ApiRequest& request, const RouteCall& call,
                                        AlertRow* out) {
  const std::string& id = request.Param("alert_id");
  const std::string what = "alert " + id;
  std::optional<int64_t> alert_id = ParseId(id);
  if (!alert_id) return NotFoundResponse(what);
  Result<std::optional<AlertRow>> alert = GetAlert(call.db, *alert_id);
  if (!alert.ok()) return ErrorFromStatus(alert.status());
  if (!alert->has_value() || !call.principal->MaySee((*alert)->tenant_id)) {
    return NotFoundResponse(what);
  }
  *out = std::move(**alert);
  return std::nullopt;
}

// The request body as a JSON object holding only `known` fields (an empty
// body is {}); otherwise the 400 naming what is wrong.
std::optional<ApiResponse> BodyFields(const ApiRequest& request, const RouteCall& call,
                                      std::initializer_list<std::string_view> known,
                                      nlohmann::json* out) {
  if (request.body.empty()) {
    *out = nlohmann::json::object();
    return std::nullopt;
  }
  if (auto bad = ParseJsonBody(request.body, call.env->limits.max_json_depth, out)) return bad;
  if (Status s = CheckKnownFields(*out, known); !s.ok()) return ErrorFromStatus(s);
  return std::nullopt;
}

ApiResponse ListAlertsRoute(const ApiRequest& request, RouteCall& call) {
  AlertPageQuery query;
  if (auto bad = PageSize(request, call, &query.limit)) return *bad;
  if (std::optional<std::string> state = request.Query("state")) {
    std::optional<AlertStateFilter> filter = ParseAlertStateFilter(*state);
    if (!filter) return BadParameter("state", *state, "an alert state (open, resolved, all)");
    query.state = *filter;
  }
  if (std::optional<std::string> type = request.Query("type")) {
    if (FindAlertType(*type) == nullptr) {
      return BadParameter("type", *type, "an alert type (" + AlertTypeNames() + ")");
    }
    query.type = *type;
  }
  if (std::optional<std::string> severity = request.Query("severity")) {
    if (!ParseSeverity(*severity)) {
      return BadParameter("severity", *severity, "a severity (low, medium, high, critical)");
    }
    query.severity = *severity;
  }
  if (std::optional<std::string> cursor = request.Query("cursor")) {
    std::optional<int64_t> after_id = DecodeCursor(*cursor);
    if (!after_id) return BadParameter("cursor", *cursor, "a next_cursor of this listing");
    query.after_id = *after_id;
  }
  if (std::optional<std::string> tenant = request.Query("tenant")) {
    TenantRow row;
    if (auto missing = ResolveTenant(call, *tenant, &row)) return *missing;
    query.tenant_id = row.id;
  } else if (!call.principal->admin()) {
    query.tenant_id = call.principal->tenant_id;
  }
  Result<AlertPage> page = ListAlertsPage(call.db, query);
  if (!page.ok()) return ErrorFromStatus(page.status());
  nlohmann::json items = nlohmann::json::array();
  for (const AlertRow& alert : page->alerts) items.push_back(nlohmann::json(AlertJsonValue(alert)));
  nlohmann::json body = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (page->next_after_id) body["next_cursor"] = EncodeCursor(*page->next_after_id);
  return JsonResponse(200, body);
}

ApiResponse GetAlertRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<std::vector<HistoryRow>> history = AlertHistory(call.db, alert.id);
  if (!history.ok()) return ErrorFromStatus(history.status());
  nlohmann::json body = AlertJsonValue(alert);
  body["history"] = HistoryItems(*history);
  return JsonResponse(200, body);
}

ApiResponse AlertHistoryRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<std::vector<HistoryRow>> history = AlertHistory(call.db, alert.id);
  if (!history.ok()) return ErrorFromStatus(history.status());
  return JsonResponse(200, {{"items", HistoryItems(*history)}});
}

ApiResponse AcknowledgeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"note"}, &body)) return *bad;
  // The note has no column of its own (what an operator does is kept beside
  // the alert, never in its history): it goes to the log only.
  Result<std::optional<std::string>> note = OptionalStringField(body, "note");
  if (!note.ok()) return ErrorFromStatus(note.status());
  Result<AlertRow> after =
      AcknowledgeAlert(call.db, alert.id, call.principal->token_name, call.env->clock->NowMs());
  if (!after.ok()) return ErrorFromStatus(after.status());
  Log(LogLevel::kInfo, "alert.acknowledge",
      {{"alert_id", after->id},
       {"tenant_id", after->tenant_id},
       {"by", call.principal->token_name},
       {"note", note->value_or("")}});
  return AlertResponse(*after);
}

ApiResponse SnoozeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  nlohmann::json body;
  if (auto bad = BodyFields(request, call, {"until"}, &body)) return *bad;
  Result<std::string> text = RequiredStringField(body, "until");
  if (!text.ok()) return ErrorFromStatus(text.status());
  Result<TimeMs> time = ParseIso8601(*text);
  if (!time.ok()) return BadParameter("until", *text, "an ISO 8601 time");
  const TimeMs now = call.env->clock->NowMs();
  if (*time <= now) {
    return BadParameter("until", *text, "in the future (now is " + FormatIso8601(now) + ")");
  }
  Result<AlertRow> after = SnoozeAlert(call.db, alert.id, *time, now);
  if (!after.ok()) return ErrorFromStatus(after.status());
  return AlertResponse(*after);
}

ApiResponse UnsnoozeRoute(const ApiRequest& request, RouteCall& call) {
  AlertRow alert;
  if (auto missing = ResolveAlert(request, call, &alert)) return *missing;
  Result<AlertRow> after = UnsnoozeAlert(call.db, alert.id);
  if (!after.ok()) return ErrorFromStatus(after.status());
  return AlertResponse(*after);
}

}  // namespace

void AddAlertRoutes(Router* router) {
  router->Add({"GET", "/api/v1/alerts", RouteAuth::kToken, ListAlertsRoute});
  router->Add({"GET", "/api/v1/alerts/{alert_id}", RouteAuth::kToken, GetAlertRoute});
  router->Add({"GET", "/api/v1/alerts/{alert_id}/history", RouteAuth::kToken, AlertHistoryRoute});
  router->Add(
      {"POST", "/api/v1/alerts/{alert_id}/acknowledge", RouteAuth::kToken, AcknowledgeRoute});
  router->Add({"POST", "/api/v1/alerts/{alert_id}/snooze", RouteAuth::kToken, SnoozeRoute});
  router->Add({"DELETE", "/api/v1/alerts/{alert_id}/snooze", RouteAuth::kToken, UnsnoozeRoute});
}

}  // namespace vigil
