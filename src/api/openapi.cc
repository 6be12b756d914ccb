#include "api/openapi.h"

#include <string>

#include "api/openapi_parts.h"

namespace vigil {
namespace {

using openapi::Json;

std::string BuildDocument() {
  Json doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {
      {"title", "vigil API"},
      {"version", "1"},
      {"description",
       "vigil's HTTP API. Errors are JSON {\"error\": {\"code\", \"message\"}} with a stable "
       "code. A tenant token sees only its tenant: another tenant's objects answer exactly as "
       "missing ones (404). Lists answer {\"items\": [...]} (cursor-paged ones also "
       "\"next_cursor\", the delivery log \"next_before\"); times are ISO 8601 UTC; ids are "
       "numbers except job and trace ids."}};
  doc["servers"] = Json::array({{{"url", "/"}}});
  doc["security"] = Json::array({{{"bearerAuth", Json::array()}}});
  doc["paths"] = openapi::Paths();
  doc["components"] = {
      {"securitySchemes",
       {{"bearerAuth",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"description", "vigil_<64 hex>, from `vigil token create`; shown once"}}}}},
      {"schemas", openapi::Schemas()},
      {"responses", openapi::Responses()}};
  return doc.dump(2);
}

}  // namespace

std::string_view OpenApiDocument() {
  static const std::string document = BuildDocument();
  return document;
}

}  // namespace vigil
