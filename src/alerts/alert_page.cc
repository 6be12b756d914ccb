#include "alerts/alert_page.h"

#include <utility>

namespace vigil {
namespace {

// The SQL after "... FROM alerts a JOIN tenants t ON t.id = a.tenant_id" for
// `query`, and the values of its `?` in order (texts and integers).
struct PageSql {
  std::string clause;
  std::vector<DbValue> params;
};

// " AND a.type = ? AND a.severity = ?" as `query` filters, over `alias`.
std::string ContentConditions(const AlertPageQuery& query, std::string_view alias,
                              std::vector<DbValue>* params) {
  std::string sql;
  if (query.type) {
    sql += " AND " + std::string(alias) + "type = ?";
    params->emplace_back(*query.type);
  }
  if (query.severity) {
    sql += " AND " + std::string(alias) + "severity = ?";
    params->emplace_back(*query.severity);
  }
  return sql;
}

PageSql BuildPageSql(const AlertPageQuery& query) {
  PageSql out;
  const int64_t fetch = int64_t{query.limit} + 1;
  if (query.tenant_id && query.state == AlertStateFilter::kAll) {
    // Both states of one tenant, in id order: one range of the index
    // (tenant_id, state, id) per state, merged -- rather than every alert of
    // the tenant sorted.
    out.clause = "WHERE a.id IN (";
    for (std::string_view state : {kAlertOpen, kAlertResolved}) {
      if (state != kAlertOpen) out.clause += " UNION ALL ";
      out.clause += "SELECT id FROM (SELECT id FROM alerts WHERE tenant_id = ? AND state = ?";
      out.params.emplace_back(*query.tenant_id);
      out.params.emplace_back(std::string(state));
      out.clause += ContentConditions(query, "", &out.params);
      out.clause += " AND id > ? ORDER BY id LIMIT ?) AS page_" + std::string(state);
      out.params.emplace_back(query.after_id);
      out.params.emplace_back(fetch);
    }
    out.clause += ") ORDER BY a.id LIMIT ?";
    out.params.emplace_back(fetch);
    return out;
  }
  // Conditions in the order of the index (tenant_id, state, id).
  out.clause = "WHERE a.id > ?";
  out.params.emplace_back(query.after_id);
  if (query.tenant_id) {
    out.clause += " AND a.tenant_id = ?";
    out.params.emplace_back(*query.tenant_id);
  }
  if (query.state != AlertStateFilter::kAll) {
    out.clause += " AND a.state = ?";
    out.params.emplace_back(
        std::string(query.state == AlertStateFilter::kOpen ? kAlertOpen : kAlertResolved));
  }
  out.clause += ContentConditions(query, "a.", &out.params);
  out.clause += " ORDER BY a.id LIMIT ?";
  out.params.emplace_back(fetch);
  return out;
}

}  // namespace

Result<AlertPage> ListAlertsPage(Db* db, const AlertPageQuery& query) {
  if (query.limit < 1) {
    return Status::InvalidArgument("alert page: limit " + std::to_string(query.limit) +
                                   " is below 1");
  }
  if (query.after_id < 0) {
    return Status::InvalidArgument("alert page: after_id " + std::to_string(query.after_id) +
                                   " is negative");
  }
  const PageSql sql = BuildPageSql(query);
  VIGIL_ASSIGN_OR_RETURN(
      std::vector<AlertRow> rows,
      SelectAlerts(db, sql.clause, [&sql](Statement* s) { s->BindAll(sql.params); }));
  AlertPage page;
  if (rows.size() > static_cast<size_t>(query.limit)) {
    rows.resize(static_cast<size_t>(query.limit));
    page.next_after_id = rows.back().id;
  }
  page.alerts = std::move(rows);
  return page;
}

}  // namespace vigil
