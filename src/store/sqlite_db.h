// The SQLite backend of Db: WAL journal, a busy timeout, foreign keys on,
// migrations applied on open, WAL checkpoints on a thread of their own.
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
  // Commits that pass the log's 1,000-page mark wake a checkpoint on a
  // thread of its own instead of checkpointing inside the commit
  // (store/sqlite_background_checkpoint.h); the close checkpoints what is
  // left, as before. PRAGMA wal_autocheckpoint=0 turns both off.
  bool checkpoint_in_background = true;
  // Create the file when there is none. When false, a missing file fails
  // with NotFound "no database at <path>" and nothing is created.
  bool create = true;
};

// Opens (creating if needed, see SqliteOptions::create) the database at
// `path`; ":memory:" gives a private in-memory database. Fails with IoError
// naming the path when the file cannot be opened, NotFound when it is
// missing and must not be created, or with the migration's error.
Result<std::unique_ptr<Db>> OpenSqliteDb(const std::string& path,
                                         const SqliteOptions& options = SqliteOptions());

}  // namespace vigil
