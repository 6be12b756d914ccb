#include "http/http_client.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

HttpRequest Request(const std::string& method, const std::string& url) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  return request;
}

TEST(DescribeRequestTest, NamesMethodAndUrl) {
  EXPECT_EQ(DescribeRequest(Request("GET", "https://graph.microsoft.com/v1.0/users")),
            "GET https://graph.microsoft.com/v1.0/users");
  EXPECT_EQ(DescribeRequest(Request("POST", "http://127.0.0.1:4321/t/oauth2/v2.0/token")),
            "POST http://127.0.0.1:4321/t/oauth2/v2.0/token");
}

TEST(DescribeRequestTest, LeavesOutTheQueryString) {
  EXPECT_EQ(DescribeRequest(Request(
                "GET", "https://graph.microsoft.com/v1.0/users?$top=999&$skiptoken=SECRET")),
            "GET https://graph.microsoft.com/v1.0/users");
  EXPECT_EQ(DescribeRequest(Request("GET", "http://127.0.0.1:80/a?")), "GET http://127.0.0.1:80/a");
  EXPECT_EQ(DescribeRequest(Request("GET", "http://h/a?b?c")), "GET http://h/a");
}

TEST(DescribeRequestTest, DefaultMethodIsGet) {
  HttpRequest request;
  request.url = "http://h/x?token=1";
  EXPECT_EQ(DescribeRequest(request), "GET http://h/x");
}

TEST(FormEncodeTest, JoinsFieldsInOrder) {
  EXPECT_EQ(FormEncode({{"grant_type", "client_credentials"}, {"client_id", "abc-123"}}),
            "grant_type=client_credentials&client_id=abc-123");
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"a", ""}}), "a=");
  EXPECT_EQ(FormEncode({{"", ""}, {"", ""}}), "=&=");
}

TEST(FormEncodeTest, PercentEncodesEverythingButUnreservedBytes) {
  EXPECT_EQ(FormEncode({{"scope", "https://graph.microsoft.com/.default"}}),
            "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
  EXPECT_EQ(FormEncode({{"s", "a b+c&d=e%f~g_h.i-j"}}), "s=a%20b%2Bc%26d%3De%25f~g_h.i-j");
  EXPECT_EQ(FormEncode({{"k y", "\xC3\xA9\n"}}), "k%20y=%C3%A9%0A");
  EXPECT_EQ(FormEncode({{"z", std::string("\0\xFF", 2)}}), "z=%00%FF");
}

}  // namespace
}  // namespace vigil
