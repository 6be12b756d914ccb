#include "providers/google_jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "providers/http_retry.h"

namespace vigil {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The RSA private key of a PEM text, or null. The key material stays in
// OpenSSL's memory; nothing of it reaches a message.
Pkey LoadRsaKey(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return nullptr;
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) return nullptr;
  return key;
}

// The string member `name`, or nullopt when missing, null or not a string.
std::optional<std::string> StringMember(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool IsHttpUrl(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

std::string GoogleReadOnlyScopes() {
  return std::string(kGoogleUserScope) + " " + std::string(kGoogleRoleScope) + " " +
         std::string(kGoogleLicenseScope);
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t n = byte(i) << 16;
    for (int shift : {18, 12}) out.push_back(kAlphabet[(n >> shift) & 63]);
  } else if (rest == 2) {
    const uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    for (int shift : {18, 12, 6}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view what, std::string_view json) {
  const std::string where(what);
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_object()) {
    return Status::InvalidArgument(where + ": not a service account key (expected a JSON object)");
  }
  const std::optional<std::string> type = StringMember(doc, "type");
  if (type != "service_account") {
    return Status::InvalidArgument(where + ": \"type\" must be \"service_account\"" +
                                   (type ? ", not \"" + FirstErrorLine(*type) + "\"" : std::string()));
  }
  ServiceAccountKey key;
  struct Field {
    const char* name;
    std::string* into;
  };
  for (const Field& field : {Field{"client_email", &key.client_email},
                             Field{"private_key_id", &key.private_key_id},
                             Field{"private_key", &key.private_key}}) {
    std::optional<std::string> value = StringMember(doc, field.name);
    if (!value || value->empty()) {
      return Status::InvalidArgument(where + ": missing string \"" + field.name + "\"");
    }
    *field.into = std::move(*value);
  }
  key.client_id = StringMember(doc, "client_id").value_or("");
  key.token_uri = StringMember(doc, "token_uri").value_or(std::string(kGoogleTokenUri));
  if (!IsHttpUrl(key.token_uri)) {
    return Status::InvalidArgument(where + ": \"token_uri\" is not an http(s) URL");
  }
  if (LoadRsaKey(key.private_key) == nullptr) {
    return Status::InvalidArgument(where + ": \"private_key\" is not a PEM RSA private key");
  }
  return key;
}

Result<std::string> SignGoogleAssertion(const ServiceAccountKey& key, std::string_view subject,
                                        std::string_view scope, std::string_view audience,
                                        int64_t issued_at_s) {
  const Pkey pkey = LoadRsaKey(key.private_key);
  if (pkey == nullptr) {
    return Status::InvalidArgument("service account " + key.client_email +
                                   ": private_key is not a PEM RSA private key");
  }
  const nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.private_key_id}};
  const nlohmann::json claims = {{"iss", key.client_email},
                                 {"sub", std::string(subject)},
                                 {"scope", std::string(scope)},
                                 {"aud", std::string(audience)},
                                 {"iat", issued_at_s},
                                 {"exp", issued_at_s + kGoogleAssertionLifetimeS}};
  const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Status::Internal("service account " + key.client_email + ": cannot sign the assertion");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Status::Internal("service account " + key.client_email + ": cannot sign the assertion");
  }
  signature.resize(length);
  return input + "." + Base64UrlEncode(signature);
}

}  // namespace vigil
