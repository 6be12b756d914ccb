#include "console/assets.h"

#include "console/asset_table.h"

namespace vigil {
namespace {

constexpr std::string_view kAssetsPrefix = "/assets/";

const ConsoleAsset* FindIndex() {
  for (const ConsoleAsset& asset : EmbeddedConsoleAssets()) {
    if (asset.is_index()) return &asset;
  }
  return nullptr;
}

}  // namespace

std::string ConsoleAsset::GzipEtag() const {
  // etag is "\"<hex>\"": the suffix goes inside the closing quote.
  std::string tag(etag.substr(0, etag.size() - 1));
  tag += "-gzip\"";
  return tag;
}

ConsoleAssetMatch FindConsoleAsset(std::string_view url_path) {
  if (url_path == "/" || url_path == "/index.html") return {FindIndex(), false};
  if (url_path.substr(0, kAssetsPrefix.size()) != kAssetsPrefix) return {};
  const std::string_view name = url_path.substr(kAssetsPrefix.size());
  if (name.empty()) return {};
  for (const ConsoleAsset& asset : EmbeddedConsoleAssets()) {
    if (asset.is_index()) continue;  // the page is served at "/" only
    if (asset.name == name) return {&asset, true};
    if (asset.plain_name == name) return {&asset, false};
  }
  return {};
}

std::span<const ConsoleAsset> ConsoleAssets() { return EmbeddedConsoleAssets(); }

size_t ConsoleAssetsCompressedBytes() {
  size_t total = 0;
  for (const ConsoleAsset& asset : EmbeddedConsoleAssets()) {
    total += asset.gzip.empty() ? asset.raw.size() : asset.gzip.size();
  }
  return total;
}

}  // namespace vigil
