// The `google_workspace` provider: syncs a Google Workspace customer live over
// the Admin SDK (providers/google_client.h) with a service account acting as
// an administrator, parsed with providers/google_parse.h into the same
// records as every provider.
//
// Fetch reads, on three threads (requests in flight capped by the client's
// limiters), each paged by pageToken:
//   users                 GET {api_url}/admin/directory/v1/users?customer=C&projection=full&maxResults=500
//   roles                 GET {api_url}/admin/directory/v1/customer/C/roles?maxResults=100
//   roleAssignments       GET {api_url}/admin/directory/v1/customer/C/roleassignments?maxResults=200
//   licenseAssignments/P  GET {licensing_url}/apps/licensing/v1/product/P/users?customerId=L&maxResults=1000
//                         for each product P of options.products, in order
// where C is options.customer_id or "my_customer", and L is options.customer_id
// or the administrator's email domain (the License Manager takes the customer
// id or its primary domain, never "my_customer"). The licenses are joined to
// the users with ApplyGoogleLicenses.
//
// Availability of every kind:
//  - users give kUser, kRegistration (isEnrolledIn2Sv, isEnforcedIn2Sv) and
//    kSignIn (lastLoginTime); roles and role assignments give kRole; the
//    license assignments give kSku.
//  - A 403 that is not a rate limit on an endpoint makes its kinds not
//    available with the reason and the scope it needs, e.g.
//      "roles: permission missing: 403 forbidden: Not Authorized to access this
//       resource/api: needs scope https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly"
//    and the rest of the sync goes on. Without licenses the users carry no
//    sku_ids.
//  - kPolicy, kSetting and kGroup are never available: "Google Workspace has no
//    conditional access policies", "... no security defaults", "... no groups synced".
//  - Anything else (malformed or wrongly typed JSON, retries exhausted, a
//    paging loop, the token refused) fails the Fetch with the endpoint's
//    message, e.g. "GET /admin/directory/v1/users page 2: users[0].suspended: expected boolean".
//
// Not thread-safe (Fetch runs its own threads); one instance per thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/http_client.h"
#include "providers/google_client.h"
#include "providers/provider.h"

namespace vigil {

inline constexpr const char* kDefaultGoogleProduct = "Google-Apps";

struct GoogleWorkspaceOptions {
  GoogleCredentials credentials;
  GoogleClientOptions google;  // URLs, retries, caps
  HttpClientOptions http;      // for the libcurl client made when none is given
  std::string customer_id;     // "": my_customer (and the admin's domain for licenses)
  std::vector<std::string> products = {kDefaultGoogleProduct};  // License Manager product ids
  int users_page_size = 500;                                     // maxResults of users.list
};

// The request URLs above, for `vigil source test` (pipeline/source_check.h).
std::string GoogleUsersUrl(const GoogleWorkspaceOptions& options, int page_size);
std::string GoogleRolesUrl(const GoogleWorkspaceOptions& options, int page_size);
std::string GoogleRoleAssignmentsUrl(const GoogleWorkspaceOptions& options, int page_size);
std::string GoogleLicensesUrl(const GoogleWorkspaceOptions& options, const std::string& product,
                              int page_size);

// InvalidArgument naming the problem for bad options (GoogleClient::Create,
// users_page_size outside 1..500, no product, a product that is not one URL
// path segment); the libcurl client's error when `http` is null and it cannot
// be made.
Result<std::unique_ptr<Provider>> NewGoogleWorkspaceProvider(
    GoogleWorkspaceOptions options, std::shared_ptr<HttpClient> http = nullptr);

}  // namespace vigil
