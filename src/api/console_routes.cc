// The console: the files of web/, embedded at build time (console/assets.h),
// served on the API's own listener. All public: the files hold no data; the
// page calls /api/v1 with the token its user signs in with.
//
//   GET /, GET /index.html   the page. Cache-Control: no-cache (always
//                            revalidated, so an upgrade shows at once).
//   GET /assets/{name}       a file by its hashed name ("app.3f2a91c0.js"):
//                            Cache-Control: public, max-age=31536000,
//                            immutable. By its plain name ("app.js", for a
//                            page loaded before an upgrade): no-cache.
//                            Any other name: 404 not_found, the API's JSON
//                            error.
//
// Every answer has an ETag (quoted; the gzip bytes have their own) and
// Vary: Accept-Encoding. If-None-Match naming the ETag of what would be sent
// answers 304 with no body and the same headers. Accept-Encoding taking
// gzip gets the gzip bytes with Content-Encoding: gzip (files that gzip does
// not make smaller are always sent as they are). HEAD answers as GET without
// the body (the router matches it, the server drops the body). Every answer,
// the 404 included, carries the security headers: a Content-Security-Policy
// allowing nothing but the console's own scripts, styles, images, fonts and
// API calls (no inline script or style, no framing), X-Content-Type-Options:
// nosniff, Referrer-Policy: no-referrer, X-Frame-Options: DENY.
//
// These paths are not under /api/v1, but the OpenAPI document lists them
// like the other public routes (api/openapi_console.cc), so that its
// completeness test holds for every route the listener has.
#include "api/routes.h"
#include "console/assets.h"
#include "console/http_negotiation.h"

namespace vigil {
namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

void AddSecurityHeaders(ApiResponse* response) {
  response->headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response->headers.emplace_back("X-Content-Type-Options", "nosniff");
  response->headers.emplace_back("Referrer-Policy", "no-referrer");
  response->headers.emplace_back("X-Frame-Options", "DENY");
}

ApiResponse ServeAsset(const ApiRequest& request, RouteCall& /*call*/) {
  const ConsoleAssetMatch match = FindConsoleAsset(request.path);
  if (match.asset == nullptr) {
    ApiResponse missing =
        ErrorResponse(404, api_error::kNotFound, "console file " + request.path + " not found");
    AddSecurityHeaders(&missing);
    return missing;
  }
  const ConsoleAsset& asset = *match.asset;
  const bool gzip =
      !asset.gzip.empty() && AcceptsGzip(request.Header("accept-encoding").value_or(""));
  const std::string etag = gzip ? asset.GzipEtag() : std::string(asset.etag);

  ApiResponse response;
  response.content_type = std::string(asset.content_type);
  response.headers.emplace_back("Cache-Control", match.immutable ? kImmutable : kRevalidate);
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back("Vary", "Accept-Encoding");
  AddSecurityHeaders(&response);
  const std::optional<std::string> if_none_match = request.Header("if-none-match");
  if (if_none_match && IfNoneMatchMatches(*if_none_match, {etag})) {
    response.status = 304;
    return response;
  }
  if (gzip) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = std::string(asset.gzip);
  } else {
    response.body = std::string(asset.raw);
  }
  return response;
}

}  // namespace

void AddConsoleRoutes(Router* router) {
  router->Add({"GET", "/", RouteAuth::kPublic, ServeAsset});
  router->Add({"GET", "/index.html", RouteAuth::kPublic, ServeAsset});
  router->Add({"GET", "/assets/{name}", RouteAuth::kPublic, ServeAsset});
}

}  // namespace vigil
