#include "api/http_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <chrono>
#include <exception>
#include <sstream>

#include "observe/log.h"

namespace vigil {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

// After an error answer, what the client still sends is dropped for at most
// this long and this much, then the connection is closed.
constexpr int64_t kLingerMs = 1000;
constexpr size_t kLingerBytes = 256 * 1024;

// A read buffer larger than this is given back while the connection idles.
constexpr size_t kIdleBufferBytes = 8 * 1024;

constexpr const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

HttpServerState::HttpServerState(Api* api, const HttpServerOptions& options,
                                 boost::asio::thread_pool* handlers)
    : api_(api),
      options_(options),
      handlers_(handlers),
      limiter_(options.max_connections, options.max_connections_per_client) {}

bool HttpServerState::Register(const std::shared_ptr<HttpConnection>& connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_.load()) return false;
  live_[connection.get()] = connection;
  return true;
}

void HttpServerState::Unregister(const HttpConnection* connection) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(connection);
}

bool HttpServerState::AdmitStream() {
  int open = streams_.load();
  while (open < options_.max_streams) {
    if (streams_.compare_exchange_weak(open, open + 1)) return true;
  }
  return false;
}

void HttpServerState::EndStream() { streams_.fetch_sub(1); }

void HttpServerState::ShutdownAll() {
  std::vector<std::shared_ptr<HttpConnection>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true);
    for (const auto& [key, weak] : live_) {
      if (std::shared_ptr<HttpConnection> c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (const std::shared_ptr<HttpConnection>& c : live) c->Shutdown();
}

HttpConnection::HttpConnection(net::ip::tcp::socket socket, HttpServerState* server,
                               ConnectionLimiter::Slot slot, std::string client)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      server_(server),
      slot_(std::move(slot)),
      client_(std::move(client)),
      // The whole header must fit, with room for the parser to see it is too long.
      buffer_(server->options().max_header_bytes + 4096) {}

HttpConnection::~HttpConnection() {
  if (stream_admitted_) server_->EndStream();
  server_->Unregister(this);
}

void HttpConnection::Start() {
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->AwaitRequest(); });
}

void HttpConnection::Shutdown() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->shutdown_ = true;
    if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kReading ||
        self->phase_ == Phase::kClosing || self->phase_ == Phase::kStreamPolling ||
        self->phase_ == Phase::kStreamWriting || self->phase_ == Phase::kStreamWaiting) {
      self->Close();
    }
  });
}

void HttpConnection::AwaitRequest() {
  if (shutdown_ || server_->stopping()) return Close();
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return BeginRequest();  // pipelined
  // An idle connection keeps no read buffer a large request grew.
  if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  Deadline(server_->options().idle_timeout_ms);
  socket_.async_wait(net::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](ErrorCode ec) {
                       if (self->phase_ != Phase::kIdle) return;
                       if (ec) return self->Close();
                       self->BeginRequest();
                     });
}

void HttpConnection::BeginRequest() {
  phase_ = Phase::kReading;
  timed_out_ = false;
  Deadline(server_->options().request_timeout_ms);
  parser_.emplace(server_->options().max_header_bytes, server_->options().max_body_bytes);
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](ErrorCode ec, size_t) { self->OnHeader(ec); });
}

void HttpConnection::OnHeader(ErrorCode ec) {
  if (phase_ != Phase::kReading) return;
  if (ec) return FailRead(ec);
  if (parser_->is_done()) return Dispatch();
  if (parser_->expects_continue() && parser_->version() >= 11) {
    net::async_write(socket_, net::buffer(kContinue, sizeof kContinue - 1),
                     [self = shared_from_this()](ErrorCode ec, size_t) {
                       if (self->phase_ != Phase::kReading) return;
                       if (ec) return self->FailRead(ec);
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void HttpConnection::ReadBody() {
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](ErrorCode ec, size_t) { self->OnBody(ec); });
}

void HttpConnection::OnBody(ErrorCode ec) {
  if (phase_ != Phase::kReading) return;
  if (ec) return FailRead(ec);
  Dispatch();
}

void HttpConnection::FailRead(ErrorCode ec) {
  std::optional<ApiResponse> answer;
  if (timed_out_) {
    if (buffer_.size() > 0 || parser_->got_some()) {
      answer = ErrorResponse(408, api_error::kRequestTimeout,
                             "request: not received whole within " +
                                 std::to_string(server_->options().request_timeout_ms) + " ms");
    }
  } else if (!shutdown_) {
    answer = parser_->ReadErrorResponse(ec);
  }
  if (!answer) return Close();
  Log(LogLevel::kDebug, "http.refused",
      {{"client", client_}, {"status", answer->status}, {"error", ec.message()}});
  version_ = parser_->version();
  head_ = false;
  keep_alive_ = false;
  Respond(std::move(*answer));
}

void HttpConnection::Dispatch() {
  if (shutdown_ || server_->stopping()) return Close();
  phase_ = Phase::kHandling;
  ++deadline_generation_;
  timer_.cancel();
  ++requests_;
  version_ = parser_->version();
  keep_alive_ = parser_->keep_alive() && requests_ < server_->options().keep_alive_max_requests;
  ApiRequest request = std::move(parser_->request());
  parser_.reset();
  head_ = request.method == "HEAD";
  if (head_) request.method = "GET";
  request.remote_addr = client_;
  // On a handler thread only the Api and the strand are touched; the
  // response comes back to the strand.
  net::post(*server_->handlers(), [self = shared_from_this(), api = server_->api(),
                                   strand = socket_.get_executor(),
                                   request = std::move(request)]() mutable {
    ApiResponse response;
    try {
      response = api->Handle(std::move(request));
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "http.handler_failed", {{"error", e.what()}});
      response = ErrorResponse(500, api_error::kInternal, "internal error; the server log has details");
    }
    net::post(strand, [self = std::move(self), response = std::move(response)]() mutable {
      self->Respond(std::move(response));
    });
  });
}

void HttpConnection::Respond(ApiResponse response) {
  if (phase_ == Phase::kClosed) return;
  if (shutdown_ || server_->stopping()) keep_alive_ = false;
  if (response.stream) {
    if (head_ || shutdown_ || server_->stopping()) {
      response.stream.reset();  // the head (and first piece) alone
    } else if (server_->AdmitStream()) {
      stream_admitted_ = true;
      return BeginStream(std::move(response));
    } else {
      response = ErrorResponse(503, api_error::kUnavailable,
                               "streams: " + std::to_string(server_->options().max_streams) +
                                   " are open, the most this server allows; retry later");
    }
  }
  phase_ = Phase::kWriting;
  response_ = {};
  response_.version(version_);
  response_.result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) response_.insert(name, value);
  response_.set(http::field::content_type, response.content_type);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive_);
  // 204 and 304 carry no body and no Content-Length (RFC 9110 8.6): Beast
  // writes "Content-Length: 0", which a cache could take for what it stored.
  const bool bodiless = response.status == 204 || response.status == 304;
  if (bodiless) response_.body().clear();
  response_.prepare_payload();
  if (bodiless) response_.erase(http::field::content_length);
  if (head_) response_.body().clear();  // Content-Length stays the GET's
  Write();
}

void HttpConnection::Write() {
  Deadline(server_->options().write_timeout_ms);
  http::async_write(socket_, response_,
                    [self = shared_from_this()](ErrorCode ec, size_t) { self->OnWritten(ec); });
}

void HttpConnection::OnWritten(ErrorCode ec) {
  if (phase_ != Phase::kWriting) return;
  response_ = {};
  if (ec) return Close();
  if (keep_alive_) return AwaitRequest();
  Linger();
}

void HttpConnection::Linger() {
  if (shutdown_ || server_->stopping()) return Close();
  phase_ = Phase::kClosing;
  ErrorCode ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  Deadline(kLingerMs);
  if (!drain_) drain_ = std::make_unique<std::array<char, 16384>>();
  socket_.async_read_some(net::buffer(*drain_),
                          [self = shared_from_this()](ErrorCode ec, size_t bytes) {
                            self->OnLingerRead(ec, bytes);
                          });
}

void HttpConnection::OnLingerRead(ErrorCode ec, size_t bytes) {
  if (phase_ != Phase::kClosing) return;
  lingered_ += bytes;
  if (ec || lingered_ >= kLingerBytes) return Close();
  socket_.async_read_some(net::buffer(*drain_),
                          [self = shared_from_this()](ErrorCode ec, size_t bytes) {
                            self->OnLingerRead(ec, bytes);
                          });
}

void HttpConnection::BeginStream(ApiResponse response) {
  stream_ = std::move(response.stream);
  keep_alive_ = false;  // the stream ends the connection
  http::response<http::empty_body> head;
  head.version(version_);
  head.result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) head.insert(name, value);
  head.set(http::field::content_type, response.content_type);
  head.keep_alive(false);
  std::ostringstream out;
  out << head.base();
  stream_out_ = out.str() + response.body;
  WatchClient();
  StreamWrite();
}

void HttpConnection::StreamWrite() {
  phase_ = Phase::kStreamWriting;
  Deadline(server_->options().write_timeout_ms);
  net::async_write(socket_, net::buffer(stream_out_),
                   [self = shared_from_this()](ErrorCode ec, size_t) { self->OnStreamWritten(ec); });
}

void HttpConnection::OnStreamWritten(ErrorCode ec) {
  if (phase_ != Phase::kStreamWriting) return;
  stream_out_.clear();
  stream_written_at_ = std::chrono::steady_clock::now();
  if (ec || stream_end_ || shutdown_ || server_->stopping()) return Close();
  if (stream_more_) return StreamPoll();
  StreamWait();
}

void HttpConnection::StreamWait() {
  phase_ = Phase::kStreamWaiting;
  Deadline(server_->options().stream_poll_ms);  // OnDeadline polls
}

void HttpConnection::StreamPoll() {
  phase_ = Phase::kStreamPolling;
  ++deadline_generation_;
  timer_.cancel();
  // As in Dispatch: the handler thread touches the Api and the strand only.
  net::post(*server_->handlers(), [self = shared_from_this(), api = server_->api(),
                                   stream = stream_, strand = socket_.get_executor()] {
    StreamChunk chunk = api->Poll(stream.get());
    net::post(strand, [self = std::move(self), chunk = std::move(chunk)]() mutable {
      self->OnStreamPolled(std::move(chunk));
    });
  });
}

void HttpConnection::OnStreamPolled(StreamChunk chunk) {
  if (phase_ != Phase::kStreamPolling) return;
  if (shutdown_ || server_->stopping()) return Close();
  stream_end_ = chunk.end;
  stream_more_ = chunk.more;
  stream_out_ = std::move(chunk.text);
  const auto silent = std::chrono::steady_clock::now() - stream_written_at_;
  if (stream_out_.empty() && !stream_end_ &&
      silent >= std::chrono::milliseconds(server_->options().stream_keepalive_ms)) {
    stream_out_ = stream_->Heartbeat();
  }
  if (!stream_out_.empty()) return StreamWrite();
  if (stream_end_) return Close();
  StreamWait();
}

void HttpConnection::WatchClient() {
  if (!drain_) drain_ = std::make_unique<std::array<char, 16384>>();
  socket_.async_read_some(net::buffer(*drain_),
                          [self = shared_from_this()](ErrorCode ec, size_t bytes) {
                            if (self->phase_ == Phase::kClosed) return;
                            // A stream's client has nothing more to say: it
                            // closed, or it floods (dropped up to a limit).
                            self->lingered_ += bytes;
                            if (ec || self->lingered_ >= kLingerBytes) return self->Close();
                            self->WatchClient();
                          });
}

void HttpConnection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  if (stream_admitted_) {
    stream_admitted_ = false;
    server_->EndStream();
  }
  stream_.reset();
  ++deadline_generation_;
  timer_.cancel();
  ErrorCode ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void HttpConnection::Deadline(int64_t ms) {
  const uint64_t generation = ++deadline_generation_;
  timer_.expires_after(std::chrono::milliseconds(ms));
  timer_.async_wait([self = shared_from_this(), generation](ErrorCode ec) {
    if (ec || generation != self->deadline_generation_) return;
    self->OnDeadline();
  });
}

void HttpConnection::OnDeadline() {
  switch (phase_) {
    case Phase::kReading: {
      // The read in progress completes with operation_aborted; FailRead
      // then answers 408.
      timed_out_ = true;
      ErrorCode ignored;
      socket_.cancel(ignored);
      return;
    }
    case Phase::kIdle:
    case Phase::kWriting:
    case Phase::kClosing:
    case Phase::kStreamWriting:
      return Close();
    case Phase::kStreamWaiting:
      return StreamPoll();
    case Phase::kHandling:
    case Phase::kStreamPolling:
    case Phase::kClosed:
      return;
  }
}

}  // namespace vigil
