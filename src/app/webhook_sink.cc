#include "app/webhook_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace vigil {
namespace {

constexpr size_t kMaxRequestBytes = 4 << 20;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Reads one request from `fd` (headers, then Content-Length bytes of body).
bool ReadRequest(int fd, SinkRequest* req) {
  std::string data;
  char buf[65536];
  size_t header_end = std::string::npos;
  size_t body_size = 0;
  while (data.size() < kMaxRequestBytes) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      size_t line_end = data.find("\r\n");
      const std::string start = data.substr(0, line_end);
      const size_t sp1 = start.find(' '), sp2 = start.rfind(' ');
      req->method = start.substr(0, sp1);
      req->target = sp1 == sp2 ? "" : start.substr(sp1 + 1, sp2 - sp1 - 1);
      for (size_t at = line_end + 2; at < header_end;) {
        const size_t end = data.find("\r\n", at);
        const std::string line = data.substr(at, end - at);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(value.begin());
          req->headers[Lower(line.substr(0, colon))] = value;
        }
        at = end + 2;
      }
      auto length = req->headers.find("content-length");
      body_size = length == req->headers.end() ? 0 : std::stoul(length->second);
    }
    if (data.size() >= header_end + 4 + body_size) {
      req->body = data.substr(header_end + 4, body_size);
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<WebhookSink>> WebhookSink::Start() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("webhook sink: socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::IoError("webhook sink: cannot listen on 127.0.0.1: " + why);
  }
  std::unique_ptr<WebhookSink> sink(new WebhookSink(fd, ntohs(addr.sin_port)));
  sink->thread_ = std::thread([s = sink.get()] { s->Run(); });
  return sink;
}

WebhookSink::WebhookSink(int fd, int port) : fd_(fd), port_(port) {}

WebhookSink::~WebhookSink() {
  stopping_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

std::string WebhookSink::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hook";
}

std::vector<SinkRequest> WebhookSink::TakeReceived() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SinkRequest> out;
  out.swap(received_);
  return out;
}

void WebhookSink::Run() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    SinkRequest req;
    if (ReadRequest(conn, &req)) {
      req.received_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
      static const char kAnswer[] =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
          "Connection: close\r\n\r\nok";
      [[maybe_unused]] ssize_t w = ::write(conn, kAnswer, sizeof kAnswer - 1);
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(std::move(req));
    }
    ::close(conn);
  }
}

}  // namespace vigil
