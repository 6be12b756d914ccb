// BASELINE ONLY, for bench_api: the API's previous HTTP server (cpp-httplib
// 0.11, a thread per connection, limits checked after reading), kept here
// so that bench_api measures the current server (api/http_server.h) and
// this one in the same run, on the same Api, with the same requests. Not
// part of vigil; nothing outside bench/ may use it.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <thread>

#include "api/api.h"

namespace vigil::bench {

class BaselineHttplibServer {
 public:
  // Serves `api` on host and a free port with `threads` threads (as the
  // previous server's defaults: keep-alive 5 s, 10 s timeouts,
  // TCP_NODELAY, a 1 MiB body limit). 0 when it cannot listen.
  int Start(Api* api, const std::string& host, int threads, size_t max_body_bytes) {
    httplib::Server& s = server_;
    s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    s.set_tcp_nodelay(true);
    s.set_keep_alive_timeout(5);
    s.set_keep_alive_max_count(10000);
    s.set_read_timeout(std::chrono::seconds(10));
    s.set_write_timeout(std::chrono::seconds(10));
    s.set_payload_max_length(max_body_bytes);
    auto listen_fd = std::make_shared<int>(-1);
    s.set_socket_options([listen_fd](socket_t sock) {
      const int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      *listen_fd = sock;
    });
    auto handle = [api](const httplib::Request& req, httplib::Response& res) {
      const ApiResponse response = api->Handle(ToApiRequest(req));
      res.status = response.status;
      for (const auto& [key, value] : response.headers) res.set_header(key, value);
      res.set_content(response.body, response.content_type.c_str());
    };
    const std::string any = ".*";
    s.Get(any, handle);
    s.Post(any, handle);
    s.Put(any, handle);
    s.Patch(any, handle);
    s.Delete(any, handle);
    s.Options(any, handle);
    const int port = s.bind_to_any_port(host);
    if (port <= 0) return 0;
    if (*listen_fd >= 0) ::listen(*listen_fd, SOMAXCONN);
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    return port;
  }

  void Stop() {
    server_.stop();
    if (listener_.joinable()) listener_.join();
  }
  ~BaselineHttplibServer() { Stop(); }

 private:
  static ApiRequest ToApiRequest(const httplib::Request& req) {
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (const auto& [key, value] : req.params) request.query.emplace_back(key, value);
    for (const auto& [key, value] : req.headers) {
      std::string name = key;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace(std::move(name), value);
    }
    request.body = req.body;
    request.remote_addr = req.remote_addr;
    return request;
  }

  httplib::Server server_;
  std::thread listener_;
};

}  // namespace vigil::bench
