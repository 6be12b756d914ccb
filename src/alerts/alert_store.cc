#include "alerts/alert_store.h"

#include <memory>

#include "store/tenants.h"

namespace vigil {
namespace {

constexpr std::string_view kAlertColumnList =
    "SELECT a.id, a.tenant_id, t.name, a.analysis_type, a.type, a.subject, a.subject_name,"
    " a.severity, a.state, a.details, a.details_digest, a.tag, a.first_seen, a.last_seen,"
    " a.resolved_at, a.updated_at, a.last_trace_id, a.acknowledged_at, a.acknowledged_by,"
    " a.snoozed_until, a.flapping";
constexpr int kAlertColumnCount = 21;
constexpr std::string_view kAlertFrom = " FROM alerts a JOIN tenants t ON t.id = a.tenant_id";
const std::string kAlertColumns = std::string(kAlertColumnList) + std::string(kAlertFrom);

AlertRow ReadAlert(const Statement& s) {
  AlertRow row;
  row.id = s.Int(0);
  row.tenant_id = s.Int(1);
  row.tenant = s.String(2);
  row.analysis_type = s.String(3);
  row.type = s.String(4);
  row.subject = s.String(5);
  row.subject_name = s.String(6);
  row.severity = s.String(7);
  row.state = s.String(8);
  row.details = s.String(9);
  row.details_digest = s.String(10);
  if (!s.IsNull(11)) row.tag = s.String(11);
  row.first_seen = s.Int(12);
  row.last_seen = s.Int(13);
  if (!s.IsNull(14)) row.resolved_at = s.Int(14);
  row.updated_at = s.Int(15);
  row.last_trace_id = s.String(16);
  if (!s.IsNull(17)) row.acknowledged_at = s.Int(17);
  if (!s.IsNull(18)) row.acknowledged_by = s.String(18);
  if (!s.IsNull(19)) row.snoozed_until = s.Int(19);
  row.flapping = s.Int(20) != 0;
  return row;
}

constexpr std::string_view kHistoryColumns =
    "SELECT id, alert_id, tenant_id, analysis_type, at, transition, from_state, to_state,"
    " severity, details, details_digest, trace_id, run_id, reason, rule_version"
    " FROM alert_history";

HistoryRow ReadHistory(const Statement& s) {
  HistoryRow row;
  row.id = s.Int(0);
  row.alert_id = s.Int(1);
  row.tenant_id = s.Int(2);
  row.analysis_type = s.String(3);
  row.at = s.Int(4);
  row.transition = s.String(5);
  if (!s.IsNull(6)) row.from_state = s.String(6);
  row.to_state = s.String(7);
  row.severity = s.String(8);
  row.details = s.String(9);
  row.details_digest = s.String(10);
  row.trace_id = s.String(11);
  row.run_id = s.String(12);
  row.reason = s.String(13);
  row.rule_version = static_cast<int>(s.Int(14));
  return row;
}

// Prepares `sql`, lets `bind` bind its parameters, and reads every row with
// `read`. (Parameters are bound directly rather than as DbValues: g++ 12
// warns falsely about moved std::variant temporaries under -O2.)
template <typename Row, typename Bind, typename Read>
Result<std::vector<Row>> QueryRows(Db* db, std::string_view sql, Bind bind, Read read) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
  bind(stmt.get());
  std::vector<Row> rows;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    rows.push_back(read(*stmt));
  }
  return rows;
}

// A binder of one integer parameter.
auto BindId(int64_t id) {
  return [id](Statement* s) { s->BindInt(1, id); };
}

}  // namespace

std::string_view AlertStateFilterName(AlertStateFilter filter) {
  switch (filter) {
    case AlertStateFilter::kOpen:
      return "open";
    case AlertStateFilter::kResolved:
      return "resolved";
    case AlertStateFilter::kAll:
      return "all";
  }
  return "all";
}

std::optional<AlertStateFilter> ParseAlertStateFilter(std::string_view name) {
  if (name == "open") return AlertStateFilter::kOpen;
  if (name == "resolved") return AlertStateFilter::kResolved;
  if (name == "all") return AlertStateFilter::kAll;
  return std::nullopt;
}

Result<std::vector<AlertRow>> ListAlerts(Db* db, const AlertFilter& filter) {
  std::string sql(kAlertColumns);
  std::optional<int64_t> tenant_id;
  std::vector<std::string> texts;  // bound after tenant_id, in order
  std::string where;
  auto add = [&where](std::string_view condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  if (filter.tenant) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> tenant, FindTenant(db, *filter.tenant));
    if (!tenant) return Status::NotFound("no tenant named \"" + *filter.tenant + "\"");
    tenant_id = tenant->id;
    add("a.tenant_id = ?");
  }
  if (filter.state != AlertStateFilter::kAll) {
    add("a.state = ?");
    texts.emplace_back(filter.state == AlertStateFilter::kOpen ? kAlertOpen : kAlertResolved);
  }
  if (filter.type) {
    add("a.type = ?");
    texts.push_back(*filter.type);
  }
  if (filter.analysis_type) {
    add("a.analysis_type = ?");
    texts.push_back(*filter.analysis_type);
  }
  sql += where;
  sql += " ORDER BY t.name, a.type, a.subject_name, a.subject, a.id";
  auto bind = [&tenant_id, &texts](Statement* s) {
    int index = 1;
    if (tenant_id) s->BindInt(index++, *tenant_id);
    for (const std::string& text : texts) s->BindText(index++, text);
  };
  return QueryRows<AlertRow>(db, sql, bind, ReadAlert);
}

Result<std::vector<AlertRow>> SelectAlerts(Db* db, std::string_view clause,
                                           const std::function<void(Statement*)>& bind) {
  std::string sql(kAlertColumns);
  sql += ' ';
  sql += clause;
  return QueryRows<AlertRow>(db, sql, bind, ReadAlert);
}

Result<std::vector<std::pair<AlertRow, int64_t>>> SelectAlertsWith(
    Db* db, std::string_view extra, std::string_view clause,
    const std::function<void(Statement*)>& bind) {
  std::string sql(kAlertColumnList);
  sql += ", ";
  sql += extra;
  sql += kAlertFrom;
  sql += ' ';
  sql += clause;
  return QueryRows<std::pair<AlertRow, int64_t>>(db, sql, bind, [](const Statement& s) {
    return std::make_pair(ReadAlert(s), s.IsNull(kAlertColumnCount) ? 0 : s.Int(kAlertColumnCount));
  });
}

Result<std::optional<AlertRow>> GetAlert(Db* db, int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> rows,
                         QueryRows<AlertRow>(db, kAlertColumns + " WHERE a.id = ?",
                                             BindId(id), ReadAlert));
  if (rows.empty()) return std::optional<AlertRow>();
  return std::optional<AlertRow>(std::move(rows.front()));
}

Result<std::vector<HistoryRow>> AlertHistory(Db* db, int64_t alert_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::vector<int64_t> exists,
      QueryRows<int64_t>(db, "SELECT id FROM alerts WHERE id = ?", BindId(alert_id),
                         [](const Statement& s) { return s.Int(0); }));
  if (exists.empty()) return Status::NotFound("no alert with id " + std::to_string(alert_id));
  return QueryRows<HistoryRow>(db, std::string(kHistoryColumns) + " WHERE alert_id = ? ORDER BY id",
                               BindId(alert_id), ReadHistory);
}

Result<std::vector<HistoryRow>> TenantHistory(Db* db, int64_t tenant_id) {
  return QueryRows<HistoryRow>(
      db, std::string(kHistoryColumns) + " WHERE tenant_id = ? ORDER BY alert_id, id",
      BindId(tenant_id), ReadHistory);
}

Result<std::vector<std::pair<std::string, std::string>>> ListTags(Db* db, int64_t tenant_id) {
  using Tag = std::pair<std::string, std::string>;
  return QueryRows<Tag>(
      db, "SELECT DISTINCT subject, tag FROM entity_tags WHERE tenant_id = ? ORDER BY subject, tag",
      BindId(tenant_id), [](const Statement& s) { return Tag(s.String(0), s.String(1)); });
}

Result<std::map<int64_t, std::map<std::string, int64_t>>> CountOpenAlertsByTenant(
    Db* db, int64_t tenant_id) {
  const bool one = tenant_id != 0;
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                         db->Prepare(one ? "SELECT tenant_id, severity, COUNT(*) FROM alerts"
                                           " WHERE tenant_id = ? AND state = 'open'"
                                           " GROUP BY tenant_id, severity"
                                         : "SELECT tenant_id, severity, COUNT(*) FROM alerts"
                                           " WHERE state = 'open' GROUP BY tenant_id, severity"));
  if (one) st->BindInt(1, tenant_id);
  std::map<int64_t, std::map<std::string, int64_t>> counts;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    counts[st->Int(0)][st->String(1)] = st->Int(2);
  }
  return counts;
}

Result<std::map<int64_t, FlappingAndSnoozed>> CountFlappingAndSnoozedByTenant(Db* db,
                                                                              int64_t tenant_id,
                                                                              TimeMs now) {
  std::map<int64_t, FlappingAndSnoozed> counts;
  const std::string tenant = tenant_id != 0 ? " AND tenant_id = ?" : "";
  // flapping = 1 and snoozed_until > ? as the partial indexes say them. The
  // flapping ones' state is counted, not filtered: filtered, SQLite would
  // walk every open alert of the state index instead of the few flapping.
  for (const bool flapping : {true, false}) {
    VIGIL_ASSIGN_OR_RETURN(
        std::unique_ptr<Statement> st,
        db->Prepare(flapping ? "SELECT tenant_id, SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END)"
                               " FROM alerts WHERE flapping = 1" +
                                   tenant + " GROUP BY tenant_id"
                             : "SELECT tenant_id, COUNT(*) FROM alerts WHERE snoozed_until > ?"
                               " AND state = 'open'" +
                                   tenant + " GROUP BY tenant_id"));
    int index = 1;
    if (!flapping) st->BindInt(index++, now);
    if (tenant_id != 0) st->BindInt(index++, tenant_id);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      FlappingAndSnoozed& c = counts[st->Int(0)];
      (flapping ? c.flapping : c.snoozed) = st->Int(1);
    }
  }
  return counts;
}

Result<std::map<std::pair<std::string, std::string>, int64_t>> CountOpenAlertsByType(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> st,
                         db->Prepare("SELECT type, severity, COUNT(*) FROM alerts"
                                     " WHERE state = 'open' GROUP BY type, severity"));
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    counts[{st->String(0), st->String(1)}] = st->Int(2);
  }
  return counts;
}

}  // namespace vigil
