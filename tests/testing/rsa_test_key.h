// RSA keys for tests of Google Workspace's service account auth
// (providers/google_jwt.h): a fresh 2048-bit key pair per call, its
// service account key file, and RS256 verification with the public half.
//
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil::testing {

struct RsaTestKey {
  std::string private_pem;  // PKCS#8 "-----BEGIN PRIVATE KEY-----", as Google's key files hold
  std::string public_pem;   // "-----BEGIN PUBLIC KEY-----"
};

// Aborts when OpenSSL cannot make a key (a broken test machine).
RsaTestKey NewRsaTestKey();

// A service account key file's JSON for the key.
std::string ServiceAccountKeyJson(const RsaTestKey& key, const std::string& client_email,
                                  const std::string& private_key_id, const std::string& token_uri,
                                  const std::string& client_id = "109876543210");

// Whether `signature` (raw bytes) is the RS256 signature of `input` by the
// private half of `public_pem`.
bool VerifyRs256(const std::string& public_pem, std::string_view input,
                 std::string_view signature);

}  // namespace vigil::testing
