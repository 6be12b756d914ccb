// What the synthetic tenant generators (synthetic.h for Microsoft 365,
// google_synthetic.h for Google Workspace) share: the seeded random numbers,
// the way a rate becomes a count, and the names people are made of. Only
// the generators include it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "providers/records.h"

namespace vigil::synthetic {

inline constexpr std::array<std::string_view, 48> kFirstNames = {
    "Adele",     "Alex",   "Allan",  "Amara",   "Ben",     "Bianca", "Carlos", "Chen",
    "Christie",  "Dana",   "Diego",  "Elena",   "Emily",   "Fatima", "Grady",  "Hana",
    "Henrietta", "Isaiah", "Ivan",   "Jamal",   "Johanna", "Joni",   "Kenji",  "Lara",
    "Lee",       "Lidia",  "Lynne",  "Mariam",  "Megan",   "Miriam", "Nestor", "Noah",
    "Olga",      "Omar",   "Patti",  "Pradeep", "Priya",   "Raul",   "Sara",   "Sofia",
    "Tomas",     "Uma",    "Victor", "Wei",     "Xavier",  "Yara",   "Yusuf",  "Zoe"};

inline constexpr std::array<std::string_view, 48> kLastNames = {
    "Abbott", "Adams",     "Bauer",    "Becker",  "Chen",    "Costa",  "Dalton", "Diaz",
    "Evans",  "Fernandez", "Fischer",  "Garcia",  "Gomez",   "Hansen", "Holt",   "Ibrahim",
    "Ito",    "Jensen",    "Kaur",     "Khan",    "Kim",     "Larsen", "Lopez",  "Meyer",
    "Moreau", "Murphy",    "Nakamura", "Nguyen",  "Novak",   "Okafor", "Olsen",  "Patel",
    "Perez",  "Quinn",     "Rossi",    "Sanchez", "Schmidt", "Silva",  "Singh",  "Sousa",
    "Tanaka", "Thomas",    "Vargas",   "Wagner",  "Walker",  "Wilson", "Yamada", "Zhang"};

// splitmix64: small, fast and the same on every platform (unlike the
// distributions of <random>).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n == 0.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

  // A version-4 GUID, lower-case.
  std::string Guid() {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t hi = Next(), lo = Next();
    hi = (hi & ~0xf000ULL) | 0x4000ULL;                         // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    std::string out(36, '-');
    int pos = 0;
    for (int i = 0; i < 32; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      const uint64_t word = i < 16 ? hi : lo;
      out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
    }
    return out;
  }

  // A role assignment id as Graph shapes them: 43 base64url characters + "-1".
  std::string AssignmentId() {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out(43, 'A');
    for (char& c : out) c = kAlphabet[Next() & 63];
    return out + "-1";
  }

 private:
  uint64_t state_;
};

// How many of `population` a rate selects: rounded, but at least one when
// the rate is positive and the population is not empty.
inline size_t CountOf(double rate, size_t population) {
  if (rate <= 0 || population == 0) return 0;
  const auto n = static_cast<size_t>(std::llround(rate * static_cast<double>(population)));
  return std::clamp<size_t>(n, 1, population);
}

inline void Shuffle(Rng* rng, std::vector<size_t>* v) {
  for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[rng->Below(i)]);
}

inline constexpr int64_t kSecondMs = 1000;
inline constexpr int64_t kDaySeconds = 86400;

// Whole-second timestamps `days` (plus a random part of a day) before `base`.
inline TimeMs DaysBefore(TimeMs base, int64_t days, Rng* rng) {
  return base - (days * kDaySeconds + static_cast<int64_t>(rng->Below(kDaySeconds))) * kSecondMs;
}

// The life a generated account has led, which sets its times.
enum class Life { kActive, kStale, kNeverSignedIn, kNewHire, kDisabled };

// Sets u's created and last_sign_in (and enabled, for kDisabled: disabled in
// Microsoft 365, suspended in Workspace) for `life` as of `now`.
inline void SetTimes(Life life, TimeMs now, Rng* rng, UserRecord* u) {
  switch (life) {
    case Life::kActive:
      u->created = DaysBefore(now, rng->Between(120, 2500), rng);
      u->last_sign_in = now - static_cast<int64_t>(rng->Below(30 * kDaySeconds)) * kSecondMs;
      break;
    case Life::kStale:
      u->last_sign_in = DaysBefore(now, rng->Between(91, 720), rng);
      u->created = DaysBefore(*u->last_sign_in, rng->Between(30, 1500), rng);
      break;
    case Life::kNeverSignedIn:
      u->created = DaysBefore(now, rng->Between(100, 1500), rng);
      break;
    case Life::kNewHire:
      u->created = DaysBefore(now, rng->Between(1, 30), rng);
      break;
    case Life::kDisabled:
      u->enabled = false;
      u->created = DaysBefore(now, rng->Between(200, 2500), rng);
      if (!rng->Chance(0.1)) u->last_sign_in = DaysBefore(now, rng->Between(30, 190), rng);
      break;
  }
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace vigil::synthetic
