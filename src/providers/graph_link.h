// The links Microsoft Graph hands back (@odata.nextLink, @odata.deltaLink)
// and where they may lead. OData allows a link to be a relative URL, so a
// link is resolved as a URI reference (RFC 3986 section 5) against the URL
// of the request whose answer carried it; the Graph client then follows it
// only when it stays at the origin (scheme, host, port) of its Graph URL.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// The origin of an absolute http(s) URL, normalised so that equal origins
// compare equal: scheme and host in lower case, the port only when it is
// not the scheme's default, e.g.
//   "https://GRAPH.microsoft.com:443/v1.0/users" -> "https://graph.microsoft.com"
//   "http://127.0.0.1:8080/v1.0"                 -> "http://127.0.0.1:8080"
// nullopt when `url` is not http(s), has no host, a port that is not a
// number, or user information ("https://user@host/"): Graph's links never
// carry one, and "https://graph.microsoft.com@elsewhere/" must not pass for
// Graph.
std::optional<std::string> UrlOrigin(std::string_view url);

// `reference` resolved against the absolute URL `base` (RFC 3986 section
// 5.2.2, dot segments removed), with its scheme in lower case and without a
// fragment (never sent), e.g. with
// base "https://graph.microsoft.com/v1.0/users?$top=5":
//   "/v1.0/users?$skiptoken=X"  -> "https://graph.microsoft.com/v1.0/users?$skiptoken=X"
//   "users?$skiptoken=X"        -> "https://graph.microsoft.com/v1.0/users?$skiptoken=X"
//   "?$skiptoken=X"             -> "https://graph.microsoft.com/v1.0/users?$skiptoken=X"
//   "//elsewhere.example/x"     -> "https://elsewhere.example/x"
//   "https://graph.microsoft.com/v1.0/x" stays as it is.
// A `base` without a scheme gives the reference back unchanged (the caller
// checks the result's origin).
std::string ResolveUrlReference(std::string_view base, std::string_view reference);

}  // namespace vigil
