#include "api/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace vigil {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

ApiRequest ToApiRequest(const httplib::Request& req) {
  ApiRequest request;
  request.method = req.method;
  request.path = req.path;
  for (const auto& [key, value] : req.params) request.query.emplace_back(key, value);
  for (const auto& [key, value] : req.headers) request.headers.emplace(Lower(key), value);
  request.body = req.body;
  request.remote_addr = req.remote_addr;
  return request;
}

void Write(const ApiResponse& response, httplib::Response* res) {
  res->status = response.status;
  for (const auto& [key, value] : response.headers) res->set_header(key, value);
  res->set_content(response.body, response.content_type.c_str());
}

// The API's error for what httplib rejected before any handler ran.
ApiResponse LibraryError(int status, size_t max_body_bytes) {
  switch (status) {
    case 413:
      return ErrorResponse(413, api_error::kPayloadTooLarge,
                           "request body: over the limit of " + std::to_string(max_body_bytes) +
                               " bytes");
    case 404:
      return ErrorResponse(404, api_error::kNotFound, "no such route");
    default:
      return ErrorResponse(status, api_error::kBadRequest,
                           "the request could not be read (HTTP " + std::to_string(status) + ")");
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Api* api, const HttpServerOptions& options) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *server->server_;
  const int threads = std::max(1, options.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_timeout(options.keep_alive_seconds);
  s.set_keep_alive_max_count(options.keep_alive_max_requests);
  s.set_read_timeout(std::chrono::milliseconds(options.read_timeout_ms));
  s.set_write_timeout(std::chrono::milliseconds(options.write_timeout_ms));
  s.set_payload_max_length(options.max_body_bytes);
  // SO_REUSEADDR only: the library's default adds SO_REUSEPORT, with which
  // a second server on a taken port would start and share its connections.
  // The socket is kept to widen the library's listen backlog of 5 (bursts
  // of new connections would otherwise wait for SYN retries).
  auto listen_fd = std::make_shared<int>(-1);
  s.set_socket_options([listen_fd](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    *listen_fd = sock;
  });
  auto handle = [api](const httplib::Request& req, httplib::Response& res) {
    Write(api->Handle(ToApiRequest(req)), &res);
  };
  const std::string any = ".*";
  s.Get(any, handle);
  s.Post(any, handle);
  s.Put(any, handle);
  s.Patch(any, handle);
  s.Delete(any, handle);
  s.Options(any, handle);
  const size_t max_body = options.max_body_bytes;
  s.set_error_handler([max_body](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    Write(LibraryError(res.status, max_body), &res);
  });
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (options.port == 0) {
    server->port_ = s.bind_to_any_port(options.host);
    if (server->port_ <= 0) return Status::Unavailable("http: cannot listen on " + where);
  } else {
    if (!s.bind_to_port(options.host, options.port)) {
      return Status::Unavailable("http: cannot listen on " + where +
                                 " (address in use or not valid)");
    }
    server->port_ = options.port;
  }
  if (*listen_fd >= 0) ::listen(*listen_fd, SOMAXCONN);
  server->listener_ = std::thread([&s] { s.listen_after_bind(); });
  return server;
}

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace vigil
