#include "api/alert_csv.h"

#include "common/time.h"

namespace vigil {
namespace {

std::string OptionalTime(const std::optional<TimeMs>& time) {
  return time ? FormatIso8601(*time) : std::string();
}

}  // namespace

std::string CsvCell(std::string_view value) {
  std::string cell;
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
    cell += '\'';
  }
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string AlertCsvHeader() {
  return "id,tenant,type,severity,state,subject_name,subject,first_seen,last_seen,resolved_at,"
         "flapping,acknowledged_at,acknowledged_by,snoozed_until\r\n";
}

void AppendAlertCsvLine(const AlertRow& a, std::string* out) {
  const std::string cells[] = {std::to_string(a.id),
                               a.tenant,
                               a.type,
                               a.severity,
                               a.state,
                               a.subject_name,
                               a.subject,
                               FormatIso8601(a.first_seen),
                               FormatIso8601(a.last_seen),
                               OptionalTime(a.resolved_at),
                               a.flapping ? "true" : "false",
                               OptionalTime(a.acknowledged_at),
                               a.acknowledged_by.value_or(""),
                               OptionalTime(a.snoozed_until)};
  bool first = true;
  for (const std::string& cell : cells) {
    if (!first) *out += ',';
    first = false;
    *out += CsvCell(cell);
  }
  *out += "\r\n";
}

Result<std::string> AlertsCsv(Db* db, AlertPageQuery query, size_t max_alerts) {
  Transaction snapshot(db, Transaction::Kind::kSnapshot);
  VIGIL_RETURN_IF_ERROR(snapshot.status());
  std::string csv = AlertCsvHeader();
  size_t written = 0;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(AlertPage page, ListAlertsPage(db, query));
    for (const AlertRow& alert : page.alerts) {
      if (written == max_alerts) {
        csv += "# truncated at " + std::to_string(max_alerts) + " alerts\r\n";
        VIGIL_RETURN_IF_ERROR(snapshot.Commit());
        return csv;
      }
      AppendAlertCsvLine(alert, &csv);
      ++written;
    }
    if (!page.next_after_id) break;
    query.after_id = *page.next_after_id;
  }
  VIGIL_RETURN_IF_ERROR(snapshot.Commit());
  return csv;
}

}  // namespace vigil
