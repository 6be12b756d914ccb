// Gunzip for the tests of the console's files (header-only, tests only):
// zlib inflates what the build compressed with gzip -9n, so a test compares
// the bytes a browser would get to the raw ones.
#pragma once

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace vigil::testing {

// The bytes inside a gzip stream; nullopt when it is not a complete, valid one.
inline std::optional<std::string> Gunzip(std::string_view compressed) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip header and trailer (CRC and size checked).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated
  }
  const bool whole = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole) return std::nullopt;
  return out;
}

}  // namespace vigil::testing
