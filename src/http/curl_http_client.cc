// The libcurl backend of HttpClient (contract in http/http_client.h).
//
// Each Send runs one exchange on a libcurl easy handle taken from a small
// pool and given back afterwards. An easy handle keeps its connections open
// between transfers, and the pool hands out the handle returned last, so
// consecutive requests from one thread go over one TCP (and TLS) connection;
// threads sending at once get a handle each.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_client.h"

namespace vigil {
namespace {

// Idle handles kept for reuse (each with its open connections); a handle
// given back when this many are idle is closed.
constexpr size_t kMaxIdleHandles = 16;

Status InitCurlOnce() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Status::Internal(std::string("libcurl could not be initialised: ") +
                            curl_easy_strerror(code));
  }
  return Status::Ok();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What one exchange collects through libcurl's callbacks.
struct Exchange {
  uint64_t max_body_bytes = 0;
  bool head = false;           // a HEAD request: Content-Length announces no body
  bool connected = false;      // a connection was made (or reused) for the request
  bool got_status = false;     // a status line arrived
  bool over_limit = false;     // stopped: the body is (or was announced) above the limit
  std::string last_header;     // the name a folded continuation line belongs to
  HttpResponse response;
};

int OnConnected(void* user, char*, char*, int, int) {
  static_cast<Exchange*>(user)->connected = true;
  return CURL_PREREQFUNC_OK;
}

// One header line (status line and blank line included). Returning anything
// but `size * count` stops the transfer.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response begins (after a "100 Continue", say): only its headers count.
    x->got_status = true;
    x->response.headers.clear();
    x->last_header.clear();
    return bytes;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    const std::string_view more = Trim(line);
    if (!x->last_header.empty() && !more.empty()) {
      x->response.headers[x->last_header] += " " + std::string(more);
    }
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // the blank line, or junk
  std::string name = Lower(Trim(line.substr(0, colon)));
  const std::string_view value = Trim(line.substr(colon + 1));
  if (name.empty()) return bytes;
  std::string& slot = x->response.headers[name];
  if (!slot.empty()) slot += ", ";
  slot += value;
  if (name == "content-length" && !x->head) {
    uint64_t length = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && end == value.data() + value.size()) {
      if (length > x->max_body_bytes) {
        x->over_limit = true;
        return 0;
      }
      x->response.body.reserve(static_cast<size_t>(length));
    }
  }
  x->last_header = std::move(name);
  return bytes;
}

// A piece of the (decoded) body; stops the transfer once the body would pass
// the limit.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (x->response.body.size() + bytes > x->max_body_bytes) {
    x->over_limit = true;
    return 0;
  }
  x->response.body.append(data, bytes);
  return bytes;
}

// `message` with every occurrence of the request's secrets (its query string
// and the value of its Authorization header) replaced: libcurl's texts should
// not carry them, and this makes sure.
std::string Redacted(std::string message, const HttpRequest& request) {
  std::vector<std::string> secrets;
  const size_t query = request.url.find('?');
  if (query != std::string::npos && query + 1 < request.url.size()) {
    secrets.push_back(request.url.substr(query + 1));
  }
  for (const auto& [name, value] : request.headers) {
    if (Lower(name) != "authorization") continue;
    if (!value.empty()) secrets.push_back(value);
    const size_t space = value.find(' ');
    if (space != std::string::npos && space + 1 < value.size()) {
      secrets.push_back(value.substr(space + 1));  // the credential after "Bearer "
    }
  }
  for (const std::string& secret : secrets) {
    for (size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at)) {
      message.replace(at, secret.size(), "[redacted]");
    }
  }
  return message;
}

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// InvalidArgument for what cannot be put on the wire as asked.
Status CheckRequest(const HttpRequest& request, const std::string& what) {
  if (request.method.empty() || request.method.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument(what + ": bad method");
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name.find_first_of(" \t:") != std::string::npos ||
        HasLineBreakOrNul(name)) {
      return Status::InvalidArgument(what + ": bad header name \"" + name + "\"");
    }
    if (HasLineBreakOrNul(value)) {
      return Status::InvalidArgument(what + ": header " + name + " has a line break in its value");
    }
  }
  return Status::Ok();
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpClientOptions& options) : options_(options) {}

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct HandleCloser {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  };
  using Handle = std::unique_ptr<CURL, HandleCloser>;

  struct HeaderListFreer {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  };
  using HeaderList = std::unique_ptr<curl_slist, HeaderListFreer>;

  // The most recently returned idle handle, or a new one (null when libcurl
  // cannot make one).
  Handle Acquire();
  // Clears the handle's options (keeping its connections) and keeps it for
  // the next Send, unless enough are idle already.
  void Release(Handle handle);

  // Sets every option of one exchange on `handle`.
  Status Configure(CURL* handle, const HttpRequest& request, const curl_slist* headers,
                   Exchange* exchange, char* error_buffer) const;

  // The Status of a failed transfer.
  Status Failure(CURLcode code, const char* error_buffer, const Exchange& exchange,
                 const HttpRequest& request, const std::string& what) const;

  const HttpClientOptions options_;
  std::mutex mu_;
  std::vector<Handle> idle_;  // guarded by mu_; the last one is handed out first
};

CurlHttpClient::Handle CurlHttpClient::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      Handle handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return Handle(curl_easy_init());
}

void CurlHttpClient::Release(Handle handle) {
  curl_easy_reset(handle.get());  // drops pointers into this Send's stack
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

Status CurlHttpClient::Configure(CURL* h, const HttpRequest& request, const curl_slist* headers,
                                 Exchange* exchange, char* error_buffer) const {
  CURLcode code = CURLE_OK;
  auto set = [&code](CURLcode c) {
    if (code == CURLE_OK) code = c;
  };
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer));
  set(curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms)));
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms)));
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
  // Offers gzip only: a server compresses with what the client offers, and
  // some (cpp-httplib) spend seconds per megabyte on brotli. libcurl decodes
  // whatever encoding it knows, and a request's own Accept-Encoding header
  // (e.g. "identity") replaces the offer.
  set(curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip"));
  set(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil"));
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers));
  set(curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, OnConnected));
  set(curl_easy_setopt(h, CURLOPT_PREREQDATA, exchange));
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, exchange));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, exchange));
  const std::string& method = request.method;
  if (method == "HEAD") {
    set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
  } else if (method == "POST" || !request.body.empty()) {
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size())));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()));
    if (method != "POST") set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str()));
  } else if (method != "GET") {
    set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str()));
  }
  if (code != CURLE_OK) {
    return Status::Internal(DescribeRequest(request) + ": libcurl refused an option: " +
                            curl_easy_strerror(code));
  }
  return Status::Ok();
}

Status CurlHttpClient::Failure(CURLcode code, const char* error_buffer, const Exchange& exchange,
                               const HttpRequest& request, const std::string& what) const {
  const std::string curl_says =
      Redacted(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code), request);
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(what + ": bad URL: " + curl_says);
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(what + ": could not connect: " + curl_says);
    case CURLE_OPERATION_TIMEDOUT:
      if (!exchange.connected) {
        const int64_t limit = std::min(options_.connect_timeout_ms, options_.timeout_ms);
        return Status::Unavailable(what + ": could not connect: timed out after " +
                                   std::to_string(limit) + " ms");
      }
      return Status::Unavailable(what + ": timed out after " +
                                 std::to_string(options_.timeout_ms) + " ms");
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      if (exchange.got_status) {
        return Status::Unavailable(what + ": connection closed mid-body: " + curl_says);
      }
      return Status::Unavailable(what + ": connection closed before a response: " + curl_says);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return Status::Unavailable(what + ": TLS failed: " + curl_says);
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      return Status::Unavailable(what + ": bad response: " + curl_says);
    default:
      return Status::Unavailable(what + ": " + curl_says);
  }
}

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  const std::string what = DescribeRequest(request);
  VIGIL_RETURN_IF_ERROR(CheckRequest(request, what));

  curl_slist* raw_headers = nullptr;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's spelling of a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* grown = curl_slist_append(raw_headers, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(raw_headers);
      return Status::Internal(what + ": out of memory for the request headers");
    }
    raw_headers = grown;
    if (Lower(name) == "expect") has_expect = true;
  }
  if (!has_expect) {
    // No "Expect: 100-continue" round trip before a large POST body.
    curl_slist* grown = curl_slist_append(raw_headers, "Expect:");
    if (grown == nullptr) {
      curl_slist_free_all(raw_headers);
      return Status::Internal(what + ": out of memory for the request headers");
    }
    raw_headers = grown;
  }
  const HeaderList headers(raw_headers);

  Handle handle = Acquire();
  if (handle == nullptr) return Status::Internal(what + ": libcurl could not make an easy handle");

  Exchange exchange;
  exchange.max_body_bytes = options_.max_body_bytes;
  exchange.head = request.method == "HEAD";
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Status configured = Configure(handle.get(), request, headers.get(), &exchange, error_buffer);
  if (!configured.ok()) {
    Release(std::move(handle));
    return configured;
  }
  const CURLcode code = curl_easy_perform(handle.get());
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &status);
  Release(std::move(handle));

  if (exchange.over_limit) {
    return Status::InvalidArgument(what + ": response body is above the limit of " +
                                   std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (code != CURLE_OK) return Failure(code, error_buffer, exchange, request, what);
  exchange.response.status = static_cast<int>(status);
  return std::move(exchange.response);
}

}  // namespace

Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(const HttpClientOptions& options) {
  if (options.connect_timeout_ms <= 0) {
    return Status::InvalidArgument("http client: connect_timeout_ms must be above 0, not " +
                                   std::to_string(options.connect_timeout_ms));
  }
  if (options.timeout_ms <= 0) {
    return Status::InvalidArgument("http client: timeout_ms must be above 0, not " +
                                   std::to_string(options.timeout_ms));
  }
  VIGIL_RETURN_IF_ERROR(InitCurlOnce());
  return std::unique_ptr<HttpClient>(std::make_unique<CurlHttpClient>(options));
}

}  // namespace vigil
