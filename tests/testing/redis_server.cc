#include "testing/redis_server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "queue/redis_connection.h"
#include "testing/fixtures.h"

extern char** environ;

namespace vigil::testing {
namespace {

std::string FindRedisServer() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* d : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) dirs.push_back(d);
  for (const std::string& dir : dirs) {
    std::string candidate = dir + "/redis-server";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A port that was free a moment ago (the kernel's pick for port 0).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::unique_ptr<RedisServer>> RedisServer::Start(std::vector<std::string> extra_args) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->dir_ = NewTempDir();
  server->extra_args_ = std::move(extra_args);
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreePort();
    if (server->port_ == 0) return Status::IoError("redis-server: no free port on 127.0.0.1");
    last = server->Launch();
    if (last.ok()) return server;
    if (last.code() == Code::kNotFound) break;
  }
  return last;
}

RedisServer::~RedisServer() { Stop(); }

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

Status RedisServer::Launch() {
  std::string binary = FindRedisServer();
  if (binary.empty()) {
    return Status::NotFound(
        "redis-server not found on PATH (nor in /usr/bin, /usr/sbin, /usr/local/bin); "
        "scripts/install-deps.sh installs it");
  }
  std::string log = dir_ + "/redis.log";
  std::vector<std::string> args = {binary,      "--port",       std::to_string(port_),
                                   "--bind",    "127.0.0.1",    "--save",
                                   "",          "--appendonly", "no",
                                   "--dir",     dir_,           "--logfile",
                                   log,         "--daemonize",  "no"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) return Status::IoError("redis-server: cannot start " + binary + ": " + strerror(rc));
  pid_ = pid;

  RedisEndpoint endpoint;
  endpoint.port = port_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("redis-server on port " + std::to_string(port_) +
                                 " exited at start; its log:\n" + ReadFile(log));
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
                             ReadFile(log));
}

void RedisServer::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);  // in case a test stopped it
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

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
