// HttpServer: serves an Api over HTTP/1.1 with cpp-httplib, on a pool of
// threads, keep-alive, TCP_NODELAY. Each request is converted to an
// ApiRequest (header names lower-cased, query decoded) and answered with
// the Api's response. Errors the library detects itself (a body over the
// size limit, a request it cannot parse) are answered with the API's JSON
// error shape too.
//
// Thread safety: Start/Stop from one thread; the Api is called from the
// server's threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "api/api.h"
#include "common/status.h"

namespace httplib {
class Server;
}

namespace vigil {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port)
  // Threads serving connections; a keep-alive connection holds one while open.
  int threads = 16;
  int64_t read_timeout_ms = 10000;
  int64_t write_timeout_ms = 10000;
  int keep_alive_seconds = 5;
  int keep_alive_max_requests = 10000;
  size_t max_body_bytes = 1 << 20;  // as ApiLimits::max_body_bytes
};

class HttpServer {
 public:
  // Binds host:port and starts serving `api` (which must outlive the
  // server). Unavailable "http: cannot listen on H:P" when the address is
  // taken or not valid.
  static Result<std::unique_ptr<HttpServer>> Start(Api* api, const HttpServerOptions& options);
  ~HttpServer();

  int port() const { return port_; }
  // Stops accepting, finishes the requests in progress, joins the threads.
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace vigil
