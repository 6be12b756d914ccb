#include "app/cli_support.h"

#include <ostream>

#include "common/time.h"
#include "store/sqlite_db.h"

namespace vigil {

std::unique_ptr<Db> OpenDatabaseOrReport(const std::string& path, std::ostream& err) {
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
  if (!db.ok()) {
    err << "vigil: " << db.status().message() << "\n";
    return nullptr;
  }
  return std::move(db).value();
}

std::unique_ptr<Clock> AnalysisClockOrReport(const std::string& now, std::ostream& err) {
  if (now.empty()) return NewSystemClock();
  Result<TimeMs> at = ParseIso8601(now);
  if (!at.ok()) {
    err << "vigil: --now: " << at.status().message() << "\n";
    return nullptr;
  }
  return NewFixedClock(*at);
}

}  // namespace vigil
