// PostgresServer (tests only): a real PostgreSQL that a test starts as a
// child process: initdb into a temporary directory (as user "postgres" when
// the tests run as root, since PostgreSQL refuses root), then `postgres` on
// 127.0.0.1 and a free port with trust authentication and fsync off (a
// crash of the server process loses no commit; only one of the machine
// would); stopped when the object goes away.
//
//   auto server = testing::PostgresServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   auto url = (*server)->NewDatabase();  // an empty database of its own
//
// The binaries come from PostgreSQL's bin directory (pg_config --bindir, or
// /usr/lib/postgresql/<version>/bin); when missing Start fails saying so.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace vigil::testing {

class PostgresServer {
 public:
  static Result<std::unique_ptr<PostgresServer>> Start();
  // A server started by someone else (the CTest fixture), reached at
  // `admin_url` ("postgresql://vigil@127.0.0.1:<port>/postgres"); never
  // stopped by this object.
  static Result<std::unique_ptr<PostgresServer>> Attach(const std::string& admin_url);
  ~PostgresServer();  // Stop()
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // postgresql://vigil@127.0.0.1:<port>/<database>
  std::string url(const std::string& database = "postgres") const;
  // Creates an empty database with a fresh name; its URL.
  Result<std::string> NewDatabase();

  // `pg_ctl stop -m immediate`-like: SIGQUIT, then waits. Restart starts it again.
  void StopImmediately();
  void Stop();
  Status Restart();

 private:
  PostgresServer() = default;
  Status Launch();

  std::string bin_, dir_;
  int port_ = 0;
  int databases_ = 0;
  pid_t pid_ = -1;
};

// One server per test process: the CTest fixture's when
// VIGIL_TEST_PG_ADMIN_FILE names a file holding its admin URL, else one
// started on first use; null (with a test failure recorded) when it cannot
// start.
PostgresServer* SharedPostgresServer();

}  // namespace vigil::testing
