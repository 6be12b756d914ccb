// Helpers shared by the CLI commands: opening the database and reading the
// `--now` flag, each printing a user-facing error on failure.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "common/clock.h"
#include "store/db.h"

namespace vigil {

// Opens (creating and migrating) the SQLite database at `path`; on failure
// prints "vigil: <why>" to `err` and returns null.
std::unique_ptr<Db> OpenDatabaseOrReport(const std::string& path, std::ostream& err);

// The analysis clock: fixed at `now` when given, the system clock otherwise.
// On a malformed `now` prints "vigil: --now: <why>" and returns null.
std::unique_ptr<Clock> AnalysisClockOrReport(const std::string& now, std::ostream& err);

}  // namespace vigil
