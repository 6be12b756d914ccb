// JsonObjectWriter: vigil's one hand-written JSON writer, for the hot paths
// where building a DOM would cost more than the work itself: entity
// attributes in a sync (providers/entity_codec.h), finding details in an
// analysis (the analyzers), event payloads (events/event_payloads.h).
// (providers/graph_writer streams whole Graph listings into one buffer with
// the same escaper; the rest of vigil writes JSON with nlohmann::json.)
//
// Members appear in call order, and the same calls give the same bytes, so a
// digest of the text is stable across runs. Keys are written as given: they
// must need no escaping (the callers' constants and the analysis type names
// do), and the caller never adds one twice. String values are escaped by
// AppendJsonString (common/json_text.h, the one escaper); numbers are
// written by std::to_chars.
//
// Reusable: Finish hands the object over and the next member starts a new
// one. Not thread-safe; one writer per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace vigil {

class JsonObjectWriter {
 public:
  // `reserve`: the bytes the object is expected to need, reserved before
  // the first member (one allocation instead of several doublings). The
  // default fits most finding details and event payloads.
  explicit JsonObjectWriter(size_t reserve = kDefaultReserve);

  static constexpr size_t kDefaultReserve = 192;

  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& Int(std::string_view key, int64_t value);
  JsonObjectWriter& Bool(std::string_view key, bool value);
  // The number, or null when `value` is nullopt.
  JsonObjectWriter& OptionalInt(std::string_view key, const std::optional<int64_t>& value);
  // FormatIso8601(*time) as a string, or null when `time` is nullopt.
  JsonObjectWriter& Time(std::string_view key, std::optional<TimeMs> time);
  // An array of strings in the order given (callers sort first when the
  // order must not depend on theirs).
  JsonObjectWriter& Strings(std::string_view key, const std::vector<std::string>& values);
  // `json` is JSON text already (an object the caller wrote); copied as is.
  JsonObjectWriter& Raw(std::string_view key, std::string_view json);

  // The finished object, e.g. {"upn":"a@x","roles":[]} ("{}" with no
  // member). The writer holds nothing afterwards; the next member starts a
  // new object.
  std::string Finish();

 private:
  void Key(std::string_view key);

  std::string text_;
  size_t reserve_;
  bool open_ = false;  // text_ holds "{" and the members so far
  bool empty_ = true;  // no member yet
};

}  // namespace vigil
