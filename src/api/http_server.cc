#include "api/http_server.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "api/http_connection.h"
#include "observe/log.h"

namespace vigil {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// Out of file descriptors or memory: accepting again at once would spin.
constexpr int64_t kAcceptRetryMs = 100;

// The 503 for a connection beyond the caps, as it goes on the wire.
std::string RefusalBytes(const std::string& message) {
  ApiResponse api = ErrorResponse(503, api_error::kUnavailable, message);
  http::response<http::string_body> response{http::status::service_unavailable, 11};
  response.set(http::field::content_type, api.content_type);
  response.body() = std::move(api.body);
  response.keep_alive(false);
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

}  // namespace

// The listening socket and its accept loop, on a strand of its own.
class HttpServer::Acceptor {
 public:
  Acceptor(net::io_context& io, HttpServerState* state)
      : io_(io), state_(state), acceptor_(net::make_strand(io)), retry_(acceptor_.get_executor()) {}

  Status Listen(const std::string& host, int port) {
    const std::string where = host + ":" + std::to_string(port);
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    tcp::resolver::results_type found = resolver.resolve(host, std::to_string(port), ec);
    if (ec || found.empty()) {
      return Status::Unavailable("http: cannot listen on " + where + " (" +
                                 (ec ? ec.message() : "no such address") + ")");
    }
    const tcp::endpoint endpoint = found.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    // SO_REUSEADDR only (never SO_REUSEPORT): a second server on a taken
    // port must fail, not share its connections.
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("http: cannot listen on " + where + " (" + ec.message() + ")");
    return Status::Ok();
  }

  int port() const { return acceptor_.local_endpoint().port(); }

  void Accept() {
    acceptor_.async_accept(net::make_strand(io_),
                           [this](boost::system::error_code ec, tcp::socket socket) {
                             OnAccept(ec, std::move(socket));
                           });
  }

  // Stops accepting; the loop's last handler returns without a new accept.
  void Close() {
    net::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      retry_.cancel();
    });
  }

 private:
  void OnAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || state_->stopping()) return;
    if (ec) {
      Log(LogLevel::kWarn, "http.accept_failed", {{"error", ec.message()}});
      retry_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
      retry_.async_wait([this](boost::system::error_code wait) {
        if (!wait) Accept();
      });
      return;
    }
    Serve(std::move(socket));
    Accept();
  }

  void Serve(tcp::socket socket) {
    boost::system::error_code ec;
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    socket.set_option(tcp::no_delay(true), ec);
    const std::string client = peer.address().to_string();
    std::string refusal;
    std::optional<ConnectionLimiter::Slot> slot = state_->limiter()->Admit(client, &refusal);
    if (!slot) return Refuse(&socket, client, refusal);
    auto connection =
        std::make_shared<HttpConnection>(std::move(socket), state_, std::move(*slot), client);
    if (!state_->Register(connection)) return;  // stopping: closed with the connection
    connection->Start();
  }

  // Answers 503 without reading the request and closes. One non-blocking
  // write of a few hundred bytes into an empty socket buffer: it does not
  // wait, and a client that cannot take even that gets nothing.
  void Refuse(tcp::socket* socket, const std::string& client, const std::string& refusal) {
    Log(LogLevel::kDebug, "http.refused", {{"client", client}, {"status", 503}, {"error", refusal}});
    boost::system::error_code ignored;
    socket->non_blocking(true, ignored);
    const std::string bytes = RefusalBytes(refusal);
    socket->write_some(net::buffer(bytes), ignored);
    socket->shutdown(tcp::socket::shutdown_send, ignored);
    socket->close(ignored);
  }

  net::io_context& io_;
  HttpServerState* state_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
};

HttpServer::HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Api* api, const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  const int io_threads = std::max(1, options.io_threads);
  server->io_ = std::make_unique<net::io_context>(io_threads);
  server->handlers_ = std::make_unique<net::thread_pool>(std::max(1, options.threads));
  server->state_ = std::make_unique<HttpServerState>(api, options, server->handlers_.get());
  server->acceptor_ = std::make_unique<Acceptor>(*server->io_, server->state_.get());
  Status listening = server->acceptor_->Listen(options.host, options.port);
  if (!listening.ok()) {
    server->stopped_ = true;
    server->handlers_->join();
    return listening;
  }
  server->port_ = server->acceptor_->port();
  server->acceptor_->Accept();
  for (int i = 0; i < io_threads; ++i) {
    server->io_threads_.emplace_back([io = server->io_.get()] { io->run(); });
  }
  return server;
}

void HttpServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  acceptor_->Close();
  state_->ShutdownAll();
  // The handlers in progress finish and post their responses; the I/O
  // threads write them and close, and run out of work once every
  // connection is gone.
  handlers_->join();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace vigil
