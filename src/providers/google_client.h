// GoogleClient: the Google Workspace Admin SDK (Directory API, Enterprise
// License Manager) over an HttpClient, for one service account acting as one
// administrator (one data source): the access token, paging, throttling,
// retries and the caps on requests in flight. Modelled on GraphClient
// (providers/graph_client.h); the backoff is the same (providers/http_retry.h).
//
// Token: the OAuth jwt-bearer grant with domain-wide delegation. POST
// token_url (the key file's token_uri unless options say otherwise) with the
// form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and
// assertion=<JWT> (providers/google_jwt.h: iss the service account, sub the
// administrator, aud token_url, the read-only scopes). The token is cached and
// shared by every thread until min(5 min, 10% of its lifetime) before it
// expires (by options.clock); a 401 drops it and the request is sent once more
// with a fresh one. A refusal (4xx) of the token endpoint is PermissionDenied
// naming the service account, the administrator and Google's error and
// error_description, e.g.
//   service account sync@p.iam.gserviceaccount.com as admin@example.com: cannot get an
//   access token: HTTP 401 unauthorized_client: Client is unauthorized to retrieve access
//   tokens using this method...: domain-wide delegation is not granted: authorize client id
//   1234 for the scopes ... in the Admin console (Security, API controls, Domain-wide delegation)
// The private key never appears in a message or log.
//
// Every request (token or API):
//  - Retried: 429, 5xx, Unavailable from the HttpClient (no answer), and a
//    403 whose reason (GoogleError::code) is a rate limit
//    (IsGoogleRateLimit: userRateLimitExceeded, rateLimitExceeded,
//    quotaExceeded, RATE_LIMIT_EXCEEDED, RESOURCE_EXHAUSTED). The wait is
//    Retry-After seconds when present (at most max_retry_after_ms),
//    otherwise exponential backoff with full jitter. After max_attempts:
//    Unavailable "GET /admin/directory/v1/users: HTTP 503 after 6 attempts: backendError: ..."
//  - Not retried: any other 403 (and a 401 a fresh token did not cure) is
//    PermissionDenied, 404 NotFound, other 4xx InvalidArgument, all as
//      "GET /admin/directory/v1/customer/my_customer/roles: HTTP 403 forbidden: Not Authorized..."
//  Messages name the method and the URL's path without scheme, host or
//  query (page tokens). Waiting goes through options.sleep.
//  - While on the wire a request holds one slot of this client's limiter
//    (max_concurrent_requests) and one of options.global_limiter (default:
//    GlobalGoogleRequestLimiter, kDefaultGlobalGoogleRequests).
//
// Thread-safe. The HttpClient is not owned and must outlive the client.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "providers/google_jwt.h"
#include "providers/graph_client.h"
#include "providers/http_retry.h"
#include "providers/request_limiter.h"
#include "providers/token_cache.h"

namespace vigil {

struct GoogleCredentials {
  ServiceAccountKey key;    // its private key never in a message or a log
  std::string admin_email;  // the administrator the service account acts as ("sub")
};

struct GoogleClientOptions {
  std::string token_url;  // "": the key's token_uri
  std::string api_url = "https://admin.googleapis.com";
  std::string licensing_url = "https://licensing.googleapis.com";
  std::string scope;  // "": GoogleReadOnlyScopes()
  int max_attempts = 6;
  int64_t initial_backoff_ms = 1000;
  int64_t max_backoff_ms = 32000;
  int64_t max_retry_after_ms = 120000;
  int max_pages = 10000;
  int max_concurrent_requests = 4;
  RequestLimiter* global_limiter = nullptr;  // null: GlobalGoogleRequestLimiter()
  const Clock* clock = nullptr;              // null: the system clock
  std::function<void(int64_t ms)> sleep;     // null: sleeps the calling thread
  uint64_t jitter_seed = 0;                  // 0: a random seed
};

// What Google answered with: code is the reason (error.errors[0].reason, an
// ErrorInfo reason of error.details, or error.status; a rate-limit reason
// wins over the others) or the OAuth "error"; message its first line.
using GoogleError = GraphError;

// Whether `error` is Google throttling (retried, never "permission missing").
bool IsGoogleRateLimit(const GoogleError& error);

// One page of a paged GET.
struct GooglePage {
  int number = 0;    // 1-based
  std::string name;  // "GET /admin/directory/v1/users page 3": the page name for google_parse.h
  const simdjson::padded_string* body = nullptr;
};
// Parses a page and gives its "nextPageToken" ("" on the last page).
using GooglePageFn = std::function<Status(const GooglePage& page, std::string* next_page_token)>;

inline constexpr int kDefaultGlobalGoogleRequests = 16;
// Shared by every GoogleClient of the process unless told otherwise.
RequestLimiter* GlobalGoogleRequestLimiter();

class GoogleClient {
 public:
  // InvalidArgument when the admin email has no '@', the key has no client
  // email, a URL is not http(s), or max_attempts, max_pages or
  // max_concurrent_requests is below 1.
  static Result<std::unique_ptr<GoogleClient>> Create(GoogleCredentials credentials,
                                                      GoogleClientOptions options,
                                                      HttpClient* http);

  Result<std::string> AccessToken();  // the cached one, or a new one

  // One GET of an absolute URL with the token and the retries above; on an
  // HTTP error `*error` (when given) receives Google's error.
  Result<HttpResponse> Get(const std::string& url, GoogleError* error = nullptr);

  // A paged GET of `url` (absolute, with a query): on_page for each page in
  // order, the next asked with pageToken=<nextPageToken> added to `url`. An
  // error of on_page is returned as it is. InvalidArgument when a token
  // repeats ("GET /admin/directory/v1/users page 3: nextPageToken repeats an
  // earlier page (a paging loop)") or there are more than max_pages pages
  // ("GET /admin/directory/v1/users: more than 200 pages").
  Status GetPages(const std::string& url, const GooglePageFn& on_page,
                  GoogleError* error = nullptr);

  const GoogleCredentials& credentials() const { return credentials_; }
  const GoogleClientOptions& options() const { return options_; }  // URLs resolved
  const RequestLimiter& source_limiter() const { return source_limiter_; }

 private:
  GoogleClient(GoogleCredentials credentials, GoogleClientOptions options, HttpClient* http);

  Result<HttpResponse> Exchange(HttpRequest request, bool api, GoogleError* error);
  Result<HttpResponse> SendLimited(const HttpRequest& request);
  Result<IssuedToken> FetchToken(TimeMs asked_at);  // through tokens_
  Status TokenRefused(const GoogleError& error) const;
  void Sleep(int64_t ms);

  const GoogleCredentials credentials_;
  const GoogleClientOptions options_;
  HttpClient* const http_;
  RequestLimiter source_limiter_;
  RequestLimiter* const global_limiter_;
  std::unique_ptr<Clock> system_clock_;
  const Clock* const clock_;
  JitterBackoff backoff_;
  TokenCache tokens_;
};

}  // namespace vigil
