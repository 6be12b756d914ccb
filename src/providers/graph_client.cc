#include "providers/graph_client.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>

#include "providers/graph_link.h"
#include "providers/http_retry.h"

namespace vigil {
namespace {

// Error bodies above this are not read for Graph's code and message.
constexpr size_t kMaxErrorBodyBytes = 64 << 10;
// Parse buffers above this are not kept by the link reader's thread.
constexpr size_t kRetainedLinkParserCapacity = size_t{4} << 20;

bool IsHttpUrl(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string StripTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Graph's {"error":{"code","message"}} or the identity platform's
// {"error":"...","error_description":"..."}; empty fields when the body is
// neither.
GraphError ReadError(const HttpResponse& response) {
  GraphError error;
  error.http_status = response.status;
  if (response.body.size() > kMaxErrorBodyBytes) return error;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return error;
  auto it = body.find("error");
  if (it == body.end()) return error;
  if (it->is_object()) {
    auto code = it->find("code");
    if (code != it->end() && code->is_string()) error.code = code->get<std::string>();
    auto message = it->find("message");
    if (message != it->end() && message->is_string()) {
      error.message = FirstErrorLine(message->get<std::string>());
    }
  } else if (it->is_string()) {
    error.code = it->get<std::string>();
    auto description = body.find("error_description");
    if (description != body.end() && description->is_string()) {
      error.message = FirstErrorLine(description->get<std::string>());
    }
  }
  return error;
}

// "<head>: <detail>", or just head when Graph said nothing.
std::string WithDetail(std::string head, const GraphError& error) {
  const std::string detail = error.Detail();
  if (!detail.empty()) {
    head.append(": ");
    head.append(detail);
  }
  return head;
}

struct PageLinks {
  std::string next;
  std::string delta;
};

// The top-level "@odata.nextLink" and "@odata.deltaLink" of a page (null or
// missing = none), skipping everything else.
Status ReadLinks(const std::string& page_name, const simdjson::padded_string& body,
                 PageLinks* links) {
  namespace od = simdjson::ondemand;
  thread_local od::parser parser;
  auto malformed = [&](simdjson::error_code e) {
    return Status::InvalidArgument(page_name + ": malformed JSON: " + simdjson::error_message(e));
  };
  Status status = [&]() -> Status {
    od::document doc;
    if (auto e = parser.iterate(body).get(doc); e) return malformed(e);
    od::object root;
    if (auto e = doc.get_object().get(root); e) {
      if (e != simdjson::INCORRECT_TYPE) return malformed(e);
      return Status::InvalidArgument(page_name + ": expected a JSON object");
    }
    for (auto member : root) {
      od::field field;
      if (auto e = std::move(member).get(field); e) return malformed(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e) return malformed(e);
      std::string* target = key == "@odata.nextLink"    ? &links->next
                            : key == "@odata.deltaLink" ? &links->delta
                                                        : nullptr;
      if (target == nullptr) continue;
      od::value value = field.value();
      bool is_null = false;
      if (auto e = value.is_null().get(is_null); e) return malformed(e);
      if (is_null) continue;
      std::string_view link;
      if (value.get_string().get(link)) {
        return Status::InvalidArgument(page_name + ": \"" + std::string(key) +
                                       "\" must be a string");
      }
      target->assign(link);
    }
    return Status::Ok();
  }();
  if (parser.capacity() > kRetainedLinkParserCapacity) parser = od::parser();
  return status;
}

void SleepThread(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

std::string GraphError::Detail() const {
  if (code.empty()) return message;
  if (message.empty()) return code;
  return code + ": " + message;
}

std::string GraphError::Summary() const {
  const std::string detail = Detail();
  return detail.empty() ? std::to_string(http_status) : std::to_string(http_status) + " " + detail;
}

std::string GraphScope(const std::string& graph_url) {
  return UrlOrigin(graph_url).value_or(graph_url) + "/.default";
}

std::string DescribeGraphRequest(const std::string& method, const std::string& url) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  std::string text = DescribeRequest(request);  // "GET http://host:port/path"
  const size_t scheme = text.find("://");
  if (scheme == std::string::npos) return text;
  const size_t path = text.find('/', scheme + 3);
  const std::string rest = path == std::string::npos ? "/" : text.substr(path);
  return method + " " + rest;
}

Result<std::unique_ptr<GraphClient>> GraphClient::Create(GraphCredentials credentials,
                                                         GraphClientOptions options,
                                                         HttpClient* http) {
  if (credentials.tenant_id.empty()) return Status::InvalidArgument("Graph: tenant id is empty");
  for (char c : credentials.tenant_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument("Graph: tenant id \"" + credentials.tenant_id +
                                     "\" may hold only letters, digits, '.', '-' and '_'");
    }
  }
  if (credentials.client_id.empty()) return Status::InvalidArgument("Graph: client id is empty");
  if (credentials.client_secret.empty()) {
    return Status::InvalidArgument("Graph: client secret is empty");
  }
  options.authority_url = StripTrailingSlashes(std::move(options.authority_url));
  options.graph_url = StripTrailingSlashes(std::move(options.graph_url));
  if (!IsHttpUrl(options.authority_url)) {
    return Status::InvalidArgument("Graph: authority URL \"" + options.authority_url +
                                   "\" is not http(s)");
  }
  if (!IsHttpUrl(options.graph_url)) {
    return Status::InvalidArgument("Graph: Graph URL \"" + options.graph_url + "\" is not http(s)");
  }
  if (!UrlOrigin(options.graph_url)) {
    return Status::InvalidArgument("Graph: Graph URL \"" + options.graph_url +
                                   "\" has no valid host and port");
  }
  if (options.max_attempts < 1 || options.max_pages < 1 || options.max_concurrent_requests < 1) {
    return Status::InvalidArgument(
        "Graph: max_attempts, max_pages and max_concurrent_requests must be at least 1");
  }
  if (http == nullptr) return Status::InvalidArgument("Graph: no HTTP client");
  return std::unique_ptr<GraphClient>(
      new GraphClient(std::move(credentials), std::move(options), http));
}

GraphClient::GraphClient(GraphCredentials credentials, GraphClientOptions options, HttpClient* http)
    : credentials_(std::move(credentials)),
      options_(std::move(options)),
      http_(http),
      graph_origin_(UrlOrigin(options_.graph_url).value_or("")),
      scope_(GraphScope(options_.graph_url)),
      source_limiter_(options_.max_concurrent_requests),
      global_limiter_(options_.global_limiter != nullptr ? options_.global_limiter
                                                         : GlobalGraphRequestLimiter()),
      system_clock_(options_.clock == nullptr ? NewSystemClock() : nullptr),
      clock_(options_.clock != nullptr ? options_.clock : system_clock_.get()),
      tokens_(clock_),
      backoff_(options_.initial_backoff_ms, options_.max_backoff_ms, options_.jitter_seed) {}

std::string GraphClient::GraphUrl(std::string_view path_and_query) const {
  return options_.graph_url + std::string(path_and_query);
}

Result<std::string> GraphClient::FollowLink(const std::string& request_url, const std::string& link,
                                            const std::string& what) const {
  std::string resolved = ResolveUrlReference(request_url, link);
  const std::optional<std::string> origin = UrlOrigin(resolved);
  if (origin == graph_origin_) return resolved;
  return Status::InvalidArgument(what + " leads " +
                                 (origin ? "to " + *origin + ", " : std::string()) + "outside " +
                                 graph_origin_);
}

Result<std::string> GraphClient::AccessToken() {
  return tokens_.Get([this](TimeMs asked_at) { return FetchToken(asked_at); });
}

Result<IssuedToken> GraphClient::FetchToken(TimeMs /*asked_at*/) {
  HttpRequest request;
  request.method = "POST";
  request.url = options_.authority_url + "/" + credentials_.tenant_id + "/oauth2/v2.0/token";
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.headers["Accept"] = "application/json";
  request.body = FormEncode({{"client_id", credentials_.client_id},
                             {"client_secret", credentials_.client_secret},
                             {"scope", scope_},
                             {"grant_type", "client_credentials"}});
  const std::string what = "tenant " + credentials_.tenant_id + ": cannot get an access token";
  GraphError error;
  Result<HttpResponse> response = Exchange(std::move(request), /*graph=*/false, &error);
  if (!response.ok()) {
    if (response.status().code() != Code::kUnavailable && error.http_status >= 400 &&
        error.http_status < 500) {
      return Status::PermissionDenied(what + ": HTTP " + error.Summary());
    }
    return Status(response.status().code(), what + ": " + response.status().message());
  }
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object()) {
    return Status::InvalidArgument(what + ": the token endpoint's answer is not a JSON object");
  }
  auto token = body.find("access_token");
  if (token == body.end() || !token->is_string() || token->get<std::string>().empty()) {
    return Status::InvalidArgument(what + ": the token endpoint's answer has no access_token");
  }
  // expires_in is a number (v2.0 endpoint) or a numeric string (v1.0).
  int64_t expires_in_s = 0;
  auto expires = body.find("expires_in");
  if (expires != body.end() && expires->is_number_integer()) {
    expires_in_s = expires->get<int64_t>();
  } else if (expires != body.end() && expires->is_string()) {
    const std::string text = expires->get<std::string>();
    if (!text.empty() && text.size() < 10 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      expires_in_s = std::stoll(text);
    }
  }
  if (expires_in_s <= 0) {
    return Status::InvalidArgument(what +
                                   ": the token endpoint's expires_in is not a positive "
                                   "number of seconds");
  }
  return IssuedToken{token->get<std::string>(), expires_in_s};
}

Result<HttpResponse> GraphClient::SendLimited(const HttpRequest& request) {
  // The source's slot first: a source at its own cap does not sit on global
  // slots that other sources could use.
  RequestSlot source_slot(&source_limiter_);
  RequestSlot global_slot(global_limiter_);
  return http_->Send(request);
}

int64_t GraphClient::Backoff(int attempt) { return backoff_.Wait(attempt); }

void GraphClient::Sleep(int64_t ms) {
  if (options_.sleep) {
    options_.sleep(ms);
  } else {
    SleepThread(ms);
  }
}

Result<HttpResponse> GraphClient::Exchange(HttpRequest request, bool graph, GraphError* error) {
  const std::string name = DescribeGraphRequest(request.method, request.url);
  const int max_attempts = options_.max_attempts;
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    std::string token;
    if (graph) {
      VIGIL_ASSIGN_OR_RETURN(token, AccessToken());
      request.headers["Authorization"] = "Bearer " + token;
    }
    Result<HttpResponse> response = SendLimited(request);
    if (!response.ok()) {
      if (response.status().code() != Code::kUnavailable) return response.status();
      if (attempt >= max_attempts) {
        return Status::Unavailable(name + ": no response after " + std::to_string(attempt) +
                                   " attempts: " + response.status().message());
      }
      Sleep(Backoff(attempt));
      continue;
    }
    const int status = response->status;
    if (status >= 200 && status < 300) return response;

    GraphError graph_error = ReadError(*response);
    if (graph && status == 401 && !refreshed) {
      // The token may have been revoked or expired early: one more try with
      // a fresh one, not counted as an attempt.
      refreshed = true;
      tokens_.Drop(token);
      --attempt;
      continue;
    }
    if (status == 429 || status >= 500) {
      if (attempt < max_attempts) {
        std::optional<int64_t> retry_after;
        if (status == 429 || status == 503) retry_after = RetryAfterSeconds(*response);
        Sleep(retry_after ? std::min(*retry_after * 1000, options_.max_retry_after_ms)
                          : Backoff(attempt));
        continue;
      }
      if (error != nullptr) *error = graph_error;
      return Status::Unavailable(WithDetail(name + ": HTTP " + std::to_string(status) + " after " +
                                                std::to_string(attempt) + " attempts",
                                            graph_error));
    }
    if (error != nullptr) *error = graph_error;
    const std::string what = name + ": HTTP " + graph_error.Summary();
    if (status == 401 || status == 403) return Status::PermissionDenied(what);
    if (status == 404) return Status::NotFound(what);
    if (status == 410) {
      return Status::FailedPrecondition(name + ": delta link rejected: HTTP " +
                                        graph_error.Summary());
    }
    if (status >= 400 && status < 500) return Status::InvalidArgument(what);
    return Status::InvalidArgument(name + ": unexpected HTTP " + graph_error.Summary());
  }
}

Result<HttpResponse> GraphClient::Get(const std::string& url, GraphError* error) {
  HttpRequest request;
  request.method = "GET";
  request.url = IsHttpUrl(url) ? url : GraphUrl(url);
  request.headers["Accept"] = "application/json";
  return Exchange(std::move(request), /*graph=*/true, error);
}

Result<std::string> GraphClient::GetPages(const std::string& first_url, const GraphPageFn& on_page,
                                          GraphError* error) {
  std::string url = GraphUrl(first_url);
  if (IsHttpUrl(first_url)) {
    // A stored delta link: it must still lead to this Graph.
    VIGIL_ASSIGN_OR_RETURN(
        url, FollowLink(first_url, first_url, DescribeGraphRequest("GET", first_url)));
  }
  const std::string name = DescribeGraphRequest("GET", url);
  std::unordered_set<std::string> seen{url};
  std::string delta_link;
  for (int number = 1;; ++number) {
    VIGIL_ASSIGN_OR_RETURN(HttpResponse response, Get(url, error));
    GraphPage page;
    page.number = number;
    page.name = name + " page " + std::to_string(number);
    const simdjson::padded_string body(response.body);
    response.body = std::string();
    page.body = &body;
    VIGIL_RETURN_IF_ERROR(on_page(page));

    PageLinks links;
    VIGIL_RETURN_IF_ERROR(ReadLinks(page.name, body, &links));
    for (std::string* link : {&links.next, &links.delta}) {
      if (link->empty()) continue;
      const char* what = link == &links.next ? ": @odata.nextLink" : ": @odata.deltaLink";
      VIGIL_ASSIGN_OR_RETURN(*link, FollowLink(url, *link, page.name + what));
    }
    if (!links.delta.empty()) delta_link = std::move(links.delta);
    if (links.next.empty()) return delta_link;
    if (!seen.insert(links.next).second) {
      return Status::InvalidArgument(page.name +
                                     ": @odata.nextLink repeats an earlier page (a paging loop)");
    }
    if (number >= options_.max_pages) {
      return Status::InvalidArgument(name + ": more than " + std::to_string(options_.max_pages) +
                                     " pages");
    }
    url = std::move(links.next);
  }
}

}  // namespace vigil
