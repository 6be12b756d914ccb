// The console's files (web/ in the repository), embedded in the binary at
// build time by cmake/embed_web.cmake, and found here by the URL path they
// are served at (api/console_routes.cc serves them).
//
//   "/" and "/index.html"     the page, index.html. Its references to the
//                             other files ("/assets/app.js") were rewritten
//                             at build time to their hashed names.
//   "/assets/<hashed name>"   any other file by its content-hashed name:
//                             app.js -> app.3f2a91c0.js, the first 8 hex of
//                             the SHA-256 of its bytes. Never changes while
//                             the name stands: cacheable for good.
//   "/assets/<plain name>"    the same file by its name under web/, so a page
//                             loaded before an upgrade still finds it; it may
//                             change from build to build.
//
// Every asset is stored as served and gzip-compressed (gzip -9n); `gzip` is
// empty for files that compressing does not make smaller (images). Its ETag
// is a quoted strong validator: 16 hex of the SHA-256 of `raw`; the gzip
// representation's is GzipEtag(), as the two are different bytes.
//
// The table is built once into the binary and never changes: every call is
// thread-safe, every view valid for the life of the process.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

struct ConsoleAsset {
  std::string_view name;          // served name: "app.3f2a91c0.js"; "index.html"
  std::string_view plain_name;    // its name under web/: "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // "\"<16 hex>\"", quotes included
  std::string_view raw;           // the bytes served
  std::string_view gzip;          // the same, gzip-compressed; empty when not smaller

  bool is_index() const { return name == "index.html"; }
  // The ETag of the gzip bytes: etag with "-gzip" inside the quotes.
  std::string GzipEtag() const;
};

// What a URL path names.
struct ConsoleAssetMatch {
  const ConsoleAsset* asset = nullptr;  // null: the path names no asset
  // True for "/assets/<hashed name>" only: the bytes behind the URL never
  // change. False for the index and for assets by their plain name.
  bool immutable = false;
};

// The asset at `url_path` (no query string), as the table above says.
ConsoleAssetMatch FindConsoleAsset(std::string_view url_path);

// Every embedded asset, the index included, sorted by plain name.
std::span<const ConsoleAsset> ConsoleAssets();

// What the assets cost a browser that loads all of them compressed: the sum
// of each asset's gzip size, or its raw size when it has no gzip bytes.
size_t ConsoleAssetsCompressedBytes();

}  // namespace vigil
