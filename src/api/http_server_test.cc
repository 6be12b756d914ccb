// The HTTP server with well-formed traffic, over real loopback sockets:
// keep-alive, pipelining, Connection: close, HTTP/1.0, HEAD, 100-continue,
// the request as the Api sees it (decoded path and query), and bodies the
// Api rejects (numbers a double cannot hold).
#include "api/http_server.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/raw_http_client.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::RawHttpConnection;
using testing::RawResponse;

constexpr int kPromptlyMs = 3000;

std::string Message(const RawResponse& r) {
  const nlohmann::json body = r.Json();
  return body.is_object() && body["error"]["message"].is_string()
             ? body["error"]["message"].get<std::string>()
             : "(not an API error: " + r.body + ")";
}

std::string Post(const std::string& path, const std::string& token, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: vigil\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
    std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("content-type"), "application/json");
    EXPECT_NE(r->Header("connection"), "close");
  }
  EXPECT_FALSE(c->closed());
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"
                      "GET /nothing HTTP/1.1\r\nHost: vigil\r\n\r\n"
                      "GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i) {
    std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
    ASSERT_TRUE(r.has_value()) << "response " << i;
    statuses.push_back(r->status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 404, 200}));
}

TEST(HttpServerTest, ConnectionCloseAndHttp10AreAnsweredThenClosed) {
  ApiFixture f;
  const int port = f.Serve();
  auto c = RawHttpConnection::Connect(port);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\nConnection: close\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));

  auto old = RawHttpConnection::Connect(port);
  ASSERT_NE(old, nullptr);
  ASSERT_TRUE(old->Send("GET /healthz HTTP/1.0\r\n\r\n"));
  r = old->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(old->WaitClosed(kPromptlyMs));
}

TEST(HttpServerTest, HeadAnswersAsGetWithoutTheBody) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("HEAD /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"
                      "GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  // The HEAD answer carries the GET's Content-Length but no body, so the
  // raw reader would take the next response's bytes as its body: read the
  // head alone first.
  ASSERT_FALSE(c->WaitClosed(500));
  const std::string& pending = c->pending();
  const size_t end = pending.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << pending;
  EXPECT_EQ(pending.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << pending;
  const std::string rest = pending.substr(end + 4);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "HEAD sent a body: " << rest;
}

TEST(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  ApiFixture f;
  const std::string token = f.AdminToken();
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  const std::string body = "{\"name\":\"fabrikam\"}";
  ASSERT_TRUE(c->Send("POST /api/v1/tenants HTTP/1.1\r\nHost: vigil\r\nAuthorization: Bearer " +
                      token + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  std::optional<RawResponse> interim = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c->Send(body));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->Json()["name"], "fabrikam");
}

TEST(HttpServerTest, PathAndQueryArePercentDecodedAndHeadersKeepTheirFirstValue) {
  ApiFixture f;
  const std::string token = f.AdminToken();
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /api/v1/%61lerts?state=not%20a+state&state=open HTTP/1.1\r\n"
                      "Host: vigil\r\nAUTHORIZATION: Bearer " + token +
                      "\r\nAuthorization: Bearer nope\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Message(*r), "state: \"not a state\" is not an alert state (open, resolved, all)");
}

TEST(HttpServerTest, ErrorsCarryTheApisHeaders) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send("GET /api/v1/alerts HTTP/1.1\r\nHost: vigil\r\n\r\n"
                      "DELETE /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->Header("www-authenticate"), "Bearer realm=\"vigil\"");
  r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET");
}

// A JSON number a double cannot hold is a client's error, with its place.
TEST(HttpServerTest, ANumberBeyondADoubleIs400InvalidJsonNamingWhere) {
  ApiFixture f;
  const std::string token = f.AdminToken();
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Send(Post("/api/v1/tenants", token, "{\"name\": 1e400}")));
  std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Json()["error"]["code"], "invalid_json");
  EXPECT_EQ(Message(*r), "request body: the number at byte 10 (1e400) is too large");

  const std::string digits(400, '7');
  ASSERT_TRUE(c->Send(Post("/api/v1/tenants", token, "{\"name\": " + digits + "}")));
  r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Json()["error"]["code"], "invalid_json");
  EXPECT_EQ(Message(*r), "request body: the number at byte 10 (" + std::string(20, '7') +
                             "..., 400 characters) is too large");
  // The connection still serves: a client's error is not the server's.
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  r = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace vigil
