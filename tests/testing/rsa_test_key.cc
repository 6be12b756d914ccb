#include "testing/rsa_test_key.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

namespace vigil::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

RsaTestKey NewRsaTestKey() {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_RSA_gen(2048));
  std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  if (key == nullptr || priv == nullptr || pub == nullptr ||
      PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
    std::fprintf(stderr, "NewRsaTestKey: OpenSSL cannot make an RSA key\n");
    std::abort();
  }
  return {BioText(priv.get()), BioText(pub.get())};
}

std::string ServiceAccountKeyJson(const RsaTestKey& key, const std::string& client_email,
                                  const std::string& private_key_id, const std::string& token_uri,
                                  const std::string& client_id) {
  nlohmann::json json = {{"type", "service_account"},
                         {"project_id", "vigil-test"},
                         {"private_key_id", private_key_id},
                         {"private_key", key.private_pem},
                         {"client_email", client_email},
                         {"client_id", client_id},
                         {"auth_uri", "https://accounts.google.com/o/oauth2/auth"},
                         {"token_uri", token_uri}};
  return json.dump(2);
}

bool VerifyRs256(const std::string& public_pem, std::string_view input,
                 std::string_view signature) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  if (bio == nullptr) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

}  // namespace vigil::testing
