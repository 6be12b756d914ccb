#include "notify/signing_secret.h"

#include <sodium.h>

namespace vigil {

Result<std::string> NewSigningSecret() {
  if (sodium_init() < 0) return Status::Internal("libsodium cannot be initialised");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  std::string secret(hex);
  sodium_memzero(hex, sizeof hex);
  return secret;
}

}  // namespace vigil
