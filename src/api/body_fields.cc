#include "api/body_fields.h"

#include <algorithm>
#include <vector>

namespace vigil {

Status CheckKnownFields(const nlohmann::json& body, std::initializer_list<std::string_view> known) {
  std::vector<std::string> unknown;
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) unknown.push_back(key);
  }
  if (unknown.empty()) return Status::Ok();
  std::string message =
      unknown.size() == 1 ? "request body: unknown field " : "request body: unknown fields ";
  for (size_t i = 0; i < unknown.size(); ++i) {
    message += (i == 0 ? "\"" : ", \"") + unknown[i] + "\"";
  }
  if (known.size() == 0) return Status::InvalidArgument(message + " (this route takes no fields)");
  message += " (known: ";
  for (auto it = known.begin(); it != known.end(); ++it) {
    message += (it == known.begin() ? "" : ", ") + std::string(*it);
  }
  return Status::InvalidArgument(message + ")");
}

Result<std::optional<std::string>> OptionalStringField(const nlohmann::json& body,
                                                       std::string_view key) {
  auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string(key) + ": expected a string, got " +
                                   it->type_name());
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> RequiredStringField(const nlohmann::json& body, std::string_view key) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(body, key));
  if (!value || value->empty()) return Status::InvalidArgument(std::string(key) + ": required");
  return std::move(*value);
}

Result<std::optional<bool>> OptionalBoolField(const nlohmann::json& body, std::string_view key) {
  auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string(key) + ": expected true or false, got " +
                                   it->type_name());
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::vector<std::string>>> OptionalStringArrayField(
    const nlohmann::json& body, std::string_view key) {
  using Out = std::optional<std::vector<std::string>>;
  auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return Out();
  if (!it->is_array()) {
    return Status::InvalidArgument(std::string(key) + ": expected an array of strings, got " +
                                   it->type_name());
  }
  std::vector<std::string> items;
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& item = (*it)[i];
    if (!item.is_string()) {
      return Status::InvalidArgument(std::string(key) + "[" + std::to_string(i) +
                                     "]: expected a string, got " + item.type_name());
    }
    items.push_back(item.get<std::string>());
  }
  return Out(std::move(items));
}

Result<std::optional<double>> OptionalNumberField(const nlohmann::json& body,
                                                  std::string_view key) {
  auto it = body.find(std::string(key));
  if (it == body.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    return Status::InvalidArgument(std::string(key) + ": expected a number, got " +
                                   it->type_name());
  }
  return std::optional<double>(it->get<double>());
}

std::string ShownJson(const nlohmann::json& value) {
  constexpr size_t kMax = 60;
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace vigil
