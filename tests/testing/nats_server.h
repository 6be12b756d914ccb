// NatsServer (tests only): a real nats-server that a test starts as a child
// process on 127.0.0.1 and a free port, with JetStream storing in a temporary
// directory (unless asked not to); stopped when the object goes away.
//
//   auto server = testing::NatsServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   NatsBusOptions o;
//   o.url = (*server)->url();
//
// nats-server is looked up on PATH (then /usr/bin, /usr/sbin, /usr/local/bin);
// when it is missing Start fails saying so — tests do not skip.
// Thread safety: none; one test thread owns it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace vigil::testing {

class NatsServer {
 public:
  // Starts `nats-server -a 127.0.0.1 -p P [-js -sd DIR]` and waits up to 10 s
  // until it accepts connections.
  static Result<std::unique_ptr<NatsServer>> Start(bool jetstream = true);

  ~NatsServer();  // Stop()
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "nats://127.0.0.1:<port>"
  pid_t pid() const { return pid_; }

  void Signal(int signal);
  // Ends the server (SIGTERM, SIGKILL after 5 s). Idempotent.
  void Stop();
  // Starts it again on the same port with the same JetStream directory.
  Status Restart();

 private:
  NatsServer() = default;
  Status Launch();

  int port_ = 0;
  bool jetstream_ = true;
  std::string dir_;
  pid_t pid_ = -1;
};

// How many messages JetStream stream `stream` holds on the server at `url`
// (asked with libnats directly); -1 when it cannot be read.
int64_t StreamMessages(const std::string& url, const std::string& stream);

}  // namespace vigil::testing
