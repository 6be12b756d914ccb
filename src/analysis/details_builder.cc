#include "analysis/details_builder.h"

#include <utility>

#include "common/json_text.h"
#include "common/time.h"

namespace vigil {
namespace {

// Most details fit; one allocation instead of four or five doublings.
constexpr size_t kInitialCapacity = 192;

}  // namespace

DetailsBuilder::DetailsBuilder() {
  text_.reserve(kInitialCapacity);
  text_.push_back('{');
}

void DetailsBuilder::Key(std::string_view key) {
  if (!first_) text_.push_back(',');
  first_ = false;
  AppendJsonString(&text_, key);
  text_.push_back(':');
}

DetailsBuilder& DetailsBuilder::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(&text_, value);
  return *this;
}

DetailsBuilder& DetailsBuilder::Int(std::string_view key, int64_t value) {
  Key(key);
  text_.append(std::to_string(value));
  return *this;
}

DetailsBuilder& DetailsBuilder::Bool(std::string_view key, bool value) {
  Key(key);
  text_.append(value ? "true" : "false");
  return *this;
}

DetailsBuilder& DetailsBuilder::Time(std::string_view key, std::optional<TimeMs> time) {
  Key(key);
  if (time.has_value()) {
    AppendJsonString(&text_, FormatIso8601(*time));
  } else {
    text_.append("null");
  }
  return *this;
}

DetailsBuilder& DetailsBuilder::StringArray(std::string_view key,
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

std::string DetailsBuilder::Finish() {
  text_.push_back('}');
  std::string out = std::move(text_);
  text_.clear();
  text_.reserve(kInitialCapacity);
  text_.push_back('{');
  first_ = true;
  return out;
}

}  // namespace vigil
