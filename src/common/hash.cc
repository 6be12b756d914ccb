#include "common/hash.h"

#include <cstring>

namespace vigil {
namespace {

constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

// Eight bytes at a time, each word folded in with a multiply and a rotate,
// finished with the splitmix64 finalizer; the length is folded in too.
uint64_t Hash64(std::string_view data) {
  uint64_t h = 0x243F6A8885A308D3ULL ^ (data.size() * kMul);
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    h = (h ^ Mix(w)) * kMul;
    h = (h << 31) | (h >> 33);
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < data.size(); ++j) {
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(data[i + j])) << (8 * j);
  }
  h = (h ^ Mix(tail + 1)) * kMul;
  return Mix(h);
}

namespace {

void HexTo(uint64_t h, char out[16]) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[h & 0xF];
    h >>= 4;
  }
}

std::string Hex(uint64_t h) {
  std::string out(16, '0');
  HexTo(h, out.data());
  return out;
}

uint64_t ContentDigest(std::string_view name, std::string_view attributes) {
  return Mix(Hash64(name) * kMul + Hash64(attributes));
}

}  // namespace

std::string HashHex(std::string_view data) { return Hex(Hash64(data)); }

std::string ContentHash(std::string_view name, std::string_view attributes) {
  return Hex(ContentDigest(name, attributes));
}

void ContentHashTo(std::string_view name, std::string_view attributes, char out[16]) {
  HexTo(ContentDigest(name, attributes), out);
}

}  // namespace vigil
