// GraphClient: Microsoft Graph over an HttpClient, for one app registration
// in one tenant (one data source): the access token, paging, throttling,
// retries and the caps on requests in flight.
//
// Token: OAuth2 client credentials. POST
// {authority_url}/{tenant_id}/oauth2/v2.0/token with the form client_id,
// client_secret, scope and grant_type=client_credentials. The scope is the
// origin of graph_url + "/.default" (GraphScope): each national cloud's
// Graph is its own resource (https://graph.microsoft.us/.default for
// https://graph.microsoft.us/v1.0; providers/graph_cloud.h lists them). The token is cached and
// shared by every thread until min(5 min, 10% of its lifetime) before it expires (by
// options.clock); a 401 from Graph drops it, and the request is sent once more
// with a fresh one. A refusal of the token endpoint is PermissionDenied:
//   tenant T: cannot get an access token: HTTP 401 invalid_client: AADSTS7000215: ...
// naming the tenant and the identity platform's error code and the first line
// of its description. The client secret never appears in a message or log.
//
// Every request (token or Graph):
//  - 429 and 503 wait Retry-After seconds (at most max_retry_after_ms) when
//    the header is present; otherwise, and for every other 5xx and for
//    Unavailable from the HttpClient (no connection, timeout, broken body),
//    exponential backoff with full jitter: a uniform wait in
//    [0, min(max_backoff_ms, initial_backoff_ms * 2^(attempt-1))].
//  - After max_attempts attempts: Unavailable,
//      "GET /v1.0/users: HTTP 503 after 6 attempts: serviceNotAvailable: ..."
//      "GET /v1.0/users: no response after 6 attempts: GET http://...: timed out ..."
//  - Other answers are not retried: 403 (and a 401 that a fresh token did
//    not cure) -> PermissionDenied, 404 -> NotFound, 410 -> FailedPrecondition
//    ("GET /v1.0/users/delta: delta link rejected: HTTP 410 resyncRequired: ..."),
//    other 4xx and unexpected statuses -> InvalidArgument, all as
//      "GET /v1.0/subscribedSkus: HTTP 403 Authorization_RequestDenied: ..."
//    An error of the HttpClient other than Unavailable (a body above its
//    limit) is returned as it is.
//  Messages name the method and the URL's path without scheme, host or
//  query (DescribeGraphRequest): queries carry skip and delta tokens.
//  Waiting goes through options.sleep, so tests do not wait.
//  - While on the wire, a request holds one slot of this client's limiter
//    (max_concurrent_requests) and one of options.global_limiter (default:
//    the process-wide GlobalGraphRequestLimiter). No slot is held while
//    waiting to retry or while the token is fetched for a Graph request.
//
// Thread-safe: one GraphClient may serve several threads (one per endpoint).
// The HttpClient is not owned and must outlive the client.
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
#include "providers/http_retry.h"
#include "providers/request_limiter.h"
#include "providers/token_cache.h"

namespace vigil {

// An app registration in a tenant.
struct GraphCredentials {
  std::string tenant_id;      // directory id (GUID) or a verified domain
  std::string client_id;      // application (client) id
  std::string client_secret;  // never in a message or a log
};

struct GraphClientOptions {
  std::string authority_url = "https://login.microsoftonline.com";
  std::string graph_url = "https://graph.microsoft.com/v1.0";
  int max_attempts = 6;                 // per request, the first one included
  int64_t initial_backoff_ms = 1000;    // backoff of the first retry (before jitter)
  int64_t max_backoff_ms = 32000;       // backoff never above this
  int64_t max_retry_after_ms = 120000;  // a longer Retry-After waits this long
  int max_pages = 10000;                // a longer paging sequence fails
  int max_concurrent_requests = 4;      // this client's requests in flight at once
  // Not owned; must outlive the client. Null: GlobalGraphRequestLimiter().
  RequestLimiter* global_limiter = nullptr;
  // Not owned; must outlive the client. Token expiry; null: the system clock.
  const Clock* clock = nullptr;
  // How a retry waits; called from any thread. Null: sleeps the calling thread.
  std::function<void(int64_t ms)> sleep;
  uint64_t jitter_seed = 0;  // 0: a random seed
};

// The error Graph (or the token endpoint) answered with.
struct GraphError {
  int http_status = 0;
  std::string code;     // "Authorization_RequestDenied", "invalid_client", ... ("" if none)
  std::string message;  // Graph's message (first line, at most 300 bytes)

  // "Authorization_RequestDenied: Insufficient privileges ..." (the parts present).
  std::string Detail() const;
  // "403 Authorization_RequestDenied: Insufficient privileges ...".
  std::string Summary() const;
};

// One page of a paged GET, handed to the page callback.
struct GraphPage {
  int number = 0;    // 1-based
  std::string name;  // "GET /v1.0/users page 3": the file name for graph_parse.h
  const simdjson::padded_string* body = nullptr;
};
using GraphPageFn = std::function<Status(const GraphPage& page)>;

class GraphClient {
 public:
  // InvalidArgument when a credential is empty, the tenant id has characters
  // other than letters, digits, '.', '-' and '_', a URL is not http(s) (the
  // Graph URL with a host: providers/graph_link.h UrlOrigin), or
  // max_attempts, max_pages or max_concurrent_requests is below 1.
  static Result<std::unique_ptr<GraphClient>> Create(GraphCredentials credentials,
                                                     GraphClientOptions options, HttpClient* http);

  // The cached access token, or a new one.
  Result<std::string> AccessToken();

  // One GET of `url` (absolute, or a path such as "/users?$top=5" below
  // graph_url) with the token, retries and caps above. On an HTTP error
  // status, `*error` (when given) receives Graph's error.
  Result<HttpResponse> Get(const std::string& url, GraphError* error = nullptr);

  // A paged GET of `url` (absolute, such as a stored delta link, which must
  // be at graph_url's origin like any link; or a path below graph_url):
  // calls on_page for each page in order, following
  // "@odata.nextLink", and returns the last page's "@odata.deltaLink" ("" when
  // none), each resolved with FollowLink against the URL of the page that
  // carried it (so the delta link returned is absolute). An error of on_page
  // stops the paging and is returned as it is. InvalidArgument naming the
  // page when a body is not a JSON object, a link is not a string or leads
  // to another origin (FollowLink's message), when a nextLink repeats an
  // earlier URL
  //   "GET /v1.0/users page 3: @odata.nextLink repeats an earlier page (a paging loop)"
  // or when there are more than max_pages pages
  //   "GET /v1.0/users: more than 200 pages"
  Result<std::string> GetPages(const std::string& url, const GraphPageFn& on_page,
                               GraphError* error = nullptr);

  // A link that the answer to `request_url` carried, as the client follows
  // it: resolved against request_url as a URI reference (OData allows
  // relative links: "/v1.0/users?$skiptoken=..", "users?$skiptoken=.."),
  // then accepted only at graph_url's origin (scheme, host and port).
  // Otherwise InvalidArgument "<what> leads to <origin>, outside <Graph's
  // origin>", e.g.
  //   "GET /v1.0/users page 1: @odata.nextLink leads to https://elsewhere.example, outside
  //   https://graph.microsoft.com"
  // ("<what> leads outside <Graph's origin>" when the link has no http(s)
  // origin at all). Never names the link's path or query (tokens).
  Result<std::string> FollowLink(const std::string& request_url, const std::string& link,
                                 const std::string& what) const;

  // graph_url + path_and_query.
  std::string GraphUrl(std::string_view path_and_query) const;
  // The scope tokens are asked for: GraphScope(graph_url).
  const std::string& scope() const { return scope_; }
  const GraphCredentials& credentials() const { return credentials_; }
  // This client's cap (for observation in tests and metrics).
  const RequestLimiter& source_limiter() const { return source_limiter_; }

 private:
  GraphClient(GraphCredentials credentials, GraphClientOptions options, HttpClient* http);

  // Sends with retries; `graph` adds the bearer token and the 401 refresh.
  Result<HttpResponse> Exchange(HttpRequest request, bool graph, GraphError* error);
  Result<HttpResponse> SendLimited(const HttpRequest& request);
  Result<IssuedToken> FetchToken(TimeMs asked_at);  // through tokens_
  int64_t Backoff(int attempt);
  void Sleep(int64_t ms);

  const GraphCredentials credentials_;
  const GraphClientOptions options_;
  HttpClient* const http_;
  const std::string graph_origin_;  // "https://graph.microsoft.com": where links may lead
  const std::string scope_;         // "https://graph.microsoft.com/.default"
  RequestLimiter source_limiter_;
  RequestLimiter* const global_limiter_;
  std::unique_ptr<Clock> system_clock_;  // when options_.clock is null
  const Clock* const clock_;

  TokenCache tokens_;

  JitterBackoff backoff_;
};

// The client-credentials scope of the Graph at `graph_url`: its origin +
// "/.default", e.g. "https://graph.microsoft.us/.default" for
// "https://graph.microsoft.us/v1.0".
std::string GraphScope(const std::string& graph_url);

// "GET /v1.0/users" for a GET of "https://graph.microsoft.com/v1.0/users?$top=5":
// DescribeRequest without scheme and host.
std::string DescribeGraphRequest(const std::string& method, const std::string& url);

}  // namespace vigil
