// WebhookSink: a small HTTP receiver on 127.0.0.1 that `vigil demo` starts
// so delivery can be seen without any outside service: it answers every
// request 200 "ok" and keeps what it received. One connection at a time,
// "Connection: close"; bodies up to 4 MiB. Not a general server.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace vigil {

struct SinkRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int64_t received_ms = 0;  // when it arrived: milliseconds since the epoch (system clock)
};

class WebhookSink {
 public:
  // Listens on 127.0.0.1 on a free port. IoError when it cannot.
  static Result<std::unique_ptr<WebhookSink>> Start();
  ~WebhookSink();

  int port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:<port>/hook

  // What arrived since the last call (or the start), in order.
  std::vector<SinkRequest> TakeReceived();

 private:
  explicit WebhookSink(int fd, int port);
  void Run();

  const int fd_;
  const int port_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<SinkRequest> received_;
  std::thread thread_;
};

}  // namespace vigil
