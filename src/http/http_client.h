// HttpClient: the seam through which vigil talks HTTP to other services
// (Microsoft Graph and its token endpoint). One request in, one response out;
// retries, throttling and paging are the caller's business
// (providers/graph_client.h), so they can be tested against a fake.
//
// Contract of Send:
//  - Returns the response for any HTTP status the server sent (a 429 or a
//    500 is a Response, not an error).
//  - Returns Unavailable when no response arrived: the host could not be
//    resolved or connected to within connect_timeout_ms, the whole exchange
//    took longer than timeout_ms, or the connection broke mid-body. The
//    message names the method and URL (without its query string) and what
//    happened, e.g.
//      "GET http://127.0.0.1:4321/v1.0/users: timed out after 5000 ms"
//  - Returns InvalidArgument when the body is larger than max_body_bytes
//    ("GET ...: response body is above the limit of 67108864 bytes"); the
//    transfer is stopped as soon as the limit is passed, so a 1 GB body costs
//    at most the limit in memory.
//  - Header names in Response::headers are lower case.
//
// Thread safety: an HttpClient may be used by several threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, ...
  std::string url;             // absolute: scheme, host, port, path and query
  std::map<std::string, std::string> headers;
  std::string body;  // sent as is (with POST); empty for GET
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 5000;
  int64_t timeout_ms = 60000;                     // the whole exchange
  uint64_t max_body_bytes = uint64_t{256} << 20;  // 256 MiB
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// The libcurl backend (http/curl_http_client.cc).
// InvalidArgument when a timeout of `options` is not above 0. Follows no
// redirect (a 302 is a Response); offers gzip and decodes it (a request's
// own Accept-Encoding header replaces the offer); refuses a body whose
// Content-Length is above max_body_bytes before reading it. A request URL
// that is not http:// or https://, or a header with a line break, is
// InvalidArgument. Connections are kept open and reused: consecutive requests
// from one thread to one host go over one connection.
Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(const HttpClientOptions& options = {});

// "GET http://host:port/path" of a request, without the query string: how
// messages name a request (queries may carry tokens).
std::string DescribeRequest(const HttpRequest& request);

// An application/x-www-form-urlencoded body ("a=1&b=x%20y") of `fields`, in
// their order: letters, digits and "-._~" as they are, every other byte of
// names and values as %XX (a space too, not "+").
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace vigil
