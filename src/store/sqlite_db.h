// The SQLite backend of Db: WAL journal, a busy timeout, foreign keys on,
// migrations applied on open.
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace vigil {

struct SqliteOptions {
  // How long a statement waits for another connection's lock before failing.
  int busy_timeout_ms = 5000;
  // Apply the schema migrations on open.
  bool migrate = true;
};

// Opens (creating if needed) the database at `path`; ":memory:" gives a
// private in-memory database. Fails with IoError naming the path when the
// file cannot be opened, or with the migration's error.
Result<std::unique_ptr<Db>> OpenSqliteDb(const std::string& path,
                                         const SqliteOptions& options = SqliteOptions());

}  // namespace vigil
