// GET /api/v1/alerts: the alerts the caller may see, filtered
// (api/alert_list_query.h), as one keyset page
//   {"items": [alert...], "next_cursor": string | null}
// or, with ?format=csv or Accept: text/csv, every match as CSV
// (api/alert_csv.h), from the cursor on when one is given; ?limit= does
// not cut the export, which reads pages of kCsvPageSize. A filtered page examines a bounded number
// of alerts (alerts/alert_page.h): it may hold fewer than `limit` items, even none, and still have
// a next_cursor; only a null next_cursor ends the list.
#include "alerts/alert_json.h"
#include "api/alert_csv.h"
#include "api/alert_list_query.h"
#include "api/routes.h"

namespace vigil {
namespace {

constexpr int kCsvPageSize = 1000;

ApiResponse CsvResponse(Db* db, AlertPageQuery query) {
  query.limit = kCsvPageSize;
  Result<std::string> csv = AlertsCsv(db, query);
  if (!csv.ok()) return ErrorFromStatus(csv.status());
  ApiResponse response;
  response.status = 200;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(*csv);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"alerts.csv\"");
  return response;
}

ApiResponse ListAlertsRoute(const ApiRequest& request, RouteCall& call) {
  AlertListRequest list;
  if (auto bad = ParseAlertListRequest(request, call, &list)) return *bad;
  if (list.csv) return CsvResponse(call.db, list.query);
  Result<AlertPage> page = ListAlertsPage(call.db, list.query);
  if (!page.ok()) return ErrorFromStatus(page.status());
  nlohmann::json items = nlohmann::json::array();
  for (const AlertRow& alert : page->alerts) items.push_back(nlohmann::json(AlertJsonValue(alert)));
  nlohmann::json body = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (page->next_after_id) body["next_cursor"] = EncodeAlertCursor(*page->next_after_id);
  return JsonResponse(200, body);
}

}  // namespace

void AddAlertListRoutes(Router* router) {
  router->Add({"GET", "/api/v1/alerts", RouteAuth::kToken, ListAlertsRoute});
}

}  // namespace vigil
