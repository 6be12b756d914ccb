// The console's files as the build embedded them (cmake/embed_web.cmake):
// every file under web/ is there, by a name that is the hash of its bytes,
// index.html refers to the hashed names, the gzip bytes are the raw ones,
// and the whole console stays under 200 KB compressed.
#include "console/assets.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "console/gunzip_test_support.h"

namespace vigil {
namespace {

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

std::filesystem::path WebDir() {
  const char* source = std::getenv("VIGIL_SOURCE_DIR");
  return std::filesystem::path(source != nullptr ? source : ".") / "web";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const ConsoleAsset* ByPlainName(std::string_view name) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.plain_name == name) return &asset;
  }
  return nullptr;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// `text` with every "/assets/<name>" naming an asset replaced by its hashed
// name: the longest run of name characters, less trailing dots.
std::string WithHashedNames(const std::string& text) {
  const std::string prefix = "/assets/";
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, from)) {
    size_t end = at + prefix.size();
    while (end < text.size() && IsNameChar(text[end])) ++end;
    std::string name = text.substr(at + prefix.size(), end - at - prefix.size());
    const ConsoleAsset* asset = nullptr;
    while (!name.empty()) {
      asset = ByPlainName(name);
      if ((asset != nullptr && !asset->is_index()) || name.back() != '.') break;
      name.pop_back();
    }
    out += text.substr(from, at - from);
    if (asset != nullptr && !asset->is_index()) {
      out += prefix + std::string(asset->name);
      from = at + prefix.size() + name.size();
    } else {
      out += prefix;
      from = at + prefix.size();
    }
  }
  return out + text.substr(from);
}

TEST(ConsoleAssetsTest, EveryFileUnderWebIsEmbeddedWithTheBytesOfItsSource) {
  ASSERT_TRUE(std::filesystem::is_directory(WebDir())) << WebDir();
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(WebDir())) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.front() == '.') continue;
    files.insert(name);
    SCOPED_TRACE(name);
    const ConsoleAsset* asset = ByPlainName(name);
    ASSERT_NE(asset, nullptr) << "web/" << name << " is not embedded";
    EXPECT_EQ(asset->raw, WithHashedNames(ReadFile(entry.path())));
  }
  EXPECT_EQ(files.size(), ConsoleAssets().size());
  EXPECT_TRUE(files.count("index.html"));
}

TEST(ConsoleAssetsTest, EachNameAndEtagIsTheSha256OfTheBytesServed) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    SCOPED_TRACE(std::string(asset.plain_name));
    const std::string hash = Sha256Hex(asset.raw);
    EXPECT_EQ(asset.etag, "\"" + hash.substr(0, 16) + "\"");
    EXPECT_EQ(asset.GzipEtag(), "\"" + hash.substr(0, 16) + "-gzip\"");
    if (asset.is_index()) {
      EXPECT_EQ(asset.name, "index.html");
      continue;
    }
    const std::string plain(asset.plain_name);
    const size_t dot = plain.rfind('.');
    ASSERT_NE(dot, std::string::npos);
    EXPECT_EQ(asset.name, plain.substr(0, dot) + "." + hash.substr(0, 8) + plain.substr(dot));
  }
}

TEST(ConsoleAssetsTest, TheIndexRefersToTheHashedNamesOnly) {
  const ConsoleAsset* index = FindConsoleAsset("/").asset;
  ASSERT_NE(index, nullptr);
  const std::string page(index->raw);
  EXPECT_NE(page.find("<title>vigil</title>"), std::string::npos) << page;
  int referenced = 0;
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.is_index()) continue;
    const std::string plain = "/assets/" + std::string(asset.plain_name) + "\"";
    EXPECT_EQ(page.find(plain), std::string::npos) << plain << " left in " << page;
    if (page.find("/assets/" + std::string(asset.name) + "\"") != std::string::npos) ++referenced;
  }
  // The page loads its script and its style sheet at least.
  EXPECT_GE(referenced, 2) << page;
}

TEST(ConsoleAssetsTest, ContentTypesFollowTheExtension) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    const std::string name(asset.plain_name);
    SCOPED_TRACE(name);
    const std::string ext = name.substr(name.rfind('.'));
    const std::map<std::string, std::string> expected = {{".html", "text/html; charset=utf-8"},
                                                         {".css", "text/css; charset=utf-8"},
                                                         {".js", "text/javascript; charset=utf-8"},
                                                         {".svg", "image/svg+xml"},
                                                         {".png", "image/png"}};
    if (expected.count(ext)) {
      EXPECT_EQ(asset.content_type, expected.at(ext));
    }
    EXPECT_FALSE(asset.content_type.empty());
  }
  EXPECT_EQ(FindConsoleAsset("/").asset->content_type, "text/html; charset=utf-8");
}

TEST(ConsoleAssetsTest, GzipBytesInflateToTheRawBytesAndAreSmaller) {
  int compressed = 0;
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    SCOPED_TRACE(std::string(asset.plain_name));
    if (asset.gzip.empty()) continue;  // gzip would not make it smaller
    ++compressed;
    EXPECT_LT(asset.gzip.size(), asset.raw.size());
    std::optional<std::string> inflated = testing::Gunzip(asset.gzip);
    ASSERT_TRUE(inflated.has_value()) << "not a valid gzip stream";
    EXPECT_EQ(*inflated, asset.raw);
  }
  EXPECT_GE(compressed, 1) << "not even index.html was compressed";
}

TEST(ConsoleAssetsTest, TheWholeConsoleIsUnder200KbCompressed) {
  size_t total = 0;
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    total += asset.gzip.empty() ? asset.raw.size() : asset.gzip.size();
  }
  EXPECT_EQ(ConsoleAssetsCompressedBytes(), total);
  EXPECT_GT(total, 0u);
  EXPECT_LT(total, 200u * 1000u) << "the console's files take " << total
                                 << " bytes compressed; the budget is 200 KB";
  std::cout << "console assets: " << ConsoleAssets().size() << " files, " << total
            << " bytes compressed\n";
}

TEST(ConsoleAssetsTest, UrlPathsFindTheIndexAndAssetsByHashedOrPlainName) {
  const ConsoleAssetMatch root = FindConsoleAsset("/");
  ASSERT_NE(root.asset, nullptr);
  EXPECT_TRUE(root.asset->is_index());
  EXPECT_FALSE(root.immutable);
  EXPECT_EQ(FindConsoleAsset("/index.html").asset, root.asset);
  const ConsoleAsset* script = ByPlainName("app.js");
  ASSERT_NE(script, nullptr);
  const ConsoleAssetMatch hashed = FindConsoleAsset("/assets/" + std::string(script->name));
  EXPECT_EQ(hashed.asset, script);
  EXPECT_TRUE(hashed.immutable);
  const ConsoleAssetMatch plain = FindConsoleAsset("/assets/app.js");
  EXPECT_EQ(plain.asset, script);
  EXPECT_FALSE(plain.immutable);
  for (const char* missing : {"/assets/", "/assets/index.html", "/assets/nope.js", "/app.js",
                              "/assets/app.00000000.js", "/index.htm", "", "/assets/app.js/"}) {
    EXPECT_EQ(FindConsoleAsset(missing).asset, nullptr) << missing;
  }
}

}  // namespace
}  // namespace vigil
