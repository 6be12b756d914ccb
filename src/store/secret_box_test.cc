#include "store/secret_box.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "testing/scoped_env.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

// 32 bytes 0x00..0x1f, in the two spellings a key may take.
constexpr const char* kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kBase64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

using testing::ScopedEnv;

// No key in the environment for the whole test.
class SecretBoxTest : public ::testing::Test {
 protected:
  ScopedEnv no_key_{kSecretKeyEnv, std::nullopt};
  ScopedEnv no_key_file_{kSecretKeyFileEnv, std::nullopt};
};

SecretKey NewKey() { return SecretKey::Generate().value(); }

// A key file at a new path with `text` and `mode`.
std::string KeyFile(const std::string& text, mode_t mode) {
  const std::string path = testing::NewTempDir() + "/secret.key";
  testing::WriteFile(path, text);
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

// Whether `key` opens what the key 00..1f sealed.
bool IsTheKnownKey(const SecretKey& key) {
  const SecretKey known = SecretKey::Parse(kHexKey, "test").value();
  Result<std::string> opened = Open(key, Seal(known, "probe"));
  return opened.ok() && *opened == "probe";
}

TEST_F(SecretBoxTest, SealThenOpenGivesThePlaintextBack) {
  const SecretKey key = NewKey();
  for (const std::string& plaintext :
       {std::string(), std::string("s3cr3t~value.With-Symbols_"), std::string(10000, 'x')}) {
    const std::string sealed = Seal(key, plaintext);
    EXPECT_TRUE(IsSealed(sealed));
    EXPECT_EQ(sealed.rfind("sbox1:", 0), 0u);
    if (!plaintext.empty()) {
      EXPECT_EQ(sealed.find(plaintext), std::string::npos);
    }
    Result<std::string> opened = Open(key, sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_F(SecretBoxTest, TwoSealsOfTheSameTextDiffer) {
  const SecretKey key = NewKey();
  EXPECT_NE(Seal(key, "same text"), Seal(key, "same text"));
}

TEST_F(SecretBoxTest, AnotherKeyCannotOpen) {
  const std::string sealed = Seal(NewKey(), "client secret");
  Result<std::string> opened = Open(NewKey(), sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(opened.status().message(), "secret was sealed with another key or is corrupt");
}

TEST_F(SecretBoxTest, AChangedCiphertextIsRefused) {
  const SecretKey key = NewKey();
  const std::string sealed = Seal(key, "client secret");
  const std::string body = sealed.substr(6);
  std::string box(body.size(), '\0');
  size_t length = 0;
  ASSERT_EQ(
      sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), body.data(),
                        body.size(), nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL),
      0);
  box.resize(length);
  box[box.size() - 1] ^= 0x01;  // the last byte of the ciphertext
  std::string encoded(sodium_base64_encoded_len(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(),
                    reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encoded.size() - 1);
  Result<std::string> opened = Open(key, "sbox1:" + encoded);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(), "secret was sealed with another key or is corrupt");
}

TEST_F(SecretBoxTest, TruncatedOrMalformedTextIsRefused) {
  const SecretKey key = NewKey();
  const std::string sealed = Seal(key, "client secret");
  for (const std::string& bad :
       {sealed.substr(0, sealed.size() - 4), sealed.substr(0, 10), std::string("sbox1:"),
        std::string("sbox1:AAAA"), std::string("sbox1:not base64!"), sealed + "AAAA"}) {
    Result<std::string> opened = Open(key, bad);
    ASSERT_FALSE(opened.ok()) << bad;
    EXPECT_EQ(opened.status().message(), "secret was sealed with another key or is corrupt") << bad;
  }
  for (const std::string& plain : {std::string("client secret"), std::string(""),
                                   std::string("sbox2:AAAA"), sealed.substr(1)}) {
    Result<std::string> opened = Open(key, plain);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(opened.status().message(), "not a sealed secret (expected prefix sbox1:)");
    EXPECT_FALSE(IsSealed(plain));
  }
}

TEST_F(SecretBoxTest, TheKeyComesFromTheEnvironmentAsHexOrBase64) {
  {
    ScopedEnv env(kSecretKeyEnv, kHexKey);
    Result<SecretKey> key = LoadSecretKey();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(IsTheKnownKey(*key));
  }
  {
    ScopedEnv env(kSecretKeyEnv, std::string(kBase64Key) + "\n");
    Result<SecretKey> key = LoadSecretKey();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(IsTheKnownKey(*key));
  }
  {
    // Unpadded base64 and upper-case hex are keys too.
    EXPECT_TRUE(IsTheKnownKey(
        SecretKey::Parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "t").value()));
    EXPECT_TRUE(IsTheKnownKey(
        SecretKey::Parse("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "t")
            .value()));
  }
  {
    // The variable wins over a key file.
    const std::string path = KeyFile(NewKey().ToKeyFileText(), 0600);
    ScopedEnv env(kSecretKeyEnv, kHexKey);
    ScopedEnv file(kSecretKeyFileEnv, path);
    EXPECT_TRUE(IsTheKnownKey(LoadSecretKey(path).value()));
  }
}

TEST_F(SecretBoxTest, TheKeyComesFromAKeyFileNamedByTheEnvironmentOrTheCaller) {
  const std::string path = KeyFile(std::string(kBase64Key) + "\n", 0600);
  {
    ScopedEnv file(kSecretKeyFileEnv, path);
    Result<SecretKey> key = LoadSecretKey();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_TRUE(IsTheKnownKey(*key));
  }
  Result<SecretKey> key = LoadSecretKey(path);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(IsTheKnownKey(*key));
  EXPECT_TRUE(IsTheKnownKey(LoadSecretKey(KeyFile(kHexKey, 0400)).value()));

  // What Generate writes, Parse reads.
  const SecretKey generated = NewKey();
  const std::string text = generated.ToKeyFileText();
  EXPECT_EQ(text.size(), 45u);
  EXPECT_EQ(text.back(), '\n');
  const SecretKey reread = LoadSecretKey(KeyFile(text, 0600)).value();
  EXPECT_EQ(*Open(reread, Seal(generated, "x")), "x");
}

TEST_F(SecretBoxTest, AKeyFileOthersCanReadIsRefusedLikeSshDoes) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    const std::string path = KeyFile(kHexKey, mode);
    Result<SecretKey> key = LoadSecretKey(path);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), Code::kFailedPrecondition);
    char shown[8];
    std::snprintf(shown, sizeof shown, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(key.status().message(),
              "key file " + path + " is accessible by group or others (mode " + shown +
                  "); a key file must be readable by its owner only: chmod 600 " + path);
  }
  const std::string path = KeyFile(kHexKey, 0644);
  ScopedEnv file(kSecretKeyFileEnv, path);
  EXPECT_EQ(LoadSecretKey().status().message(),
            "key file " + path +
                " (VIGIL_SECRET_KEY_FILE) is accessible by group or others "
                "(mode 0644); a key file must be readable by its owner only: chmod 600 " +
                path);
}

TEST_F(SecretBoxTest, NoKeyTellsTheOperatorHowToMakeOne) {
  Result<SecretKey> key = LoadSecretKey();
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(key.status().message(),
            "no secret key to seal data source secrets with: create one with `vigil key generate "
            "--out FILE`, then set VIGIL_SECRET_KEY_FILE=FILE (or set VIGIL_SECRET_KEY to the key "
            "itself: 64 hex digits or base64)");
  // An empty variable counts as unset.
  ScopedEnv empty(kSecretKeyEnv, "");
  EXPECT_EQ(LoadSecretKey().status().code(), Code::kFailedPrecondition);

  const std::string missing = testing::NewTempDir() + "/nope.key";
  ScopedEnv file(kSecretKeyFileEnv, missing);
  key = LoadSecretKey();
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), Code::kNotFound);
  EXPECT_EQ(key.status().message(),
            "key file " + missing +
                " (VIGIL_SECRET_KEY_FILE) does not exist (create a key with "
                "`vigil key generate --out " +
                missing + "`)");
}

TEST_F(SecretBoxTest, AMalformedKeyIsNamedByItsSourceWithoutItsText) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
       "VIGIL_SECRET_KEY: the key is 62 hex digits; expected 64 (32 bytes)"},
      {"c2hvcnQga2V5IHRleHQ=",
       "VIGIL_SECRET_KEY: the key decodes from base64 to 14 bytes; "
       "expected 32"},
      {"this is no key at all!",
       "VIGIL_SECRET_KEY: the key is neither hex nor base64; expected 32 bytes written as 64 hex "
       "digits or as base64"},
      {"   \n",
       "VIGIL_SECRET_KEY: the key is empty; expected 32 bytes written as 64 hex digits "
       "or as base64"},
  };
  for (const Case& c : cases) {
    ScopedEnv env(kSecretKeyEnv, c.text);
    Result<SecretKey> key = LoadSecretKey();
    ASSERT_FALSE(key.ok()) << c.text;
    EXPECT_EQ(key.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(key.status().message(), c.message);
  }
  const std::string path = KeyFile("c2hvcnQga2V5IHRleHQ=\n", 0600);
  Result<SecretKey> key = LoadSecretKey(path);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(),
            "key file " + path + ": the key decodes from base64 to 14 bytes; expected 32");
  EXPECT_EQ(key.status().message().find("c2hvcnQ"), std::string::npos);
}

}  // namespace
}  // namespace vigil
