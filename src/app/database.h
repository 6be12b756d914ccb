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

// Opens (and, with `migrate`, migrates) the database `flag` names.
Result<std::unique_ptr<Db>> OpenDatabase(const std::string& flag, bool migrate = true);

}  // namespace vigil
