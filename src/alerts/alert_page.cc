#include "alerts/alert_page.h"

#include <utility>

namespace vigil {
namespace {

// SQL text and the values of its `?`, in order.
struct Sql {
  std::string text;
  std::vector<DbValue> params;

  Sql& Add(std::string_view sql) {
    text += sql;
    return *this;
  }
  Sql& Add(std::string_view sql, DbValue value) {
    text += sql;
    params.push_back(std::move(value));
    return *this;
  }
  Sql& Add(const Sql& other) {
    text += other.text;
    params.insert(params.end(), other.params.begin(), other.params.end());
    return *this;
  }
};

// The index range the page walks (alert_page.h), its columns prefixed by
// `p` ("" or "a."): one condition per range (two for both states of a
// tenant or of the flapping alerts; none: every alert, by id), and `all`,
// the condition that covers every range.
struct Candidates {
  std::vector<Sql> ranges;
  Sql all;
};

std::vector<std::string> StateNames(AlertStateFilter state) {
  switch (state) {
    case AlertStateFilter::kOpen:
      return {std::string(kAlertOpen)};
    case AlertStateFilter::kResolved:
      return {std::string(kAlertResolved)};
    case AlertStateFilter::kAll:
      break;
  }
  return {std::string(kAlertOpen), std::string(kAlertResolved)};
}

bool FlappingDrives(const AlertPageQuery& q) { return !q.tenant_id && q.flapping == true; }

Candidates ChooseCandidates(const AlertPageQuery& q, const std::string& p) {
  Candidates c;
  const std::vector<std::string> states = StateNames(q.state);
  // The range's leading condition: the tenant, or flapping = 1 literally
  // (the partial index's own condition), or none.
  Sql lead;
  if (q.tenant_id) {
    lead.Add(p + "tenant_id = ?", *q.tenant_id);
  } else if (FlappingDrives(q)) {
    lead.Add(p + "flapping = 1");
  }
  if (lead.text.empty() && states.size() > 1) {
    c.all.Add("1 = 1");
    return c;
  }
  for (const std::string& state : states) {
    Sql range = lead;
    range.Add(lead.text.empty() ? "" : " AND ").Add(p + "state = ?", state);
    c.ranges.push_back(std::move(range));
  }
  c.all = states.size() == 1 ? c.ranges[0] : lead;
  return c;
}

// " IN (?, ?)" over `values`.
Sql InList(const std::vector<std::string>& values) {
  Sql sql;
  sql.Add(" IN (");
  for (size_t i = 0; i < values.size(); ++i) sql.Add(i == 0 ? "?" : ", ?", values[i]);
  return sql.Add(")");
}

// `text` for LIKE ... ESCAPE '\': its wildcards taken literally.
std::string LikePattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// The filters tested on each candidate, over alias a.; empty when none.
Sql Filters(const Db& db, const AlertPageQuery& q) {
  Sql sql;
  auto and_ = [&sql]() -> Sql& { return sql.Add(sql.text.empty() ? "" : " AND "); };
  if (!q.types.empty()) and_().Add("a.type").Add(InList(q.types));
  if (!q.severities.empty()) and_().Add("a.severity").Add(InList(q.severities));
  if (q.flapping && !FlappingDrives(q)) {
    and_().Add(*q.flapping ? "a.flapping = 1" : "a.flapping = 0");
  }
  if (q.snoozed) {
    and_().Add(
        *q.snoozed ? "a.snoozed_until > ?" : "(a.snoozed_until IS NULL OR a.snoozed_until <= ?)",
        int64_t{q.now});
  }
  if (q.acknowledged) {
    and_().Add(*q.acknowledged ? "a.acknowledged_at IS NOT NULL" : "a.acknowledged_at IS NULL");
  }
  if (!q.text.empty()) {
    // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's needs ILIKE.
    const std::string like = db.dialect() == "postgresql" ? " ILIKE ?" : " LIKE ?";
    const std::string pattern = LikePattern(q.text);
    and_()
        .Add("(a.subject_name" + like + " ESCAPE '\\'", pattern)
        .Add(" OR a.subject" + like + " ESCAPE '\\')", pattern);
  }
  return sql;
}

// "SELECT id FROM alerts WHERE <range> AND id > ? ORDER BY id LIMIT ?".
Sql RangeIds(const Sql& range, int64_t after_id, int64_t limit) {
  return Sql()
      .Add("SELECT id FROM alerts WHERE ")
      .Add(range)
      .Add(" AND id > ?", after_id)
      .Add(" ORDER BY id LIMIT ?", limit);
}

// The first `limit` candidate ids, in id order: one range, or the ranges'
// first `limit` each, merged -- rather than every alert of the ranges sorted.
Sql CandidateIds(const Candidates& c, int64_t after_id, int64_t limit) {
  if (c.ranges.empty()) return RangeIds(c.all, after_id, limit);
  if (c.ranges.size() == 1) return RangeIds(c.ranges[0], after_id, limit);
  Sql sql;
  sql.Add("SELECT id FROM (");
  for (size_t i = 0; i < c.ranges.size(); ++i) {
    if (i > 0) sql.Add(" UNION ALL ");
    sql.Add("SELECT id FROM (").Add(RangeIds(c.ranges[i], after_id, limit));
    sql.Add(") AS r" + std::to_string(i));
  }
  return sql.Add(") AS u ORDER BY id LIMIT ?", limit);
}

// The page without filters: the first limit + 1 candidates (`c` unaliased,
// `a` the same over alias a.).
Sql PlainPage(const Candidates& c, const Candidates& a, const AlertPageQuery& q) {
  const int64_t fetch = int64_t{q.limit} + 1;
  Sql sql;
  if (c.ranges.size() > 1) {
    sql.Add("WHERE a.id IN (").Add(CandidateIds(c, q.after_id, fetch)).Add(")");
  } else {
    sql.Add("WHERE ").Add(a.all).Add(" AND a.id > ?", q.after_id);
  }
  return sql.Add(" ORDER BY a.id LIMIT ?", fetch);
}

// The scan_limit-th candidate's id, NULL when there are fewer: a scalar
// subquery, which the database runs once per statement.
Sql ScanEnd(const Candidates& c, const AlertPageQuery& q) {
  const int64_t offset = int64_t{q.scan_limit} - 1;
  Sql sql;
  if (c.ranges.size() > 1) {
    sql.Add("(SELECT id FROM (").Add(CandidateIds(c, q.after_id, q.scan_limit));
    return sql.Add(") AS w ORDER BY id LIMIT 1 OFFSET ?", offset).Add(")");
  }
  sql.Add("(SELECT id FROM alerts WHERE ").Add(c.ranges.empty() ? c.all : c.ranges[0]);
  sql.Add(" AND id > ?", q.after_id).Add(" ORDER BY id LIMIT 1 OFFSET ?", offset);
  return sql.Add(")");
}

// The page with filters: the candidates up to the scan_limit-th (ScanEnd)
// that match, and the scan_limit-th itself, in id order along the index.
// The value beside each row (*flag): 1 when it matches, plus 2 when it is
// the scan_limit-th.
Sql FilteredPage(const Candidates& c, const Candidates& a, const Sql& filters,
                 const AlertPageQuery& q, Sql* flag) {
  const Sql end = ScanEnd(c, q);
  *flag = Sql().Add("CASE WHEN ").Add(filters).Add(" THEN 1 ELSE 0 END");
  flag->Add(" + CASE WHEN a.id = ").Add(end).Add(" THEN 2 ELSE 0 END");
  Sql sql;
  sql.Add("WHERE ").Add(a.all).Add(" AND a.id > ?", q.after_id);
  sql.Add(" AND a.id <= COALESCE(").Add(end).Add(", 9223372036854775807) AND (").Add(filters);
  sql.Add(" OR a.id = ").Add(end).Add(") ORDER BY a.id LIMIT ?", int64_t{q.limit} + 1);
  return sql;
}

Status CheckQuery(const AlertPageQuery& q) {
  if (q.limit < 1) {
    return Status::InvalidArgument("alert page: limit " + std::to_string(q.limit) + " is below 1");
  }
  if (q.scan_limit < q.limit) {
    return Status::InvalidArgument("alert page: scan_limit " + std::to_string(q.scan_limit) +
                                   " is below the limit " + std::to_string(q.limit));
  }
  if (q.after_id < 0) {
    return Status::InvalidArgument("alert page: after_id " + std::to_string(q.after_id) +
                                   " is negative");
  }
  return Status::Ok();
}

// The page from the rows of FilteredPage.
AlertPage FilteredResult(std::vector<std::pair<AlertRow, int64_t>> rows, int limit) {
  AlertPage page;
  std::optional<int64_t> scan_end;
  for (auto& [alert, flag] : rows) {
    if ((flag & 2) != 0) scan_end = alert.id;
    if ((flag & 1) != 0) page.alerts.push_back(std::move(alert));
  }
  if (page.alerts.size() > static_cast<size_t>(limit)) {
    page.alerts.resize(static_cast<size_t>(limit));
    page.next_after_id = page.alerts.back().id;
  } else {
    page.next_after_id = scan_end;
  }
  return page;
}

}  // namespace

Result<AlertPage> ListAlertsPage(Db* db, const AlertPageQuery& query) {
  VIGIL_RETURN_IF_ERROR(CheckQuery(query));
  const Candidates candidates = ChooseCandidates(query, "");
  const Candidates aliased = ChooseCandidates(query, "a.");
  const Sql filters = Filters(*db, query);
  if (!filters.text.empty()) {
    Sql flag;
    const Sql sql = FilteredPage(candidates, aliased, filters, query, &flag);
    std::vector<DbValue> params = flag.params;
    params.insert(params.end(), sql.params.begin(), sql.params.end());
    VIGIL_ASSIGN_OR_RETURN(
        auto rows,
        SelectAlertsWith(db, flag.text, sql.text, [&params](Statement* s) { s->BindAll(params); }));
    return FilteredResult(std::move(rows), query.limit);
  }
  const Sql sql = PlainPage(candidates, aliased, query);
  VIGIL_ASSIGN_OR_RETURN(
      std::vector<AlertRow> rows,
      SelectAlerts(db, sql.text, [&sql](Statement* s) { s->BindAll(sql.params); }));
  AlertPage page;
  if (rows.size() > static_cast<size_t>(query.limit)) {
    rows.resize(static_cast<size_t>(query.limit));
    page.next_after_id = rows.back().id;
  }
  page.alerts = std::move(rows);
  return page;
}

}  // namespace vigil
