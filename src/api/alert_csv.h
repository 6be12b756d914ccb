// Alerts as CSV (GET /api/v1/alerts?format=csv): a header line
//
//   id,tenant,type,severity,state,subject_name,subject,first_seen,last_seen,
//   resolved_at,flapping,acknowledged_at,acknowledged_by,snoozed_until
//
// then one line per alert, every line ending in CRLF (RFC 4180). Times are
// ISO 8601 UTC, absent ones empty; flapping is true or false. A cell holding
// a comma, a double quote, CR or LF is quoted, its quotes doubled. A cell
// that a spreadsheet would take for a formula -- starting with =, +, -, @,
// a tab or CR -- gets a leading ' (CSV injection), before any quoting.
//
// Pure functions except AlertsCsv, which reads the database (as the Db's
// thread safety).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "alerts/alert_page.h"
#include "alerts/alert_row.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Most alerts one CSV export holds.
inline constexpr size_t kMaxCsvAlerts = 100000;

// One cell, made safe and quoted as above.
std::string CsvCell(std::string_view value);

// The header line, CRLF included.
std::string AlertCsvHeader();

// Appends one alert's line to *out.
void AppendAlertCsvLine(const AlertRow& alert, std::string* out);

// The CSV of every alert `query` matches from its after_id on (its limit is
// the size of the pages read, not of the export), at most `max_alerts` of
// them; when more match, a last line "# truncated at <max_alerts> alerts"
// says so. Reads page after page (alerts/alert_page.h) in one snapshot of
// the database.
Result<std::string> AlertsCsv(Db* db, AlertPageQuery query, size_t max_alerts = kMaxCsvAlerts);

}  // namespace vigil
