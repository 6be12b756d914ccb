// The OpenAPI description of the console's files (api/console_routes.cc):
// not part of /api/v1, but served on the same listener, so listed with the
// other public routes.
#include "api/openapi_parts.h"

namespace vigil::openapi {
namespace {

Json Header(const std::string& description) {
  return {{"description", description}, {"schema", String()}};
}

// The headers every console answer has.
Json ConsoleHeaders(const std::string& cache_control) {
  return {{"Cache-Control", Header(cache_control)},
          {"ETag", Header("quoted; the gzip bytes have their own")},
          {"Vary", Header("Accept-Encoding")},
          {"Content-Security-Policy",
           Header("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                  "data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action "
                  "'self'; frame-ancestors 'none'")}};
}

Json ConsoleOperation(const std::string& summary, const std::string& content_type,
                      const std::string& cache_control, Json parameters) {
  Operation op = Token(summary, "console");
  op.is_public = true;
  const bool parameters_empty = parameters.empty();
  op.parameters = std::move(parameters);
  op.parameters.push_back(HeaderParam("If-None-Match", false,
                                      "an ETag from an earlier answer: 304 when it still holds"));
  op.parameters.push_back(
      HeaderParam("Accept-Encoding", false, "gzip: the compressed bytes, Content-Encoding: gzip"));
  op.responses["200"] = {{"description", "the file"},
                         {"headers", ConsoleHeaders(cache_control)},
                         {"content", {{content_type, {{"schema", String()}}}}}};
  op.responses["304"] = {{"description", "not modified: the ETag given still holds; no body"},
                         {"headers", ConsoleHeaders(cache_control)}};
  if (parameters_empty) return Build(op, {});  // the page is always there
  return Build(op, {"NotFound"});
}

}  // namespace

void AddConsolePaths(Json* paths) {
  Json& p = *paths;
  p["/"]["get"] =
      ConsoleOperation("The console's page (index.html)", "text/html", "no-cache", Json::array());
  p["/index.html"]["get"] =
      ConsoleOperation("The console's page, as at /", "text/html", "no-cache", Json::array());
  p["/assets/{name}"]["get"] = ConsoleOperation(
      "A file of the console: by its content-hashed name (app.3f2a91c0.js), cached for good; "
      "by its plain name (app.js), revalidated",
      "*/*", "public, max-age=31536000, immutable (hashed name); no-cache (plain name)",
      Json::array({PathParam("name", "the file's hashed or plain name", String())}));
}

}  // namespace vigil::openapi
