#include "providers/google_jwt.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/rsa_test_key.h"

namespace vigil {
namespace {

using testing::NewRsaTestKey;
using testing::RsaTestKey;
using testing::ServiceAccountKeyJson;
using testing::VerifyRs256;

const RsaTestKey& TestKey() {
  static const RsaTestKey* key = new RsaTestKey(NewRsaTestKey());
  return *key;
}

std::string KeyJson() {
  return ServiceAccountKeyJson(TestKey(), "sync@vigil-test.iam.gserviceaccount.com", "kid-1",
                               "https://oauth2.example.test/token");
}

TEST(Base64UrlTest, RoundTripsEveryLengthWithoutPadding) {
  const std::string bytes("\xfb\xff\x00\x01\x3e\x3f\x80", 7);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string encoded = Base64UrlEncode(bytes.substr(0, n));
    EXPECT_EQ(encoded.find_first_of("=+/"), std::string::npos) << encoded;
    EXPECT_EQ(Base64UrlDecode(encoded), bytes.substr(0, n)) << n;
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("a+b/"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("abcde"), std::nullopt);
}

TEST(ServiceAccountKeyTest, ReadsTheKeyFile) {
  Result<ServiceAccountKey> key = ParseServiceAccountKey("key.json", KeyJson());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->client_email, "sync@vigil-test.iam.gserviceaccount.com");
  EXPECT_EQ(key->client_id, "109876543210");
  EXPECT_EQ(key->private_key_id, "kid-1");
  EXPECT_EQ(key->private_key, TestKey().private_pem);
  EXPECT_EQ(key->token_uri, "https://oauth2.example.test/token");
}

TEST(ServiceAccountKeyTest, TokenUriDefaultsToGoogles) {
  nlohmann::json json = nlohmann::json::parse(KeyJson());
  json.erase("token_uri");
  Result<ServiceAccountKey> key = ParseServiceAccountKey("key.json", json.dump());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->token_uri, "https://oauth2.googleapis.com/token");
}

TEST(ServiceAccountKeyTest, ErrorsNameTheFileAndTheFieldNeverTheKey) {
  const nlohmann::json good = nlohmann::json::parse(KeyJson());
  auto with = [&](const char* name, nlohmann::json value) {
    nlohmann::json json = good;
    if (value.is_null()) {
      json.erase(name);
    } else {
      json[name] = value;
    }
    return json.dump();
  };
  const std::string broken_pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvSECRETSECRETSECRET\n-----END PRIVATE KEY-----\n";
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "key.json: not a service account key (expected a JSON object)"},
      {"[]", "key.json: not a service account key (expected a JSON object)"},
      {with("type", "authorized_user"),
       "key.json: \"type\" must be \"service_account\", not \"authorized_user\""},
      {with("type", nullptr), "key.json: \"type\" must be \"service_account\""},
      {with("client_email", nullptr), "key.json: missing string \"client_email\""},
      {with("private_key_id", 7), "key.json: missing string \"private_key_id\""},
      {with("private_key", ""), "key.json: missing string \"private_key\""},
      {with("token_uri", "file:///etc/passwd"), "key.json: \"token_uri\" is not an http(s) URL"},
      {with("private_key", broken_pem), "key.json: \"private_key\" is not a PEM RSA private key"},
  };
  for (const auto& [text, message] : cases) {
    Result<ServiceAccountKey> key = ParseServiceAccountKey("key.json", text);
    ASSERT_FALSE(key.ok()) << text;
    EXPECT_EQ(key.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(key.status().message(), message);
    EXPECT_EQ(key.status().message().find("SECRET"), std::string::npos);
  }
}

TEST(GoogleAssertionTest, IsSignedWithTheKeyAndCarriesTheClaims) {
  Result<ServiceAccountKey> key = ParseServiceAccountKey("key.json", KeyJson());
  ASSERT_TRUE(key.ok());
  Result<std::string> jwt = SignGoogleAssertion(*key, "admin@example.com", GoogleReadOnlyScopes(),
                                                key->token_uri, 1700000000);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  const size_t dot1 = jwt->find('.');
  const size_t dot2 = jwt->rfind('.');
  ASSERT_NE(dot1, dot2);
  const std::optional<std::string> header = Base64UrlDecode(jwt->substr(0, dot1));
  const std::optional<std::string> claims = Base64UrlDecode(jwt->substr(dot1 + 1, dot2 - dot1 - 1));
  const std::optional<std::string> signature = Base64UrlDecode(jwt->substr(dot2 + 1));
  ASSERT_TRUE(header && claims && signature);
  EXPECT_EQ(nlohmann::json::parse(*header),
            nlohmann::json::parse(R"({"alg":"RS256","typ":"JWT","kid":"kid-1"})"));
  const nlohmann::json expected = {
      {"iss", "sync@vigil-test.iam.gserviceaccount.com"},
      {"sub", "admin@example.com"},
      {"scope",
       "https://www.googleapis.com/auth/admin.directory.user.readonly "
       "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly "
       "https://www.googleapis.com/auth/apps.licensing"},
      {"aud", "https://oauth2.example.test/token"},
      {"iat", 1700000000},
      {"exp", 1700003600}};
  EXPECT_EQ(nlohmann::json::parse(*claims), expected);
  EXPECT_EQ(signature->size(), 256u);  // RSA 2048
  EXPECT_TRUE(VerifyRs256(TestKey().public_pem, jwt->substr(0, dot2), *signature));

  // Another key's public half, or a changed claim, does not verify.
  const RsaTestKey other = NewRsaTestKey();
  EXPECT_FALSE(VerifyRs256(other.public_pem, jwt->substr(0, dot2), *signature));
  std::string tampered = jwt->substr(0, dot2);
  tampered[dot1 + 3] = tampered[dot1 + 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyRs256(TestKey().public_pem, tampered, *signature));
}

TEST(GoogleAssertionTest, RefusesAKeyThatDoesNotLoad) {
  ServiceAccountKey key;
  key.client_email = "sync@vigil-test.iam.gserviceaccount.com";
  key.private_key = "-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n";
  Result<std::string> jwt = SignGoogleAssertion(key, "a@b.c", "s", "https://x/token", 1);
  ASSERT_FALSE(jwt.ok());
  EXPECT_EQ(jwt.status().message(),
            "service account sync@vigil-test.iam.gserviceaccount.com: private_key is not a PEM "
            "RSA private key");
}

}  // namespace
}  // namespace vigil
