#include "store/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace vigil {
namespace {

static_assert(SecretKey::kSize == crypto_secretbox_KEYBYTES);

// A key file holds one key as text; anything longer is not a key file.
constexpr size_t kMaxKeyFileBytes = 4096;

constexpr const char* kExpected = "32 bytes written as 64 hex digits or as base64";

bool SodiumReady() {
  // sodium_init is idempotent; the static makes the first call the only one.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string_view Trim(std::string_view text) {
  const char* space = " \t\r\n";
  const size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(space);
  return text.substr(begin, end - begin + 1);
}

bool AllHex(std::string_view text) {
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Decodes base64 (padded or not) into `out`; false when it is not base64.
bool DecodeBase64(std::string_view text, std::vector<unsigned char>* out) {
  out->assign(text.size() / 4 * 3 + 3, 0);
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    size_t length = 0;
    if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), nullptr, &length,
                          nullptr, variant) == 0) {
      out->resize(length);
      return true;
    }
  }
  sodium_memzero(out->data(), out->size());
  out->clear();
  return false;
}

std::string EncodeBase64(const unsigned char* bytes, size_t size) {
  std::string text(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::string MissingKeyMessage() {
  return std::string(
             "no secret key to seal data source secrets with: create one with `vigil key "
             "generate --out FILE`, then set ") +
         kSecretKeyFileEnv + "=FILE (or set " + kSecretKeyEnv +
         " to the key itself: 64 hex digits or base64)";
}

// "0644".
std::string Mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Reads and parses the key file at `path`; `source` names it in messages.
Result<SecretKey> LoadKeyFile(const std::string& path, const std::string& source) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return Status::NotFound(source +
                              " does not exist (create a key with `vigil key generate "
                              "--out " +
                              path + "`)");
    }
    return Status::IoError(source + ": cannot open: " + std::strerror(error));
  }
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::IoError(source + ": cannot stat: " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = Status::InvalidArgument(source + " is not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    status = Status::FailedPrecondition(
        source + " is accessible by group or others (mode " + Mode(st.st_mode) +
        "); a key file must be readable by its owner only: chmod 600 " + path);
  } else if (static_cast<size_t>(st.st_size) > kMaxKeyFileBytes) {
    status = Status::InvalidArgument(source + " is larger than 4 KiB; a key file holds one key (" +
                                     kExpected + ")");
  }
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  std::string text(kMaxKeyFileBytes + 1, '\0');
  size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::IoError(source + ": cannot read: " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  if (status.ok() && used > kMaxKeyFileBytes) {
    status = Status::InvalidArgument(source + " is larger than 4 KiB; a key file holds one key (" +
                                     kExpected + ")");
  }
  if (!status.ok()) {
    ScrubString(&text);
    return status;
  }
  Result<SecretKey> key = SecretKey::Parse(std::string_view(text.data(), used), source);
  ScrubString(&text);
  return key;
}

}  // namespace

void SecretKey::Scrubbed::operator()(unsigned char* p) const {
  sodium_memzero(p, kSize);
  delete[] p;
}

SecretKey::SecretKey() : bytes_(new unsigned char[kSize]()) {}

const unsigned char* SecretKey::bytes() const { return bytes_.get(); }

Result<SecretKey> SecretKey::Generate() {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not be initialised");
  SecretKey key;
  crypto_secretbox_keygen(key.bytes_.get());
  return key;
}

Result<SecretKey> SecretKey::Parse(std::string_view text, std::string_view source) {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not be initialised");
  const std::string where(source);
  text = Trim(text);
  if (text.empty()) {
    return Status::InvalidArgument(where + ": the key is empty; expected " + kExpected);
  }
  SecretKey key;
  if (AllHex(text)) {
    if (text.size() != 2 * kSize) {
      return Status::InvalidArgument(where + ": the key is " + std::to_string(text.size()) +
                                     " hex digits; expected 64 (32 bytes)");
    }
    size_t length = 0;
    if (sodium_hex2bin(key.bytes_.get(), kSize, text.data(), text.size(), nullptr, &length,
                       nullptr) != 0 ||
        length != kSize) {
      return Status::Internal(where + ": hex key did not decode");
    }
    return key;
  }
  std::vector<unsigned char> decoded;
  if (!DecodeBase64(text, &decoded)) {
    return Status::InvalidArgument(where + ": the key is neither hex nor base64; expected " +
                                   kExpected);
  }
  const size_t length = decoded.size();
  if (length == kSize) std::memcpy(key.bytes_.get(), decoded.data(), kSize);
  sodium_memzero(decoded.data(), decoded.size());
  if (length != kSize) {
    return Status::InvalidArgument(where + ": the key decodes from base64 to " +
                                   std::to_string(length) + " bytes; expected 32");
  }
  return key;
}

std::string SecretKey::ToKeyFileText() const { return EncodeBase64(bytes_.get(), kSize) + "\n"; }

Result<SecretKey> LoadSecretKey(const std::string& key_file) {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not be initialised");
  const char* env_key = std::getenv(kSecretKeyEnv);
  if (env_key != nullptr && *env_key != '\0') return SecretKey::Parse(env_key, kSecretKeyEnv);
  const char* env_file = std::getenv(kSecretKeyFileEnv);
  if (env_file != nullptr && *env_file != '\0') {
    return LoadKeyFile(env_file,
                       std::string("key file ") + env_file + " (" + kSecretKeyFileEnv + ")");
  }
  if (!key_file.empty()) return LoadKeyFile(key_file, "key file " + key_file);
  return Status::FailedPrecondition(MissingKeyMessage());
}

std::string Seal(const SecretKey& key, std::string_view plaintext) {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key.bytes());
  return std::string(kSealedPrefix) + EncodeBase64(box.data(), box.size());
}

Result<std::string> Open(const SecretKey& key, std::string_view sealed) {
  if (!IsSealed(sealed)) {
    return Status::InvalidArgument("not a sealed secret (expected prefix sbox1:)");
  }
  const Status corrupt =
      Status::InvalidArgument("secret was sealed with another key or is corrupt");
  std::vector<unsigned char> box;
  if (!DecodeBase64(sealed.substr(kSealedPrefix.size()), &box)) return corrupt;
  constexpr size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (box.size() < kOverhead) return corrupt;
  std::string plaintext(box.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 box.data() + crypto_secretbox_NONCEBYTES,
                                 box.size() - crypto_secretbox_NONCEBYTES, box.data(),
                                 key.bytes()) != 0) {
    ScrubString(&plaintext);
    return corrupt;
  }
  return plaintext;
}

bool IsSealed(std::string_view text) {
  return text.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

void ScrubString(std::string* text) {
  if (!text->empty()) sodium_memzero(text->data(), text->size());
  text->clear();
}

}  // namespace vigil
