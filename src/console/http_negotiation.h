// The two request headers the console's files are negotiated with, read as
// HTTP (RFC 9110) says. Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace vigil {

// Whether a client sending `Accept-Encoding: <accept_encoding>` takes gzip:
// "gzip" (or "x-gzip") with a weight above 0, or, when gzip is not named,
// "*" with a weight above 0. Names are case-insensitive; "gzip;q=0" refuses
// it. An empty or absent header takes no encoding but identity here.
bool AcceptsGzip(std::string_view accept_encoding);

// Whether `If-None-Match: <if_none_match>` matches any of `etags` (each
// quoted, "\"abc\""): "*" matches anything; otherwise the header's entity
// tags, weak ones ("W/\"abc\"") included, are compared by their quoted text
// (the weak comparison RFC 9110 asks of If-None-Match). A malformed header
// matches nothing.
bool IfNoneMatchMatches(std::string_view if_none_match, const std::vector<std::string_view>& etags);

}  // namespace vigil
