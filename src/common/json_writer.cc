#include "common/json_writer.h"

#include <charconv>
#include <utility>

#include "common/json_text.h"
#include "common/time.h"

namespace vigil {

JsonObjectWriter::JsonObjectWriter(size_t reserve) : reserve_(reserve) {}

void JsonObjectWriter::Key(std::string_view key) {
  if (!open_) {
    text_.reserve(reserve_);
    text_.push_back('{');
    open_ = true;
  }
  if (!empty_) text_.push_back(',');
  empty_ = false;
  text_.push_back('"');
  text_.append(key);
  text_.append("\":");
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(&text_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 bytes hold every int64_t
  text_.append(buf, end);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Bool(std::string_view key, bool value) {
  Key(key);
  text_.append(value ? "true" : "false");
  return *this;
}

JsonObjectWriter& JsonObjectWriter::OptionalInt(std::string_view key,
                                                const std::optional<int64_t>& value) {
  if (value) return Int(key, *value);
  Key(key);
  text_.append("null");
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Time(std::string_view key, std::optional<TimeMs> time) {
  Key(key);
  if (time) {
    AppendJsonString(&text_, FormatIso8601(*time));
  } else {
    text_.append("null");
  }
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Strings(std::string_view key,
                                            const std::vector<std::string>& values) {
  Key(key);
  text_.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_.push_back(',');
    AppendJsonString(&text_, values[i]);
  }
  text_.push_back(']');
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  text_.append(json);
  return *this;
}

std::string JsonObjectWriter::Finish() {
  if (!open_) return "{}";
  text_.push_back('}');
  std::string out = std::move(text_);
  text_ = std::string();
  open_ = false;
  empty_ = true;
  return out;
}

}  // namespace vigil
