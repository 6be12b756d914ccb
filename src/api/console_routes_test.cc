// The console's files as a browser gets them: from the Api directly (every
// header and status), and once more through the HTTP server over loopback,
// where a 304 must carry no body and HEAD none either, on a connection that
// stays usable after them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "api/raw_http_client.h"
#include "console/assets.h"
#include "console/gunzip_test_support.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::RawHttpConnection;
using testing::RawResponse;

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr int kPromptlyMs = 3000;

ApiResponse Get(ApiFixture* f, const std::string& path,
                const std::map<std::string, std::string>& headers = {}) {
  ApiRequest request;
  request.method = "GET";
  request.path = path;
  request.headers = headers;
  return f->api()->Handle(std::move(request));
}

// The value of response header `name` ("" when absent; the test fails when
// it is there twice).
std::string Header(const ApiResponse& r, const std::string& name) {
  std::string value;
  int seen = 0;
  for (const auto& [key, v] : r.headers) {
    if (key == name) {
      value = v;
      ++seen;
    }
  }
  EXPECT_LE(seen, 1) << name << " sent " << seen << " times";
  return value;
}

void ExpectSecurityHeaders(const ApiResponse& r) {
  EXPECT_EQ(Header(r, "Content-Security-Policy"), kCsp);
  EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
}

const ConsoleAsset& Index() { return *FindConsoleAsset("/").asset; }

const ConsoleAsset& Script() {
  const ConsoleAsset* script = FindConsoleAsset("/assets/app.js").asset;
  EXPECT_NE(script, nullptr) << "web/app.js is not embedded";
  return *script;
}

TEST(ConsoleRoutesTest, ThePageIsAtRootAndIndexHtmlRevalidatedEveryTime) {
  ApiFixture f;
  for (const char* path : {"/", "/index.html"}) {
    SCOPED_TRACE(path);
    ApiResponse r = Get(&f, path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(r.body, Index().raw);
    EXPECT_NE(r.body.find("<title>vigil</title>"), std::string::npos);
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(Header(r, "ETag"), Index().etag);
    EXPECT_EQ(Header(r, "Vary"), "Accept-Encoding");
    EXPECT_EQ(Header(r, "Content-Encoding"), "");
    ExpectSecurityHeaders(r);
  }
}

TEST(ConsoleRoutesTest, AssetsByHashedNameAreCachedForGoodWithTheirContentType) {
  ApiFixture f;
  int served = 0;
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.is_index()) continue;
    SCOPED_TRACE(std::string(asset.name));
    ApiResponse r = Get(&f, "/assets/" + std::string(asset.name));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, asset.content_type);
    EXPECT_EQ(r.body, asset.raw);
    EXPECT_EQ(Header(r, "Cache-Control"), kImmutable);
    EXPECT_EQ(Header(r, "ETag"), asset.etag);
    ExpectSecurityHeaders(r);
    ++served;
  }
  EXPECT_GE(served, 2);
  EXPECT_EQ(Get(&f, "/assets/" + std::string(Script().name)).content_type,
            "text/javascript; charset=utf-8");
}

TEST(ConsoleRoutesTest, APlainNameIsServedTooButRevalidated) {
  ApiFixture f;
  ApiResponse r = Get(&f, "/assets/app.js");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, Script().raw);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(r, "ETag"), Script().etag);
  ExpectSecurityHeaders(r);
}

TEST(ConsoleRoutesTest, AMatchingIfNoneMatchAnswers304WithNoBody) {
  ApiFixture f;
  const std::string hashed = "/assets/" + std::string(Script().name);
  for (const std::string& if_none_match :
       {std::string(Script().etag), "\"other\", " + std::string(Script().etag),
        "W/" + std::string(Script().etag), std::string("*")}) {
    SCOPED_TRACE(if_none_match);
    ApiResponse r = Get(&f, hashed, {{"if-none-match", if_none_match}});
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(Header(r, "ETag"), Script().etag);
    EXPECT_EQ(Header(r, "Cache-Control"), kImmutable);
    ExpectSecurityHeaders(r);
  }
  ApiResponse changed = Get(&f, "/", {{"if-none-match", "\"0000000000000000\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, Index().raw);
  ApiResponse same = Get(&f, "/", {{"if-none-match", std::string(Index().etag)}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.body, "");
}

TEST(ConsoleRoutesTest, GzipIsSentToClientsThatTakeItAndInflatesToTheRawBytes) {
  ApiFixture f;
  ASSERT_FALSE(Index().gzip.empty()) << "index.html should compress";
  ApiResponse r = Get(&f, "/", {{"accept-encoding", "gzip, deflate, br"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Header(r, "ETag"), Index().GzipEtag());
  EXPECT_LT(r.body.size(), Index().raw.size());
  std::optional<std::string> inflated = testing::Gunzip(r.body);
  ASSERT_TRUE(inflated.has_value());
  EXPECT_EQ(*inflated, Index().raw);
  ExpectSecurityHeaders(r);

  // The gzip bytes' ETag revalidates the gzip bytes, not the raw ones.
  ApiResponse again =
      Get(&f, "/", {{"accept-encoding", "gzip"}, {"if-none-match", Index().GzipEtag()}});
  EXPECT_EQ(again.status, 304);
  ApiResponse raw_tag =
      Get(&f, "/", {{"accept-encoding", "gzip"}, {"if-none-match", std::string(Index().etag)}});
  EXPECT_EQ(raw_tag.status, 200);

  for (const char* refused : {"", "identity", "gzip;q=0", "br"}) {
    SCOPED_TRACE(refused);
    ApiResponse plain = Get(&f, "/", {{"accept-encoding", refused}});
    EXPECT_EQ(plain.body, Index().raw);
    EXPECT_EQ(Header(plain, "Content-Encoding"), "");
    EXPECT_EQ(Header(plain, "Vary"), "Accept-Encoding");
  }
}

TEST(ConsoleRoutesTest, AnUnknownFileIs404InTheApisErrorShape) {
  ApiFixture f;
  for (const char* path : {"/assets/nope.js", "/assets/index.html", "/assets/app.00000000.js"}) {
    SCOPED_TRACE(path);
    ApiResponse r = Get(&f, path);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "application/json");
    const nlohmann::json body = testing::Body(r);
    EXPECT_EQ(body["error"]["code"], "not_found");
    EXPECT_EQ(body["error"]["message"], std::string("console file ") + path + " not found");
    ExpectSecurityHeaders(r);
  }
  // Outside the console's paths the router answers as for any unknown path.
  EXPECT_EQ(Get(&f, "/app.js").status, 404);
  EXPECT_EQ(Get(&f, "/assets/").status, 404);
}

TEST(ConsoleRoutesTest, TheConsoleNeedsNoToken) {
  ApiFixture f;
  f.AdminToken();
  ApiRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers["authorization"] = "Bearer not-a-token";
  EXPECT_EQ(f.api()->Handle(request).status, 200);
}

// ---- over HTTP --------------------------------------------------------------

std::string Request(const std::string& method, const std::string& path,
                    const std::string& extra_headers = "") {
  return method + " " + path + " HTTP/1.1\r\nHost: vigil\r\n" + extra_headers + "\r\n";
}

TEST(ConsoleRoutesTest, OverHttpHeadersPassThroughAnd304AndHeadCarryNoBody) {
  ApiFixture f;
  auto c = RawHttpConnection::Connect(f.Serve());
  ASSERT_NE(c, nullptr);

  ASSERT_TRUE(c->Send(Request("GET", "/", "Accept-Encoding: gzip, deflate\r\n")));
  std::optional<RawResponse> page = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->Header("content-encoding"), "gzip");
  EXPECT_EQ(page->Header("vary"), "Accept-Encoding");
  EXPECT_EQ(page->Header("cache-control"), "no-cache");
  EXPECT_EQ(page->Header("etag"), Index().GzipEtag());
  EXPECT_EQ(page->Header("content-security-policy"), kCsp);
  EXPECT_EQ(page->Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(page->Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(page->Header("x-frame-options"), "DENY");
  EXPECT_EQ(testing::Gunzip(page->body).value_or("(not gzip)"), Index().raw);

  // A 304 has neither body nor Content-Length of one: the next response on
  // the same connection is read from the right place.
  ASSERT_TRUE(c->Send(Request(
      "GET", "/", "Accept-Encoding: gzip\r\nIf-None-Match: " + Index().GzipEtag() + "\r\n")));
  std::optional<RawResponse> unchanged = c->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_EQ(unchanged->status, 304);
  EXPECT_EQ(unchanged->body, "");
  EXPECT_EQ(unchanged->Header("content-length"), "");
  EXPECT_EQ(unchanged->Header("etag"), Index().GzipEtag());
  EXPECT_EQ(unchanged->Header("content-security-policy"), kCsp);

  // HEAD: the GET's Content-Length, no body; the raw reader would take the
  // next response's bytes for that body, so the bytes are read as they are.
  const std::string hashed = "/assets/" + std::string(Script().name);
  ASSERT_TRUE(c->Send(Request("HEAD", hashed) + Request("GET", "/healthz")));
  ASSERT_FALSE(c->WaitClosed(500));
  const std::string& pending = c->pending();
  const size_t end = pending.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << pending;
  const std::string head = pending.substr(0, end + 4);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(Script().raw.size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_NE(head.find(std::string("Cache-Control: ") + kImmutable + "\r\n"), std::string::npos)
      << head;
  const std::string rest = pending.substr(end + 4);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "HEAD sent a body: " << rest;
  EXPECT_NE(rest.find("{\"status\":\"ok\"}"), std::string::npos) << rest;
}

}  // namespace
}  // namespace vigil
