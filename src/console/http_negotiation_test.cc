#include "console/http_negotiation.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(AcceptsGzipTest, ReadsCodingsAndWeightsAsBrowsersSendThem) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br, zstd"));  // Chromium
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip(" deflate ,gzip ; q=0.5 "));
}

TEST(AcceptsGzipTest, RefusesWhenAbsentOrWeightedZero) {
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));  // named and refused: * does not bring it back
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=nonsense"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

TEST(IfNoneMatchTest, MatchesAnyListedTagStrongOrWeak) {
  const std::vector<std::string_view> etags = {"\"abc\""};
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", etags));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", etags));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", \"abc\"", etags));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\",W/\"abc\"", etags));
  EXPECT_TRUE(IfNoneMatchMatches("*", etags));
  EXPECT_TRUE(IfNoneMatchMatches(" * ", etags));
}

TEST(IfNoneMatchTest, DoesNotMatchOtherOrMalformedTags) {
  const std::vector<std::string_view> etags = {"\"abc\""};
  EXPECT_FALSE(IfNoneMatchMatches("", etags));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", etags));
  EXPECT_FALSE(IfNoneMatchMatches("\"ab\"", etags));
  EXPECT_FALSE(IfNoneMatchMatches("abc", etags));           // unquoted
  EXPECT_FALSE(IfNoneMatchMatches("\"abc", etags));         // unterminated
  EXPECT_FALSE(IfNoneMatchMatches("\"abc-gzip\"", etags));  // the other representation
  EXPECT_FALSE(IfNoneMatchMatches("\"abc\"", {}));
}

}  // namespace
}  // namespace vigil
