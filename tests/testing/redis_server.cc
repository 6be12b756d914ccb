#include "testing/redis_server.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "queue/redis_connection.h"
#include "testing/fixtures.h"
#include "testing/server_process.h"

namespace vigil::testing {

Result<std::unique_ptr<RedisServer>> RedisServer::Start(std::vector<std::string> extra_args) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->dir_ = NewTempDir();
  server->extra_args_ = std::move(extra_args);
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    if (server->port_ == 0) return Status::IoError("redis-server: no free port on 127.0.0.1");
    last = server->Launch();
    if (last.ok()) return server;
    if (last.code() == Code::kNotFound) break;
  }
  return last;
}

RedisServer::~RedisServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // its AOF and RDB files
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

Status RedisServer::Launch() {
  VIGIL_ASSIGN_OR_RETURN(std::string binary,
                         FindServerBinary("redis-server", "scripts/install-deps.sh installs it"));
  std::string log = dir_ + "/redis.log";
  std::vector<std::string> args = {binary,      "--port",       std::to_string(port_),
                                   "--bind",    "127.0.0.1",    "--save",
                                   "",          "--appendonly", "no",
                                   "--dir",     dir_,           "--logfile",
                                   log,         "--daemonize",  "no"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  VIGIL_ASSIGN_OR_RETURN(pid_, SpawnServer(args));

  RedisEndpoint endpoint;
  endpoint.port = port_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ServerExited(pid_)) {
      pid_ = -1;
      return Status::Unavailable("redis-server on port " + std::to_string(port_) +
                                 " exited at start; its log:\n" + ReadServerLog(log));
    }
    auto conn = RedisConnection::Connect(endpoint, 1000, 1000);
    if (conn.ok()) {
      Result<RedisReply> pong = (*conn)->Command({"PING"});
      if (pong.ok() && pong->AsString() == "PONG") return Status::Ok();
      why = pong.ok() ? pong->str : pong.status().message();
    } else {
      why = conn.status().message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return Status::Unavailable("redis-server on port " + std::to_string(port_) +
                             " did not answer PING within 10 s (" + why + "); its log:\n" +
                             ReadServerLog(log));
}

void RedisServer::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

void RedisServer::Stop() { StopServer(&pid_); }

Status RedisServer::Command(const std::vector<std::string>& argv, std::string* reply) {
  RedisEndpoint endpoint;
  endpoint.port = port_;
  VIGIL_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint, 2000, 10000));
  VIGIL_ASSIGN_OR_RETURN(RedisReply r, conn->Command(argv));
  if (r.is_error()) return ReplyError(endpoint, r);
  if (reply != nullptr) *reply = r.AsString();
  return Status::Ok();
}

Status RedisServer::Shutdown() {
  if (pid_ <= 0) return Status::FailedPrecondition("redis-server is not running");
  RedisEndpoint endpoint;
  endpoint.port = port_;
  VIGIL_ASSIGN_OR_RETURN(auto conn, RedisConnection::Connect(endpoint, 2000, 10000));
  (void)conn->Command({"SHUTDOWN"});  // the connection closes: no reply
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable("redis-server did not exit within 10 s of SHUTDOWN");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return Status::Ok();
}

Status RedisServer::Restart() {
  Stop();
  return Launch();
}

RedisServer* SharedRedisServer() {
  static std::unique_ptr<RedisServer> server = [] {
    auto started = RedisServer::Start();
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return std::unique_ptr<RedisServer>();
    }
    return std::move(started).value();
  }();
  return server.get();
}

}  // namespace vigil::testing
