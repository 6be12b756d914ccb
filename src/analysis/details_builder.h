// DetailsBuilder: writes the details of a finding as a JSON object whose keys
// appear in the order they were added. Written by hand (no DOM) because the
// analyzers may write tens of thousands of them per run; the same calls give
// the same bytes, which keeps details digests stable across runs.
//
// Keys are written as given; the caller never adds a key twice.
// Not thread-safe; one builder per object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace vigil {

class DetailsBuilder {
 public:
  DetailsBuilder();

  DetailsBuilder& String(std::string_view key, std::string_view value);
  DetailsBuilder& Int(std::string_view key, int64_t value);
  DetailsBuilder& Bool(std::string_view key, bool value);
  // FormatIso8601(*time) as a string, or null when `time` is nullopt.
  DetailsBuilder& Time(std::string_view key, std::optional<TimeMs> time);
  // An array of strings in the order given (callers sort first).
  DetailsBuilder& StringArray(std::string_view key, const std::vector<std::string>& values);

  // The finished object, e.g. {"upn":"a@x","roles":[]}. The builder is
  // empty afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);

  std::string text_;
  bool first_ = true;
};

}  // namespace vigil
