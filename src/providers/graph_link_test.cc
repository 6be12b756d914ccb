#include "providers/graph_link.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vigil {
namespace {

TEST(ResolveUrlReferenceTest, FollowsTheExamplesOfRfc3986) {
  // RFC 3986 section 5.4, fragments aside (a resolved link never keeps one).
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"./../g", "http://a/b/g"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
  };
  for (const auto& [reference, expected] : cases) {
    EXPECT_EQ(ResolveUrlReference(base, reference), expected) << reference;
  }
}

TEST(ResolveUrlReferenceTest, ResolvesGraphsPagingLinks) {
  const std::string request = "https://graph.microsoft.us/v1.0/users?$select=id&$top=500";
  EXPECT_EQ(ResolveUrlReference(request, "/v1.0/users?$select=id&$top=500&$skiptoken=X1"),
            "https://graph.microsoft.us/v1.0/users?$select=id&$top=500&$skiptoken=X1");
  EXPECT_EQ(ResolveUrlReference(request, "users?$skiptoken=X1"),
            "https://graph.microsoft.us/v1.0/users?$skiptoken=X1");
  EXPECT_EQ(ResolveUrlReference("https://graph.microsoft.us/v1.0/users/delta?$deltatoken=latest",
                                "delta?$deltatoken=D2"),
            "https://graph.microsoft.us/v1.0/users/delta?$deltatoken=D2");
  EXPECT_EQ(ResolveUrlReference(request, "https://graph.microsoft.us/v1.0/users?$skiptoken=X2"),
            "https://graph.microsoft.us/v1.0/users?$skiptoken=X2");
  EXPECT_EQ(ResolveUrlReference(request, "//elsewhere.example/v1.0/users"),
            "https://elsewhere.example/v1.0/users");
  // A query may hold ':' and '/' without being taken for a scheme or a path.
  EXPECT_EQ(ResolveUrlReference(request, "?$filter=a:b/c"),
            "https://graph.microsoft.us/v1.0/users?$filter=a:b/c");
  // Without an absolute base there is nothing to resolve against.
  EXPECT_EQ(ResolveUrlReference("/v1.0/users", "users?x"), "users?x");
}

TEST(UrlOriginTest, NormalisesSchemeHostAndDefaultPorts) {
  EXPECT_EQ(UrlOrigin("https://graph.microsoft.com/v1.0"), "https://graph.microsoft.com");
  EXPECT_EQ(UrlOrigin("HTTPS://Graph.Microsoft.COM:443/v1.0/users?x=1"),
            "https://graph.microsoft.com");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:8080/v1.0"), "http://127.0.0.1:8080");
  EXPECT_EQ(UrlOrigin("http://localhost:80"), "http://localhost");
  EXPECT_EQ(UrlOrigin("https://graph.test:8443"), "https://graph.test:8443");
  EXPECT_EQ(UrlOrigin("http://[::1]:9000/x"), "http://[::1]:9000");
  EXPECT_EQ(UrlOrigin("https://graph.test:0443/x"), "https://graph.test");
}

TEST(UrlOriginTest, RefusesWhatIsNotAnHttpUrlWithAHost) {
  for (const char* url :
       {"/v1.0/users", "users?x", "ftp://graph.test/x", "mailto:someone@example.com",
        "https:///v1.0", "https://graph.microsoft.com@elsewhere.example/v1.0",
        "https://user:pass@graph.test/", "https://graph.test:http/", "https://graph.test:/x",
        "https://graph.test:123456/", "http://[::1/x", "https://graph.test:0/"}) {
    EXPECT_EQ(UrlOrigin(url), std::nullopt) << url;
  }
}

}  // namespace
}  // namespace vigil
