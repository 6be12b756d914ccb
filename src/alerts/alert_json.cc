#include "alerts/alert_json.h"

#include <nlohmann/json.hpp>

#include "common/time.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

// The stored details text as JSON: the object it holds, or the text itself
// when it does not parse.
Json DetailsJson(const std::string& details) {
  Json parsed = Json::parse(details, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Json(details);
  return parsed;
}

Json OptionalTime(const std::optional<TimeMs>& t) {
  return t ? Json(FormatIso8601(*t)) : Json(nullptr);
}

Json AlertJson(const AlertRow& a) {
  Json j;
  j["id"] = a.id;
  j["tenant"] = a.tenant;
  j["type"] = a.type;
  j["subject"] = a.subject;
  j["subject_name"] = a.subject_name;
  j["severity"] = a.severity;
  j["state"] = a.state;
  j["first_seen"] = FormatIso8601(a.first_seen);
  j["last_seen"] = FormatIso8601(a.last_seen);
  j["resolved_at"] = OptionalTime(a.resolved_at);
  j["details"] = DetailsJson(a.details);
  j["analysis_type"] = a.analysis_type;
  j["tag"] = a.tag ? Json(*a.tag) : Json(nullptr);
  j["details_digest"] = a.details_digest;
  j["updated_at"] = FormatIso8601(a.updated_at);
  j["last_trace_id"] = a.last_trace_id;
  if (a.acknowledged_at) {
    j["acknowledged"] = {{"at", FormatIso8601(*a.acknowledged_at)},
                         {"by", a.acknowledged_by.value_or("")}};
  } else {
    j["acknowledged"] = nullptr;
  }
  j["snoozed_until"] = OptionalTime(a.snoozed_until);
  j["flapping"] = a.flapping;
  return j;
}

Json HistoryJson(const HistoryRow& h) {
  Json j;
  j["id"] = h.id;
  j["alert_id"] = h.alert_id;
  j["at"] = FormatIso8601(h.at);
  j["transition"] = h.transition;
  j["from_state"] = h.from_state ? Json(*h.from_state) : Json(nullptr);
  j["to_state"] = h.to_state;
  j["severity"] = h.severity;
  j["reason"] = h.reason;
  j["details"] = DetailsJson(h.details);
  j["details_digest"] = h.details_digest;
  j["trace_id"] = h.trace_id;
  j["run_id"] = h.run_id;
  j["analysis_type"] = h.analysis_type;
  j["rule_version"] = h.rule_version;
  j["tenant_id"] = h.tenant_id;
  return j;
}

Json ActionJson(const AlertActionRow& a) {
  Json j;
  j["id"] = a.id;
  j["at"] = FormatIso8601(a.at);
  j["action"] = a.action;
  j["by"] = a.by;
  j["until"] = OptionalTime(a.until);
  j["reason"] = a.reason;
  return j;
}

std::string Dump(const Json& j, int indent) {
  return j.dump(indent < 0 ? -1 : indent, ' ', /*ensure_ascii=*/false,
                Json::error_handler_t::replace);
}

}  // namespace

nlohmann::ordered_json AlertJsonValue(const AlertRow& alert) { return AlertJson(alert); }

nlohmann::ordered_json HistoryJsonValue(const HistoryRow& row) { return HistoryJson(row); }

nlohmann::ordered_json AlertActionJsonValue(const AlertActionRow& row) { return ActionJson(row); }

std::string AlertToJson(const AlertRow& alert, int indent) {
  return Dump(AlertJson(alert), indent);
}

std::string AlertsToJson(const std::vector<AlertRow>& alerts, int indent) {
  Json array = Json::array();
  for (const AlertRow& a : alerts) array.push_back(AlertJson(a));
  return Dump(array, indent);
}

std::string HistoryToJson(const HistoryRow& row, int indent) {
  return Dump(HistoryJson(row), indent);
}

std::string HistoryListToJson(const std::vector<HistoryRow>& rows, int indent) {
  Json array = Json::array();
  for (const HistoryRow& h : rows) array.push_back(HistoryJson(h));
  return Dump(array, indent);
}

}  // namespace vigil
