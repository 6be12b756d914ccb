// Secrets at rest: a data source's client secret is stored sealed with
// libsodium's secretbox (XSalsa20-Poly1305) under one 32-byte key that the
// operator keeps outside the database.
//
// Where the key comes from (LoadSecretKey), first match wins:
//   1. env VIGIL_SECRET_KEY       the key itself: 64 hex digits or base64
//   2. env VIGIL_SECRET_KEY_FILE  a file holding the key as text
//   3. `key_file`                 the same, a path the caller names
// A key file must be accessible by its owner only (mode 0600 or 0400), as
// ssh demands of private keys. `vigil key generate --out FILE` writes one.
//
// A sealed secret is text: "sbox1:" + base64(nonce || ciphertext), with a
// random nonce per Seal, so it fits a JSON settings object.
//
// Nothing here prints or logs key material or plaintext; messages name the
// source (the variable or the file) and what is wrong, never the contents.
// Buffers that held a key or a plaintext are zeroed (sodium_memzero) before
// they are released, where this code owns them.
//
// Thread safety: libsodium is initialised once, on first use, thread-safely.
// A SecretKey is immutable after construction; Seal and Open may be called
// from any number of threads with the same key.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// The names of the two environment variables LoadSecretKey reads.
inline constexpr const char* kSecretKeyEnv = "VIGIL_SECRET_KEY";
inline constexpr const char* kSecretKeyFileEnv = "VIGIL_SECRET_KEY_FILE";

// The prefix of every sealed secret (the format's version).
inline constexpr std::string_view kSealedPrefix = "sbox1:";

// A 32-byte secretbox key. Move-only; its bytes live on the heap and are
// zeroed when it is destroyed. It has no printing operator on purpose.
// A SecretKey exists only once libsodium has been initialised.
class SecretKey {
 public:
  static constexpr size_t kSize = 32;

  // A new random key. Unavailable when libsodium cannot be initialised.
  static Result<SecretKey> Generate();

  // The key written as `text`: 64 hex digits or base64 (padded or not) of 32
  // bytes; surrounding whitespace is ignored. InvalidArgument "<source>: ..."
  // naming what is wrong (not hex or base64, the wrong length), never the
  // text. `source` names where the text came from, e.g. "VIGIL_SECRET_KEY".
  static Result<SecretKey> Parse(std::string_view text, std::string_view source);

  SecretKey(SecretKey&&) noexcept = default;
  SecretKey& operator=(SecretKey&&) noexcept = default;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey() = default;

  // The key as a key file holds it: base64 and a newline. Only for writing
  // a new key file; the caller zeroes the returned string (ScrubString).
  std::string ToKeyFileText() const;

  // The raw bytes (kSize of them), for the sealing functions below.
  const unsigned char* bytes() const;

 private:
  struct Scrubbed {
    void operator()(unsigned char* p) const;
  };
  SecretKey();
  std::unique_ptr<unsigned char[], Scrubbed> bytes_;
};

// The key from the environment or `key_file` (see the top of this file).
// FailedPrecondition telling the operator how to make and provide a key when
// there is none, or when a key file is accessible by group or others;
// NotFound when the named key file does not exist; InvalidArgument naming the
// variable or file when the key is malformed; IoError when a key file cannot
// be read.
Result<SecretKey> LoadSecretKey(const std::string& key_file = "");

// Seals `plaintext` under `key` with a fresh random nonce: "sbox1:<base64>".
// Two Seals of the same text differ.
std::string Seal(const SecretKey& key, std::string_view plaintext);

// The plaintext of a sealed secret. InvalidArgument "not a sealed secret
// (expected prefix sbox1:)" when it lacks the prefix, and "secret was sealed
// with another key or is corrupt" when it does not decrypt and authenticate
// (another key, a changed or truncated text). The caller zeroes the result
// when done with it (ScrubString).
Result<std::string> Open(const SecretKey& key, std::string_view sealed);

// Whether `text` looks like the output of Seal (has the prefix).
bool IsSealed(std::string_view text);

// Overwrites the characters of `*text` with zeros, then empties it.
void ScrubString(std::string* text);

}  // namespace vigil
