#include "api/http_request_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <utility>
#include <vector>

namespace vigil {
namespace {

// Feeds `bytes` to `parser` in one piece; the parser's error, if any.
boost::beast::error_code Feed(ApiRequestParser* parser, const std::string& bytes) {
  boost::beast::error_code ec;
  parser->eager(true);
  parser->put(boost::asio::buffer(bytes), ec);
  return ec;
}

TEST(ApiRequestParserTest, DecodesPathAndQueryAndLowerCasesHeaderNames) {
  ApiRequestParser parser(64 * 1024, 1024);
  ASSERT_FALSE(Feed(&parser,
                    "GET /api/v1/a%20b?x=1&&=2&y=a+b%2B&z HTTP/1.1\r\nHost: h\r\n"
                    "X-Thing: first\r\nx-thing: second\r\n\r\n"));
  ASSERT_TRUE(parser.is_done());
  const ApiRequest& r = parser.request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/api/v1/a b");
  const std::vector<std::pair<std::string, std::string>> query = {
      {"x", "1"}, {"y", "a b+"}, {"z", ""}};
  EXPECT_EQ(r.query, query);
  EXPECT_EQ(r.Header("x-thing"), "first");
  EXPECT_EQ(r.Header("host"), "h");
  EXPECT_EQ(parser.version(), 11);
}

TEST(ApiRequestParserTest, AChunkedBodyIsJoinedAndItsTrailerIsNotAHeader) {
  ApiRequestParser parser(64 * 1024, 1024);
  ASSERT_FALSE(Feed(&parser,
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nhel\r\n2\r\nlo\r\n0\r\nAuthorization: Bearer smuggled\r\n\r\n"));
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(parser.request().body, "hello");
  EXPECT_FALSE(parser.request().Header("authorization").has_value());
}

TEST(ApiRequestParserTest, PercentDecodeKeepsWhatIsNotAnEscape) {
  EXPECT_EQ(PercentDecode("%41%zz%4", false), "A%zz%4");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

}  // namespace
}  // namespace vigil
