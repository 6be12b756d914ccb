// RedisServer (tests only): a real redis-server that a test starts as a
// child process on 127.0.0.1 and a free port, in a temporary directory,
// without persistence unless asked; stopped when the object goes away.
//
//   auto server = testing::RedisServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   RedisQueueOptions o;
//   o.url = (*server)->url();
//
// redis-server is looked up on PATH (then /usr/bin, /usr/sbin, /usr/local/bin);
// when it is missing Start fails with a message saying so — tests do not
// skip. Thread safety: none; one test thread owns it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace vigil::testing {

class RedisServer {
 public:
  // Starts redis-server with `--port P --bind 127.0.0.1 --save '' --appendonly no
  // --dir TMP` plus `extra_args` (which may override those, e.g.
  // {"--appendonly", "yes"}), and waits up to 10 s until it answers PING.
  // Tries other ports when the chosen one was taken meanwhile.
  static Result<std::unique_ptr<RedisServer>> Start(std::vector<std::string> extra_args = {});

  ~RedisServer();  // Stop()
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  // "redis://127.0.0.1:<port>"
  std::string url() const;
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` to the server (SIGKILL, SIGSTOP, ...).
  void Signal(int signal);
  // Ends the server: SIGTERM, then SIGKILL after 5 s. Idempotent.
  void Stop();
  // Starts it again on the same port and directory with the same arguments.
  Status Restart();
  // Runs one command on a new connection (FLUSHALL, CONFIG GET, ...); the
  // reply as text in *reply when given. An error reply is an error.
  Status Command(const std::vector<std::string>& argv, std::string* reply = nullptr);
  // SHUTDOWN (the server saves per its persistence settings and exits);
  // waits up to 10 s for the process to end. Restart starts it again.
  Status Shutdown();

 private:
  RedisServer() = default;
  // Launches the process and waits for PING; kills it on failure.
  Status Launch();

  int port_ = 0;
  std::string dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
};

// One redis-server per test process, started on first use and stopped at
// exit; null (with a test failure recorded) when it cannot start.
RedisServer* SharedRedisServer();

}  // namespace vigil::testing
