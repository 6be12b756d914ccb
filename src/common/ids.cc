#include "common/ids.h"

#include <mutex>
#include <random>

namespace vigil {
namespace {

std::string RandomHex(int digits) {
  static std::mutex mu;
  static std::mt19937_64 engine{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  std::lock_guard<std::mutex> lock(mu);
  while (static_cast<int>(out.size()) < digits) {
    uint64_t r = engine();
    for (int i = 0; i < 16 && static_cast<int>(out.size()) < digits; ++i, r >>= 4) {
      out.push_back(kHex[r & 0xF]);
    }
  }
  return out;
}

}  // namespace

std::string NewTraceId() { return RandomHex(32); }
std::string NewRunId() { return "run-" + RandomHex(16); }

}  // namespace vigil
