#include "testing/postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <thread>
#include <vector>

#include "testing/fixtures.h"
#include "testing/server_process.h"

namespace vigil::testing {
namespace {

constexpr char kUser[] = "postgres";  // the OS user the server runs as under root

// PostgreSQL's bin directory: the newest /usr/lib/postgresql/<v>/bin with initdb.
std::string FindBinDir() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = entry.path().string() + "/bin";
    if (access((bin + "/initdb").c_str(), X_OK) == 0 && bin > best) best = bin;
  }
  return best;
}

// Gives the directory to the server's user when running as root.
Status HandOver(const std::string& dir) {
  if (geteuid() != 0) return Status::Ok();
  const passwd* pw = getpwnam(kUser);
  if (pw == nullptr) return Status::NotFound(std::string("no user ") + kUser);
  if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return Status::IoError("cannot give " + dir + " to " + kUser);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->bin_ = FindBinDir();
  if (server->bin_.empty()) {
    return Status::NotFound(
        "PostgreSQL's initdb not found under /usr/lib/postgresql; scripts/install-deps.sh "
        "installs it");
  }
  server->dir_ = NewTempDir() + "/pg";
  std::filesystem::create_directories(server->dir_);
  VIGIL_RETURN_IF_ERROR(HandOver(server->dir_));
  const std::string data = server->dir_ + "/data";
  VIGIL_RETURN_IF_ERROR(RunToEnd({server->bin_ + "/initdb", "-D", data, "-U", "vigil", "-A",
                                  "trust", "-E", "UTF8", "--no-sync", "--no-instructions"},
                                 kUser, server->dir_ + "/initdb.log"));
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    last = server->Launch();
    if (last.ok()) return server;
  }
  return last;
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Attach(const std::string& admin_url) {
  const size_t colon = admin_url.rfind(':');
  const size_t slash = admin_url.rfind('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) {
    return Status::InvalidArgument("not an admin URL with a port: " + admin_url);
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->port_ = std::atoi(admin_url.substr(colon + 1, slash - colon - 1).c_str());
  if (PQping(server->url().c_str()) != PQPING_OK) {
    return Status::Unavailable("no PostgreSQL answers at " + admin_url);
  }
  return server;
}

PostgresServer::~PostgresServer() {
  Stop();
  // A server this object started leaves no data behind (an attached one
  // has no directory here).
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://vigil@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Status PostgresServer::Launch() {
  const std::string log = dir_ + "/postgres.log";
  VIGIL_ASSIGN_OR_RETURN(
      pid_, SpawnServer({bin_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_),
                         "-k", dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                         "-c", "max_wal_size=64MB", "-c", "min_wal_size=32MB"},
                        kUser, log));
  const std::string conninfo = url();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ServerExited(pid_)) {
      pid_ = -1;
      return Status::Unavailable("postgres on port " + std::to_string(port_) +
                                 " exited at start; its log:\n" + ReadServerLog(log));
    }
    if (PQping(conninfo.c_str()) == PQPING_OK) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return Status::Unavailable("postgres on port " + std::to_string(port_) +
                             " did not answer within 30 s; its log:\n" + ReadServerLog(log));
}

Result<std::string> PostgresServer::NewDatabase() {
  // Unique across the processes that share one server.
  const std::string name =
      "test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  PGconn* conn = PQconnectdb(url().c_str());
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) return Status::Unavailable("CREATE DATABASE " + name + ": " + why);
  return url(name);
}

void PostgresServer::StopImmediately() {
  if (pid_ <= 0) return;
  kill(pid_, SIGQUIT);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void PostgresServer::Stop() { StopServer(&pid_); }

Status PostgresServer::Restart() {
  Stop();
  return Launch();
}

PostgresServer* SharedPostgresServer() {
  static std::unique_ptr<PostgresServer> server = [] {
    const char* file = std::getenv("VIGIL_TEST_PG_ADMIN_FILE");
    std::string admin;
    if (file != nullptr) std::getline(std::ifstream(file), admin);
    auto started = admin.empty() ? PostgresServer::Start() : PostgresServer::Attach(admin);
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return std::unique_ptr<PostgresServer>();
    }
    return std::move(started).value();
  }();
  return server.get();
}

}  // namespace vigil::testing
