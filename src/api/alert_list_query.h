// The parameters of GET /api/v1/alerts, read into an AlertPageQuery
// (alerts/alert_page.h):
//   tenant        a tenant's name; a tenant token may name only its own (404
//                 otherwise, as for a missing one) and sees only its own
//                 without it
//   type          an alert type, or a glob over them ("mfa.*", "*.stale_*";
//                 `*` any run, `?` one character) that matches at least one
//   state         open (default), resolved, all
//   severity      a severity, or a comma list of them ("high,critical")
//   flapping, snoozed, acknowledged
//                 true or false (snoozed: snoozed_until after now)
//   q             a case-insensitive substring of subject_name or subject, at
//                 most 200 characters ("" filters nothing)
//   limit         page size, 1 to ApiLimits::max_page_size
//   cursor        the next_cursor of the previous page
//   format        json (default) or csv; without it, "Accept: text/csv" asks
//                 for CSV
// A value that is not accepted answers 400 bad_request naming the parameter,
// the value and what is accepted.
//
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "alerts/alert_page.h"
#include "api/api_types.h"
#include "api/router.h"

namespace vigil {

// Most characters (UTF-8 code points) of ?q=.
inline constexpr size_t kMaxSearchChars = 200;

struct AlertListRequest {
  AlertPageQuery query;  // limit and after_id from ?limit= and ?cursor=
  bool csv = false;      // ?format=csv, or Accept: text/csv
};

// Reads `request`'s parameters into *out; otherwise the response to give
// (400, or the 404 of a tenant the caller may not see).
std::optional<ApiResponse> ParseAlertListRequest(const ApiRequest& request, const RouteCall& call,
                                                 AlertListRequest* out);

// next_cursor: base64url of "alerts:<last id>". Opaque to clients.
std::string EncodeAlertCursor(int64_t after_id);

}  // namespace vigil
