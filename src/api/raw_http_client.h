// RawHttpConnection: a plain TCP socket to a server on loopback, for tests
// that send what a well-behaved HTTP client never would (half-sent requests,
// conflicting framing headers, endless headers or bodies) and read what the
// server answers, byte for byte. Tests only.
//
// Every call is bounded in time: sends give up after 10 s of a full socket
// buffer, reads after the timeout given. Writes use MSG_NOSIGNAL, so a peer
// that closed or reset the connection makes Send return false (EPIPE or
// ECONNRESET) instead of raising SIGPIPE.
//
// Thread safety: one connection per thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last of a name wins
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // The body as JSON (discarded when it is not JSON).
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class RawHttpConnection {
 public:
  // Connects to 127.0.0.1:port, from the loopback address `source`
  // ("127.0.0.2", ...) when given, so one test can be several clients.
  // nullptr when the connection cannot be made.
  static std::unique_ptr<RawHttpConnection> Connect(int port, const std::string& source = "") {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    std::unique_ptr<RawHttpConnection> c(new RawHttpConnection(fd));
    const timeval send_timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    if (!source.empty()) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return nullptr;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
    return c;
  }

  ~RawHttpConnection() { ::close(fd_); }
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  // Sends all of `bytes`. False when the server closed or reset the
  // connection (or 10 s passed with the socket buffer full); `error()`
  // then holds errno.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
      sent_ += static_cast<size_t>(n);
    }
    return true;
  }

  // Keeps whatever has arrived without waiting (a client that writes a
  // large request reads the server's early answer between writes).
  void Collect() { ReadFor(0); }

  // The next response (status line, headers, a Content-Length body),
  // waiting at most `timeout_ms` for it; nullopt when it did not arrive
  // whole in time or the connection ended first. Interim 1xx responses
  // are returned like any other.
  std::optional<RawResponse> ReadResponse(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      if (std::optional<RawResponse> r = TakeResponse()) return r;
      const int64_t left = Left(deadline);
      if (left <= 0 || closed_) return std::nullopt;
      if (!ReadFor(static_cast<int>(left))) return TakeResponse();
    }
  }

  // True when the server ends the connection (EOF or reset) within
  // `timeout_ms`; what arrives before is kept for ReadResponse.
  bool WaitClosed(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!closed_) {
      const int64_t left = Left(deadline);
      if (left <= 0) return false;
      ReadFor(static_cast<int>(left));
    }
    return true;
  }

  // Bytes sent so far, the errno of the failed send (0: none), whether
  // the server ended the connection, and what arrived but was not taken.
  size_t sent() const { return sent_; }
  int error() const { return error_; }
  bool closed() const { return closed_; }
  const std::string& pending() const { return buffer_; }

 private:
  using Clock = std::chrono::steady_clock;

  explicit RawHttpConnection(int fd) : fd_(fd) {}

  static int64_t Left(Clock::time_point deadline) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  }

  // Waits up to `timeout_ms` for bytes and appends what is there. False
  // when the connection ended (EOF or error) or nothing came in time.
  bool ReadFor(int timeout_ms) {
    if (closed_) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    closed_ = true;
    return false;
  }

  // Removes one whole response from the front of buffer_, if there.
  std::optional<RawResponse> TakeResponse() {
    const size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    RawResponse r;
    const std::string head = buffer_.substr(0, end);
    const size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    const size_t space = status_line.find(' ');
    if (space == std::string::npos) return std::nullopt;
    r.status = std::atoi(status_line.c_str() + space + 1);
    size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
      size_t next = head.find("\r\n", at);
      if (next == std::string::npos) next = head.size();
      const std::string line = head.substr(at, next - at);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      at = next + 2;
    }
    const size_t length = static_cast<size_t>(std::atoll(r.Header("content-length").c_str()));
    if (buffer_.size() < end + 4 + length) return std::nullopt;
    r.body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return r;
  }

  int fd_;
  std::string buffer_;
  size_t sent_ = 0;
  int error_ = 0;
  bool closed_ = false;
};

}  // namespace vigil::testing
