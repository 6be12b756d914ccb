// The fields of a JSON request body (an object that api/json_body.h parsed):
// refusing the ones a route does not know, and reading typed fields. Each
// failure is InvalidArgument naming the field, which ErrorFromStatus answers
// as 400 bad_request. Type errors name the JSON type that was sent, never
// the value (a body may carry a secret).
//
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigil {

// OK when every key of `body` is one of `known`; otherwise
// "request body: unknown field \"x\" (known: a, b)" (all unknown ones named:
// "unknown fields \"x\", \"y\"").
Status CheckKnownFields(const nlohmann::json& body, std::initializer_list<std::string_view> known);

// The string `key` of `body`; nullopt when absent or null.
// "<key>: expected a string, got <type>" otherwise.
Result<std::optional<std::string>> OptionalStringField(const nlohmann::json& body,
                                                       std::string_view key);

// As OptionalStringField, and "<key>: required" when absent, null or empty.
Result<std::string> RequiredStringField(const nlohmann::json& body, std::string_view key);

// The boolean `key` of `body`; nullopt when absent or null.
// "<key>: expected true or false, got <type>" otherwise.
Result<std::optional<bool>> OptionalBoolField(const nlohmann::json& body, std::string_view key);

// The array of strings `key` of `body`; nullopt when absent or null.
// "<key>: expected an array of strings, got <type>" for another type,
// "<key>[<i>]: expected a string, got <type>" for an item.
Result<std::optional<std::vector<std::string>>> OptionalStringArrayField(
    const nlohmann::json& body, std::string_view key);

// The number `key` of `body`; nullopt when absent or null.
// "<key>: expected a number, got <type>" otherwise.
Result<std::optional<double>> OptionalNumberField(const nlohmann::json& body,
                                                  std::string_view key);

// `value` as JSON text for a message, cut to about 60 characters ("...").
std::string ShownJson(const nlohmann::json& value);

}  // namespace vigil
