// HttpServer: serves an Api over HTTP/1.1 with Boost.Beast, event-driven:
// `io_threads` threads run one io_context that accepts, reads, parses and
// writes for every connection (never a thread per connection), and
// `threads` handler threads run Api::Handle, which does database work, so a
// slow query never holds up I/O. Each request is converted to an ApiRequest
// (api/http_request_parser.h) and answered with the Api's response;
// keep-alive, pipelining and TCP_NODELAY.
//
// Limits are enforced while parsing, before anything is buffered beyond
// them: the header (431), the body (413: a Content-Length over the limit
// before any body byte is read, a chunked body as soon as it passes it),
// ambiguous framing (400: conflicting Content-Lengths, Content-Length with
// Transfer-Encoding, a Transfer-Encoding other than chunked), a deadline
// for each whole request (408), an idle timeout between requests, a write
// timeout, and caps on open connections overall and per client address
// (503). Every refusal answers in the API's JSON error shape and closes the
// connection (api/http_connection.h).
//
// A response with a stream (ApiResponse::stream, e.g. the live event stream)
// is written as its head and first piece, then piece by piece: the stream
// is polled on a handler thread every stream_poll_ms (no thread waits in
// between), a heartbeat goes out after stream_keepalive_ms of silence, and
// the connection closes when the stream ends, the client goes away or the
// server stops. At most max_streams at once (503 beyond).
//
// Thread safety: Start/Stop from one thread; the Api is called from the
// handler threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "common/status.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace vigil {

class HttpServerState;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port)
  // Threads that run Api::Handle (database work); never the I/O threads.
  int threads = 16;
  // Threads running the event loop: accept, parse, write. Cheap work only.
  int io_threads = 2;
  // Request line and header fields together: 431 headers_too_large beyond.
  size_t max_header_bytes = 64 << 10;
  size_t max_body_bytes = 1 << 20;  // as ApiLimits::max_body_bytes; 413 beyond
  // A request (header and body) must arrive whole this long after its first
  // byte; otherwise 408 request_timeout and the connection is closed.
  int64_t request_timeout_ms = 10000;
  // A connection with no request begun is closed after this long.
  int64_t idle_timeout_ms = 5000;
  // A response the client does not take within this long closes the connection.
  int64_t write_timeout_ms = 10000;
  // Open connections, overall and per client address; a connection beyond
  // either gets 503 unavailable and is closed.
  int max_connections = 512;
  int max_connections_per_client = 64;
  int keep_alive_max_requests = 10000;
  // Streamed responses open at once; one more is answered 503 unavailable.
  // Each also holds a connection under the caps above.
  int max_streams = 256;
  // A stream is asked for its next piece this long after it last had
  // nothing new (at once when it said more is ready).
  int64_t stream_poll_ms = 1000;
  // After this long with nothing written, the stream's heartbeat is sent.
  int64_t stream_keepalive_ms = 15000;
};

class HttpServer {
 public:
  // Binds host:port and starts serving `api` (which must outlive the
  // server). Unavailable "http: cannot listen on H:P (...)" when the address
  // is taken or not valid.
  static Result<std::unique_ptr<HttpServer>> Start(Api* api, const HttpServerOptions& options);
  ~HttpServer();

  int port() const { return port_; }
  // Stops accepting, closes idle connections and open streams, finishes the
  // requests in progress (their responses are written, with Connection:
  // close), joins the threads. Idempotent.
  void Stop();

 private:
  class Acceptor;
  HttpServer();

  // Destroyed in reverse: the threads are joined by Stop; the acceptor and
  // the handler pool's leftovers go while the io_context and the state
  // they point to still exist.
  std::unique_ptr<HttpServerState> state_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::thread_pool> handlers_;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::thread> io_threads_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace vigil
