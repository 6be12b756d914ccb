// HttpConnection: one client connection of the HttpServer, driven by the
// server's io_context on a strand of its own, so no I/O thread ever waits
// for it. Internal to api/http_server.cc.
//
// Its life, one request at a time (keep-alive, pipelined requests queue in
// the read buffer):
//
//   idle     wait for the first byte; closed quietly after idle_timeout_ms.
//   reading  header, then body, through ApiRequestParser (limits, framing);
//            the whole request must arrive within request_timeout_ms of its
//            first byte (408 otherwise). "Expect: 100-continue" is answered
//            before the body is read.
//   handling Api::Handle runs on the handler pool (it does database work);
//            the response is posted back to the connection's strand.
//   writing  the response, within write_timeout_ms; then idle again, or
//            closed (Connection: close, HTTP/1.0, an error answer, the
//            server stopping, keep_alive_max_requests reached).
//   closing  after an error answer: our side shut down for sending, then
//            what the client still sends is read and dropped for a moment
//            (at most 256 KiB, 1 s), so the answer is not lost to a reset.
//
//   streaming a response with a stream (ApiResponse::stream): the head (no
//            Content-Length, Connection: close) and the first piece, then
//            in turn: poll the stream on the handler pool (a connection
//            leased per poll through Api::Poll), write what it returned,
//            wait stream_poll_ms on the strand's timer (at once when it
//            said more is ready); its heartbeat after stream_keepalive_ms
//            of silence. No thread waits between polls. Each write has
//            write_timeout_ms; the idle and request timeouts do not apply.
//            A read stays pending to see the client close (what it sends is
//            dropped, at most 256 KiB). Closed when the stream ends, the
//            client closes, a write fails or times out, or on Shutdown
//            (at once, in any of these steps).
//
// The write side is a phase of its own with a deadline per write, not per
// response, so a stream is written in pieces without touching the read side.
//
// Thread safety: Start and Shutdown may be called from any thread; all
// other work runs on the connection's strand. Ownership: shared_ptr, kept
// alive by the operations in flight; the server's registry holds weak
// references only.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/connection_limiter.h"
#include "api/http_request_parser.h"
#include "api/http_server.h"

namespace vigil {

class HttpConnection;

// What the server shares with its connections. Outlives every connection.
class HttpServerState {
 public:
  HttpServerState(Api* api, const HttpServerOptions& options, boost::asio::thread_pool* handlers);

  Api* api() const { return api_; }
  const HttpServerOptions& options() const { return options_; }
  boost::asio::thread_pool* handlers() const { return handlers_; }
  ConnectionLimiter* limiter() { return &limiter_; }
  bool stopping() const { return stopping_.load(); }

  // A place for one more open stream; false when max_streams are open.
  // Each admitted stream calls EndStream once.
  bool AdmitStream();
  void EndStream();

  // Adds a live connection; false (and nothing added) once stopping.
  bool Register(const std::shared_ptr<HttpConnection>& connection);
  void Unregister(const HttpConnection* connection);
  // From now on stopping() is true; every live connection is asked to
  // finish the request it is handling, if any, and close.
  void ShutdownAll();

 private:
  Api* api_;
  const HttpServerOptions options_;
  boost::asio::thread_pool* handlers_;
  ConnectionLimiter limiter_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> streams_{0};
  std::mutex mu_;
  std::map<const HttpConnection*, std::weak_ptr<HttpConnection>> live_;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `socket`'s executor must be a strand; `slot` is its place under the caps.
  HttpConnection(boost::asio::ip::tcp::socket socket, HttpServerState* server,
                 ConnectionLimiter::Slot slot, std::string client);
  ~HttpConnection();

  void Start();
  // Finish the request in progress (if any) and close; idle connections
  // close at once.
  void Shutdown();

 private:
  enum class Phase {
    kIdle,
    kReading,
    kHandling,
    kWriting,
    kClosing,
    kStreamPolling,
    kStreamWriting,
    kStreamWaiting,
    kClosed
  };
  using ErrorCode = boost::system::error_code;

  void AwaitRequest();
  void BeginRequest();
  void OnHeader(ErrorCode ec);
  void ReadBody();
  void OnBody(ErrorCode ec);
  // A failed read: answer if there is an answer, then close.
  void FailRead(ErrorCode ec);
  void Dispatch();
  void Respond(ApiResponse response);
  void Write();
  void OnWritten(ErrorCode ec);
  void Linger();
  void OnLingerRead(ErrorCode ec, size_t bytes);
  // The streaming phase (see the top of this file).
  void BeginStream(ApiResponse response);
  void StreamWrite();
  void OnStreamWritten(ErrorCode ec);
  void StreamWait();
  void StreamPoll();
  void OnStreamPolled(StreamChunk chunk);
  void WatchClient();
  void Close();
  // Arms the phase's deadline; a timer of an earlier phase is void.
  void Deadline(int64_t ms);
  void OnDeadline();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  HttpServerState* server_;
  ConnectionLimiter::Slot slot_;
  const std::string client_;
  Phase phase_ = Phase::kIdle;
  uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  bool shutdown_ = false;
  int requests_ = 0;

  boost::beast::flat_buffer buffer_;
  std::optional<ApiRequestParser> parser_;
  bool head_ = false;
  bool keep_alive_ = false;
  int version_ = 11;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  size_t lingered_ = 0;
  std::unique_ptr<std::array<char, 16384>> drain_;

  std::shared_ptr<ResponseStream> stream_;
  bool stream_admitted_ = false;  // holds one of max_streams
  bool stream_end_ = false;
  bool stream_more_ = false;
  std::string stream_out_;
  std::chrono::steady_clock::time_point stream_written_at_;
};

}  // namespace vigil
