// Versioned schema migrations, applied in order when a Db is opened.
//
// The SQL is portable between SQLite and PostgreSQL: BIGINT times (ms since
// the epoch), TEXT, partial indexes, no backend-specific functions. Integer
// primary keys are written as `INTEGER PRIMARY KEY` and each backend maps
// the marker `{{ID}}` to its auto-increment form. A migration that cannot be
// said alike in both (dropping a constraint) carries PostgreSQL's own form.
#pragma once

#include <string_view>
#include <vector>

#include "store/db.h"

namespace vigil {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // a script; `{{ID}}` = the backend's auto-increment primary key
  // When not empty, PostgreSQL runs this instead of `sql` (for the few
  // changes the two cannot say alike, e.g. dropping a constraint).
  std::string_view postgres_sql = {};
};

// All migrations, ascending by version (not necessarily consecutive).
const std::vector<Migration>& AllMigrations();

// Applies every migration whose version schema_migrations does not record,
// in ascending order, each in its own transaction, recording it there.
// Versions may have gaps (a number kept for a change made in parallel): one
// below the newest recorded is still applied when it is missing. Returns
// the version now in force (the newest recorded). Fails (database unchanged
// by the failing step) with the migration's name and the database's
// message.
Result<int> ApplyMigrations(Db* db, std::string_view id_type);

// The version of the newest migration applied; 0 when none. Fails with the
// database's error when there is no schema_migrations table (not a vigil
// database, or one never migrated).
Result<int64_t> SchemaVersion(Db* db);

}  // namespace vigil
