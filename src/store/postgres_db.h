// The PostgreSQL backend of Db (libpq): one connection per Db, `?`
// placeholders rewritten to $1.., statements prepared on the server on
// first use, migrations applied on open (integer ids as BIGINT identity
// columns). Values travel as text; the server infers parameter types from
// the statement.
//
// Errors: a server that cannot be reached is Unavailable naming the
// host and port (never the password); constraint violations and SQL errors
// are InvalidArgument with the server's message and the statement; a lost
// connection is Unavailable (the next Db opened connects again).
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace vigil {

struct PostgresOptions {
  bool migrate = true;
  int connect_timeout_s = 5;
};

// Opens a connection to `url` (postgresql://user[:password]@host:port/db).
Result<std::unique_ptr<Db>> OpenPostgresDb(const std::string& url,
                                           const PostgresOptions& options = PostgresOptions());

// `url` without its password, for messages and logs.
std::string RedactedPostgresUrl(const std::string& url);

}  // namespace vigil
