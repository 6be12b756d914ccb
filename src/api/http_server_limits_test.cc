// The HTTP server under abuse, over real loopback sockets with a raw client
// (api/raw_http_client.h): bodies and headers beyond the limits, half-sent
// and trickled requests, too many connections, ambiguous framing. The
// server runs in this process, so its memory is this process's memory.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/http_server.h"
#include "api/raw_http_client.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::RawHttpConnection;
using testing::RawResponse;

// A generous bound for "answers at once": far below the old server's
// stalls (10 to 15 s), far above any scheduling hiccup.
constexpr int kPromptlyMs = 3000;
constexpr size_t kMiB = 1 << 20;

std::string Code(const RawResponse& r) { return r.Json()["error"]["code"].dump(); }
std::string Message(const RawResponse& r) {
  const nlohmann::json body = r.Json();
  return body.is_object() && body["error"]["message"].is_string()
             ? body["error"]["message"].get<std::string>()
             : "(not an API error: " + r.body + ")";
}

// A field of /proc/self/status ("VmRSS", "VmHWM") in KiB; -1 when absent.
int64_t StatusKib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
  }
  return -1;
}

// Resets the peak resident size (VmHWM) to the current one (Linux 4.0+).
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

// The measurement itself: after a reset, the peak sees 64 MiB touched and
// freed again. Without this, a peak that did not move would prove nothing.
TEST(PeakRssTest, ThePeakSeesMemoryTouchedAfterTheReset) {
  ASSERT_TRUE(ResetPeakRss());
  const int64_t before = StatusKib("VmRSS");
  {
    std::vector<char> block(64 * kMiB);
    for (size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(i);
    asm volatile("" : : "r"(block.data()) : "memory");
  }
  EXPECT_GE(StatusKib("VmHWM") - before, 48 * 1024);
}

std::string Hex(size_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "%zx", n);
  return text;
}

TEST(HttpServerLimitsTest, AChunkedBodyOverTheLimitIs413AndIsNotHeldInMemory) {
  ApiFixture f;
  const int port = f.Serve();
  auto c = RawHttpConnection::Connect(port);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(ResetPeakRss());
  const int64_t before_kib = StatusKib("VmRSS");
  // No token: the body limit comes before anything else.
  ASSERT_TRUE(c->Send("POST /api/v1/tenants HTTP/1.1\r\nHost: vigil\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const size_t piece = 64 * 1024;
  const std::string chunk = Hex(piece) + "\r\n" + std::string(piece, ' ') + "\r\n";
  const size_t total = 96 * kMiB;
  size_t body = 0;
  bool cut_off = false;
  while (body < total) {
    if (!c->Send(chunk)) {
      cut_off = true;
      break;
    }
    body += piece;
    c->Collect();
  }
  if (!cut_off) c->Send("0\r\n\r\n");
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  const int64_t peak_kib = StatusKib("VmHWM");
  ASSERT_TRUE(r.has_value()) << "no response; " << c->pending();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Code(*r), "\"payload_too_large\"");
  EXPECT_EQ(Message(*r), "request body: over the limit of 1048576 bytes");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(cut_off) << "the server took all " << body << " bytes";
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
  EXPECT_LT(peak_kib - before_kib, 16 * 1024)
      << "resident memory rose from " << before_kib << " KiB to a peak of " << peak_kib
      << " KiB while " << body << " body bytes were sent";
}

TEST(HttpServerLimitsTest, AContentLengthOverTheLimitIs413BeforeAnyBodyByte) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /api/v1/tenants HTTP/1.1\r\nHost: vigil\r\n"
                      "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value()) << "no 413 before the body was sent";
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Message(*r), "request body: Content-Length 2097152 is over the limit of 1048576 bytes");
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
}

TEST(HttpServerLimitsTest, HeadersOverTheLimitAre431AndTheConnectionIsClosedEarly) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /api/v1/alerts HTTP/1.1\r\nHost: vigil\r\n"));
  const std::string value(4096, 'a');
  const int fields = 20480;  // 80 MiB of header
  int sent = 0;
  for (; sent < fields; ++sent) {
    if (!c->Send("X-Filler-" + std::to_string(sent) + ": " + value + "\r\n")) break;
    c->Collect();
  }
  EXPECT_LT(sent, fields) << "the server read every header field";
  EXPECT_TRUE(c->error() == EPIPE || c->error() == ECONNRESET) << "send: " << c->error();
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value()) << "no response; " << c->pending().substr(0, 200);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(Code(*r), "\"headers_too_large\"");
  EXPECT_EQ(Message(*r), "request header: over the limit of 65536 bytes");
}

// Connections that sent part of a request hold nothing a new request needs.
class HalfSentRequestsTest : public ::testing::TestWithParam<int> {};

TEST_P(HalfSentRequestsTest, HealthzStillAnswers) {
  ApiFixture f;
  const int port = f.Serve();
  std::vector<std::unique_ptr<RawHttpConnection>> stalled;
  for (int i = 0; i < GetParam(); ++i) {
    stalled.push_back(RawHttpConnection::Connect(port));
    ASSERT_NE(stalled.back(), nullptr);
    ASSERT_TRUE(stalled.back()->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\nX-Half: "));
  }
  // From another loopback address: one client's connections are capped.
  auto probe = RawHttpConnection::Connect(port, "127.0.0.2");
  ASSERT_NE(probe, nullptr);
  ASSERT_TRUE(probe->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::optional<RawResponse> r = probe->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value()) << "/healthz did not answer within " << kPromptlyMs << " ms with "
                             << GetParam() << " half-sent requests open";
  EXPECT_EQ(r->status, 200);
  for (auto& c : stalled) EXPECT_FALSE(c->closed());
}

INSTANTIATE_TEST_SUITE_P(Open, HalfSentRequestsTest, ::testing::Values(16, 64));

TEST(HttpServerLimitsTest, AHalfSentRequestIsAnswered408AtTheDeadlineAndClosed) {
  ApiFixture f;
  HttpServerOptions options;
  options.request_timeout_ms = 500;
  auto c = RawHttpConnection::Connect(f.Serve(options));
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /api/v1/tenants HTTP/1.1\r\nHost: vigil\r\nContent-Length: 10\r\n\r\n{\"na"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value()) << "still open " << kPromptlyMs << " ms after a 500 ms deadline";
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(Code(*r), "\"request_timeout\"");
  EXPECT_EQ(Message(*r), "request: not received whole within 500 ms");
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
}

TEST(HttpServerLimitsTest, ATrickledHeaderDoesNotMoveTheDeadline) {
  ApiFixture f;
  HttpServerOptions options;
  options.request_timeout_ms = 500;
  auto c = RawHttpConnection::Connect(f.Serve(options));
  ASSERT_NE(c, nullptr);
  // One byte every 50 ms for 3 s: every read succeeds, the request never ends.
  const std::string header = "GET /healthz HTTP/1.1\r\nHost: vigil\r\nX-Slow: " + std::string(60, 'x');
  size_t at = 0;
  for (; at < header.size() && !c->closed(); ++at) {
    if (!c->Send(header.substr(at, 1))) break;
    c->Collect();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(at, header.size()) << "the trickle went on for " << at * 50 << " ms";
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
}

TEST(HttpServerLimitsTest, AnIdleKeepAliveConnectionIsClosed) {
  ApiFixture f;
  HttpServerOptions options;
  options.idle_timeout_ms = 300;
  auto c = RawHttpConnection::Connect(f.Serve(options));
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
  EXPECT_EQ(c->pending(), "") << "an idle connection is closed without a response";
}

TEST(HttpServerLimitsTest, ConnectionsOverTheOverallCapGet503) {
  ApiFixture f;
  HttpServerOptions options;
  options.max_connections = 4;
  const int port = f.Serve(options);
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(RawHttpConnection::Connect(port, "127.0.0." + std::to_string(10 + i)));
    ASSERT_NE(open.back(), nullptr);
    ASSERT_TRUE(open.back()->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
    std::optional<RawResponse> ok = open.back()->ReadResponse(kPromptlyMs);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->status, 200);
  }
  auto extra = RawHttpConnection::Connect(port, "127.0.0.20");
  ASSERT_NE(extra, nullptr);
  extra->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n");
  std::optional<RawResponse> r = extra->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Code(*r), "\"unavailable\"");
  EXPECT_EQ(Message(*r), "server: 4 connections are open, the most it takes; retry later");
  EXPECT_TRUE(extra->WaitClosed(kPromptlyMs));

  // A closed connection frees its place (once the server has seen it close).
  open.pop_back();
  std::optional<RawResponse> later;
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto c = RawHttpConnection::Connect(port, "127.0.0.20");
    ASSERT_NE(c, nullptr);
    c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n");
    later = c->ReadResponse(kPromptlyMs);
    if (later && later->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->status, 200);
}

TEST(HttpServerLimitsTest, ConnectionsOverThePerClientCapGet503AndOtherClientsAreServed) {
  ApiFixture f;
  const int port = f.Serve();  // the defaults: 64 per client address
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 64; ++i) {
    open.push_back(RawHttpConnection::Connect(port, "127.0.0.1"));
    ASSERT_NE(open.back(), nullptr);
  }
  auto extra = RawHttpConnection::Connect(port, "127.0.0.1");
  ASSERT_NE(extra, nullptr);
  extra->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n");
  std::optional<RawResponse> r = extra->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Message(*r),
            "server: 64 connections are open from 127.0.0.1, the most one client may have; "
            "retry later");
  EXPECT_TRUE(extra->WaitClosed(kPromptlyMs));

  auto other = RawHttpConnection::Connect(port, "127.0.0.2");
  ASSERT_NE(other, nullptr);
  other->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n");
  std::optional<RawResponse> ok = other->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

// A request whose body length two parties could read differently (the
// start of request smuggling behind a proxy) is refused, and nothing after
// it on the connection is read.
struct Framing {
  std::string name;
  std::string header;
  std::string message;
};

class AmbiguousFramingTest : public ::testing::TestWithParam<Framing> {};

TEST_P(AmbiguousFramingTest, Is400AndTheConnectionIsClosed) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("POST /api/v1/tenants HTTP/1.1\r\nHost: vigil\r\n"
                      "Content-Type: application/json\r\n" +
                      GetParam().header + "\r\n" +
                      "5\r\nhello\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Code(*r), "\"bad_request\"");
  EXPECT_EQ(Message(*r), GetParam().message);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
  EXPECT_EQ(c->pending(), "") << "a request after the refused one was answered";
}

INSTANTIATE_TEST_SUITE_P(
    Headers, AmbiguousFramingTest,
    ::testing::Values(
        Framing{"ConflictingContentLengths", "Content-Length: 5\r\nContent-Length: 6\r\n",
                "request header: Content-Length given twice with different values"},
        Framing{"ContentLengthThenChunked",
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                "request header: Content-Length together with Transfer-Encoding"},
        Framing{"ChunkedThenContentLength",
                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                "request header: Content-Length together with Transfer-Encoding"},
        Framing{"OtherCodingWithContentLength",
                "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
                "request header: Content-Length together with Transfer-Encoding"},
        Framing{"ChunkedNotLast", "Transfer-Encoding: chunked, gzip\r\n",
                "request header: Transfer-Encoding \"chunked, gzip\" is not supported "
                "(only chunked)"},
        Framing{"ChunkedTwice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                "request header: Transfer-Encoding given twice"},
        Framing{"ContentLengthNotANumber", "Content-Length: 5x\r\n",
                "request header: Content-Length is not a length"}),
    [](const ::testing::TestParamInfo<Framing>& info) { return info.param.name; });

}  // namespace
}  // namespace vigil
