// The pieces the OpenAPI document (api/openapi.h) is built of, shared by
// openapi.cc (the document), openapi_schemas.cc (components: schemas and
// error responses) and openapi_paths.cc (one group of operations per route
// group). Internal to those files. The document is an ordered_json, so each
// object's keys appear in the order they are added.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace vigil::openapi {

using Json = nlohmann::ordered_json;

// ---- building blocks ------------------------------------------------------

inline Json Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }
inline Json ResponseRef(const std::string& name) {
  return {{"$ref", "#/components/responses/" + name}};
}

inline Json String(const std::string& description = "") {
  Json s = {{"type", "string"}};
  if (!description.empty()) s["description"] = description;
  return s;
}
inline Json Time(const std::string& description) {
  return {{"type", "string"}, {"format", "date-time"}, {"description", description}};
}
inline Json NullableTime(const std::string& description) {
  Json s = Time(description);
  s["nullable"] = true;
  return s;
}
inline Json Integer(const std::string& description = "") {
  Json s = {{"type", "integer"}, {"format", "int64"}};
  if (!description.empty()) s["description"] = description;
  return s;
}
inline Json Enum(std::initializer_list<const char*> values, const std::string& description = "") {
  Json s = {{"type", "string"}, {"enum", Json::array()}};
  for (const char* v : values) s["enum"].push_back(v);
  if (!description.empty()) s["description"] = description;
  return s;
}
inline Json ArrayOf(Json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
inline Json FreeObject(const std::string& description) {
  return {{"type", "object"}, {"additionalProperties", true}, {"description", description}};
}
inline Json Object(Json properties, std::initializer_list<const char*> required = {}) {
  Json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0) {
    s["required"] = Json::array();
    for (const char* r : required) s["required"].push_back(r);
  }
  return s;
}

inline Json PathParam(const std::string& name, const std::string& description, Json schema) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description", description},
          {"schema", std::move(schema)}};
}
inline Json QueryParam(const std::string& name, const std::string& description, Json schema) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", std::move(schema)}};
}
inline Json HeaderParam(const std::string& name, bool required, const std::string& description) {
  return {{"name", name},
          {"in", "header"},
          {"required", required},
          {"description", description},
          {"schema", String()}};
}

inline Json JsonContent(Json schema) {
  return {{"application/json", {{"schema", std::move(schema)}}}};
}
inline Json Body(Json schema, bool required, const std::string& description) {
  return {{"required", required},
          {"description", description},
          {"content", JsonContent(std::move(schema))}};
}
inline Json Reply(const std::string& description, Json schema) {
  return {{"description", description}, {"content", JsonContent(std::move(schema))}};
}

// One operation; Build adds its error responses (names of components/responses).
struct Operation {
  std::string summary;
  std::string tag;
  Json parameters = Json::array();
  Json request_body;  // null: none
  Json responses = Json::object();
  bool is_public = false;
};

inline Json Build(Operation op, std::initializer_list<const char*> errors) {
  Json out = {{"summary", op.summary}, {"tags", Json::array({op.tag})}};
  if (!op.parameters.empty()) out["parameters"] = std::move(op.parameters);
  if (!op.request_body.is_null()) out["requestBody"] = std::move(op.request_body);
  for (const char* e : errors) {
    const std::string name = e;
    const std::string status = name == "BadRequest"        ? "400"
                               : name == "Unauthorized"    ? "401"
                               : name == "Forbidden"       ? "403"
                               : name == "NotFound"        ? "404"
                               : name == "Conflict"        ? "409"
                               : name == "PayloadTooLarge" ? "413"
                               : name == "RateLimited"     ? "429"
                                                           : "503";
    op.responses[status] = ResponseRef(name);
  }
  out["responses"] = std::move(op.responses);
  if (op.is_public) out["security"] = Json::array();
  return out;
}

// A new operation (a token route unless is_public is set).
inline Operation Token(std::string summary, std::string tag) {
  Operation op;
  op.summary = std::move(summary);
  op.tag = std::move(tag);
  return op;
}

// The parts of the document.
Json Schemas();    // components/schemas
Json Responses();  // components/responses: the error responses
Json Paths();      // paths: every route

// Rule rollouts (openapi_rollouts.cc).
void AddRolloutSchemas(Json* schemas);
void AddRolloutPaths(Json* paths);
void AddSessionSchemas(Json* schemas);  // openapi_session.cc
void AddSessionPaths(Json* paths);

// The console's files at / and /assets/ (openapi_console.cc).
void AddConsolePaths(Json* paths);

// What the console reads besides the alert routes: the action log, bulk
// actions, the overview (openapi_console_api.cc).
void AddConsoleApiSchemas(Json* schemas);
void AddConsoleApiPaths(Json* paths);

}  // namespace vigil::openapi
