// The PostgreSQL backend of Db (libpq): one connection per Db, `?`
// placeholders rewritten to $1.., statements prepared on the server on
// first use, migrations applied on open (integer ids as BIGINT identity
// columns). Values travel as text; the server infers parameter types from
// the statement. A multi-row INSERT of bound values only ("INSERT INTO t
// (a, b) VALUES (?, ?), (?, ?)", store/batch_insert.h) runs as one COPY t
// (a, b) FROM STDIN instead, with the same effect, count and errors: the
// server neither parses nor plans it, and nothing is prepared for it.
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
