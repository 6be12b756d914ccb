#include "providers/google_client.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

namespace vigil {
namespace {

constexpr size_t kMaxErrorBodyBytes = 64 << 10;
constexpr char kJwtBearerGrant[] = "urn:ietf:params:oauth:grant-type:jwt-bearer";

bool IsHttpUrl(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string StripTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool IsRateLimitReason(std::string_view reason) {
  return reason == "userRateLimitExceeded" || reason == "rateLimitExceeded" ||
         reason == "quotaExceeded" || reason == "RATE_LIMIT_EXCEEDED" ||
         reason == "RESOURCE_EXHAUSTED";
}

std::string StringAt(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The reasons of a Google API error, most specific first.
std::vector<std::string> Reasons(const nlohmann::json& error) {
  std::vector<std::string> reasons;
  auto errors = error.find("errors");
  if (errors != error.end() && errors->is_array() && !errors->empty()) {
    reasons.push_back(StringAt((*errors)[0], "reason"));
  }
  auto details = error.find("details");
  if (details != error.end() && details->is_array()) {
    for (const nlohmann::json& detail : *details) reasons.push_back(StringAt(detail, "reason"));
  }
  reasons.push_back(StringAt(error, "status"));
  reasons.erase(std::remove(reasons.begin(), reasons.end(), ""), reasons.end());
  return reasons;
}

GoogleError ReadGoogleError(const HttpResponse& response) {
  GoogleError error;
  error.http_status = response.status;
  if (response.body.size() > kMaxErrorBodyBytes) return error;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return error;
  auto it = body.find("error");
  if (it == body.end()) return error;
  if (it->is_object()) {
    const std::vector<std::string> reasons = Reasons(*it);
    auto limit = std::find_if(reasons.begin(), reasons.end(), IsRateLimitReason);
    if (limit != reasons.end()) {
      error.code = *limit;
    } else if (!reasons.empty()) {
      error.code = reasons.front();
    }
    error.message = FirstErrorLine(StringAt(*it, "message"));
  } else if (it->is_string()) {
    error.code = it->get<std::string>();
    error.message = FirstErrorLine(StringAt(body, "error_description"));
  }
  return error;
}

std::string WithDetail(std::string head, const GoogleError& error) {
  const std::string detail = error.Detail();
  if (!detail.empty()) head += ": " + detail;
  return head;
}

void SleepThread(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

bool IsGoogleRateLimit(const GoogleError& error) {
  return (error.http_status == 403 || error.http_status == 429) && IsRateLimitReason(error.code);
}

RequestLimiter* GlobalGoogleRequestLimiter() {
  static RequestLimiter* limiter = new RequestLimiter(kDefaultGlobalGoogleRequests);
  return limiter;
}

Result<std::unique_ptr<GoogleClient>> GoogleClient::Create(GoogleCredentials credentials,
                                                           GoogleClientOptions options,
                                                           HttpClient* http) {
  if (credentials.admin_email.find('@') == std::string::npos) {
    return Status::InvalidArgument("Google Workspace: admin email \"" + credentials.admin_email +
                                   "\" is not an email address");
  }
  if (credentials.key.client_email.empty()) {
    return Status::InvalidArgument("Google Workspace: the service account key has no client email");
  }
  if (options.token_url.empty()) options.token_url = credentials.key.token_uri;
  if (options.scope.empty()) options.scope = GoogleReadOnlyScopes();
  options.api_url = StripTrailingSlashes(std::move(options.api_url));
  options.licensing_url = StripTrailingSlashes(std::move(options.licensing_url));
  for (const auto& [name, url] : {std::pair<const char*, const std::string*>{"token", &options.token_url},
                                  {"API", &options.api_url},
                                  {"licensing", &options.licensing_url}}) {
    if (!IsHttpUrl(*url)) {
      return Status::InvalidArgument(std::string("Google Workspace: ") + name + " URL \"" + *url +
                                     "\" is not http(s)");
    }
  }
  if (options.max_attempts < 1 || options.max_pages < 1 || options.max_concurrent_requests < 1) {
    return Status::InvalidArgument(
        "Google Workspace: max_attempts, max_pages and max_concurrent_requests must be at least 1");
  }
  if (http == nullptr) return Status::InvalidArgument("Google Workspace: no HTTP client");
  return std::unique_ptr<GoogleClient>(
      new GoogleClient(std::move(credentials), std::move(options), http));
}

GoogleClient::GoogleClient(GoogleCredentials credentials, GoogleClientOptions options,
                           HttpClient* http)
    : credentials_(std::move(credentials)),
      options_(std::move(options)),
      http_(http),
      source_limiter_(options_.max_concurrent_requests),
      global_limiter_(options_.global_limiter != nullptr ? options_.global_limiter
                                                         : GlobalGoogleRequestLimiter()),
      system_clock_(options_.clock == nullptr ? NewSystemClock() : nullptr),
      clock_(options_.clock != nullptr ? options_.clock : system_clock_.get()),
      backoff_(options_.initial_backoff_ms, options_.max_backoff_ms, options_.jitter_seed),
      tokens_(clock_) {}

Result<std::string> GoogleClient::AccessToken() {
  return tokens_.Get([this](TimeMs asked_at) { return FetchToken(asked_at); });
}

Status GoogleClient::TokenRefused(const GoogleError& error) const {
  std::string message = "service account " + credentials_.key.client_email + " as " +
                        credentials_.admin_email + ": cannot get an access token: HTTP " +
                        error.Summary();
  if (error.code == "unauthorized_client") {
    message += ": domain-wide delegation is not granted: authorize client id " +
               (credentials_.key.client_id.empty() ? std::string("<the service account's>")
                                                   : credentials_.key.client_id) +
               " for the scopes " + options_.scope +
               " in the Admin console (Security, API controls, Domain-wide delegation)";
  } else if (error.code == "invalid_grant" &&
             error.message.find("Invalid email") != std::string::npos) {
    message += ": " + credentials_.admin_email + " is not a user of the Workspace domain";
  }
  return Status::PermissionDenied(message);
}

Result<IssuedToken> GoogleClient::FetchToken(TimeMs asked_at) {
  VIGIL_ASSIGN_OR_RETURN(std::string assertion,
                         SignGoogleAssertion(credentials_.key, credentials_.admin_email,
                                             options_.scope, options_.token_url, asked_at / 1000));
  HttpRequest request;
  request.method = "POST";
  request.url = options_.token_url;
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.headers["Accept"] = "application/json";
  request.body = FormEncode({{"grant_type", kJwtBearerGrant}, {"assertion", assertion}});
  const std::string what = "service account " + credentials_.key.client_email + " as " +
                           credentials_.admin_email + ": cannot get an access token";
  GoogleError error;
  Result<HttpResponse> response = Exchange(std::move(request), /*api=*/false, &error);
  if (!response.ok()) {
    if (response.status().code() != Code::kUnavailable && error.http_status >= 400 &&
        error.http_status < 500) {
      return TokenRefused(error);
    }
    return Status(response.status().code(), what + ": " + response.status().message());
  }
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  const std::string token = StringAt(body, "access_token");
  if (token.empty()) {
    return Status::InvalidArgument(what + ": the token endpoint's answer has no access_token");
  }
  auto expires = body.find("expires_in");
  if (expires == body.end() || !expires->is_number_integer() || expires->get<int64_t>() <= 0) {
    return Status::InvalidArgument(
        what + ": the token endpoint's expires_in is not a positive number of seconds");
  }
  return IssuedToken{token, expires->get<int64_t>()};
}

Result<HttpResponse> GoogleClient::SendLimited(const HttpRequest& request) {
  RequestSlot source_slot(&source_limiter_);
  RequestSlot global_slot(global_limiter_);
  return http_->Send(request);
}

void GoogleClient::Sleep(int64_t ms) {
  if (options_.sleep) {
    options_.sleep(ms);
  } else {
    SleepThread(ms);
  }
}

Result<HttpResponse> GoogleClient::Exchange(HttpRequest request, bool api, GoogleError* error) {
  const std::string name = DescribeGraphRequest(request.method, request.url);
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    std::string token;
    if (api) {
      VIGIL_ASSIGN_OR_RETURN(token, AccessToken());
      request.headers["Authorization"] = "Bearer " + token;
    }
    Result<HttpResponse> response = SendLimited(request);
    if (!response.ok()) {
      if (response.status().code() != Code::kUnavailable) return response.status();
      if (attempt >= options_.max_attempts) {
        return Status::Unavailable(name + ": no response after " + std::to_string(attempt) +
                                   " attempts: " + response.status().message());
      }
      Sleep(backoff_.Wait(attempt));
      continue;
    }
    const int status = response->status;
    if (status >= 200 && status < 300) return response;
    GoogleError google_error = ReadGoogleError(*response);
    if (api && status == 401 && !refreshed) {
      refreshed = true;  // a revoked or early-expired token: once more, not counted
      tokens_.Drop(token);
      --attempt;
      continue;
    }
    if (status == 429 || status >= 500 || IsGoogleRateLimit(google_error)) {
      if (attempt < options_.max_attempts) {
        const std::optional<int64_t> retry_after = RetryAfterSeconds(*response);
        Sleep(retry_after ? std::min(*retry_after * 1000, options_.max_retry_after_ms)
                          : backoff_.Wait(attempt));
        continue;
      }
      if (error != nullptr) *error = google_error;
      return Status::Unavailable(WithDetail(name + ": HTTP " + std::to_string(status) + " after " +
                                                std::to_string(attempt) + " attempts",
                                            google_error));
    }
    if (error != nullptr) *error = google_error;
    const std::string what = name + ": HTTP " + google_error.Summary();
    if (status == 401 || status == 403) return Status::PermissionDenied(what);
    if (status == 404) return Status::NotFound(what);
    if (status >= 400 && status < 500) return Status::InvalidArgument(what);
    return Status::InvalidArgument(name + ": unexpected HTTP " + google_error.Summary());
  }
}

Result<HttpResponse> GoogleClient::Get(const std::string& url, GoogleError* error) {
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.headers["Accept"] = "application/json";
  return Exchange(std::move(request), /*api=*/true, error);
}

Status GoogleClient::GetPages(const std::string& first_url, const GooglePageFn& on_page,
                              GoogleError* error) {
  const std::string name = DescribeGraphRequest("GET", first_url);
  const char joiner = first_url.find('?') == std::string::npos ? '?' : '&';
  std::unordered_set<std::string> seen;
  std::string url = first_url;
  for (int number = 1;; ++number) {
    VIGIL_ASSIGN_OR_RETURN(HttpResponse response, Get(url, error));
    GooglePage page;
    page.number = number;
    page.name = name + " page " + std::to_string(number);
    const simdjson::padded_string body(response.body);
    response.body = std::string();
    page.body = &body;
    std::string next;
    VIGIL_RETURN_IF_ERROR(on_page(page, &next));
    if (next.empty()) return Status::Ok();
    if (!seen.insert(next).second) {
      return Status::InvalidArgument(page.name +
                                     ": nextPageToken repeats an earlier page (a paging loop)");
    }
    if (number >= options_.max_pages) {
      return Status::InvalidArgument(name + ": more than " + std::to_string(options_.max_pages) +
                                     " pages");
    }
    url = first_url + joiner + FormEncode({{"pageToken", next}});
  }
}

}  // namespace vigil
