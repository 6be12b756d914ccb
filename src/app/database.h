// Which database a --db flag names, and opening it: the one place that
// picks the Db backend.
//
//   postgresql://user[:password]@host:port/db   (or postgres://)  PostgreSQL
//   sqlite:PATH                                                    SQLite
//   PATH                                                           SQLite
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace vigil {

struct DatabaseSpec {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string target;  // the SQLite path or the PostgreSQL URL
  // For messages: the path, or the URL without its password.
  std::string shown;
};

DatabaseSpec ParseDatabaseSpec(const std::string& flag);

// Opens (and, with `migrate`, migrates) the database `flag` names; a
// SQLite file is created when missing.
Result<std::unique_ptr<Db>> OpenDatabase(const std::string& flag, bool migrate = true);

// Opens and migrates the database `flag` names, which must exist: for the
// commands that only read, or write only into rows that must exist already.
// A SQLite path with no file behind it fails with NotFound
// "no database at PATH (`vigil migrate --db PATH` creates one)" and no file
// is created. A PostgreSQL URL opens as with OpenDatabase.
Result<std::unique_ptr<Db>> OpenExistingDatabase(const std::string& flag);

}  // namespace vigil
