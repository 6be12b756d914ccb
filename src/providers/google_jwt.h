// A Google service account's JSON key file and the signed JWT assertion that
// the OAuth jwt-bearer grant exchanges for an access token
// (providers/google_client.h), with domain-wide delegation: the service
// account acts as a Workspace administrator (the assertion's "sub").
//
// Key file (as Google's console downloads it; other members are ignored):
//   {"type": "service_account", "client_email": "sync@p.iam.gserviceaccount.com",
//    "client_id": "1234", "private_key_id": "ab12...", "token_uri": "https://oauth2.googleapis.com/token",
//    "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}
// ParseServiceAccountKey reads it: InvalidArgument "<what>: <why>" when the
// text is not a JSON object, "type" is not "service_account", client_email,
// private_key or private_key_id is missing or not a string, token_uri is
// not http(s) (missing: kGoogleTokenUri), or private_key is not a PEM RSA
// private key OpenSSL can load. No message ever quotes the private key.
//
// Assertion (SignGoogleAssertion): base64url (no padding) of
//   header  {"alg":"RS256","typ":"JWT","kid":private_key_id}
//   claims  {"iss":client_email,"sub":subject,"scope":scope,"aud":audience,
//            "iat":issued_at_s,"exp":issued_at_s + 3600}
// joined by '.', then '.' and the base64url RSASSA-PKCS1-v1_5 SHA-256
// signature of the first two parts (OpenSSL EVP).
//
// Thread-safe: every function is pure or uses only its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

inline constexpr std::string_view kGoogleTokenUri = "https://oauth2.googleapis.com/token";

// The read-only scopes vigil asks for, and what each one reads.
inline constexpr std::string_view kGoogleUserScope =
    "https://www.googleapis.com/auth/admin.directory.user.readonly";
inline constexpr std::string_view kGoogleRoleScope =
    "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly";
inline constexpr std::string_view kGoogleLicenseScope =
    "https://www.googleapis.com/auth/apps.licensing";

// The three scopes above, space-separated (the assertion's "scope").
std::string GoogleReadOnlyScopes();

// The assertion lives this long (Google's maximum).
inline constexpr int64_t kGoogleAssertionLifetimeS = 3600;

struct ServiceAccountKey {
  std::string client_email;
  std::string client_id;  // "" when the file has none; how the Admin console names the account
  std::string private_key_id;
  std::string private_key;  // PEM; never in a message or a log
  std::string token_uri;
};

// `what` names the key in messages ("--service-account-key-file key.json").
Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view what, std::string_view json);

// The signed assertion for `subject` (the administrator to act as).
// InvalidArgument when the private key does not load; Internal when OpenSSL
// fails to sign.
Result<std::string> SignGoogleAssertion(const ServiceAccountKey& key, std::string_view subject,
                                        std::string_view scope, std::string_view audience,
                                        int64_t issued_at_s);

// Base64url without padding, and its inverse (nullopt for a character
// outside the alphabet or an impossible length).
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace vigil
