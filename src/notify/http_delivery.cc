#include "notify/http_delivery.h"

#include <date/date.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <locale>
#include <sstream>

#include "notify/text_cut.h"

namespace vigil {
namespace {

constexpr int64_t kMsPerSecond = 1000;
// Ten digits of seconds are three centuries: more is not a wait.
constexpr size_t kMaxRetryAfterDigits = 10;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The scheme's length including "://" when `url` is http or https; 0 else.
size_t HttpSchemeLength(std::string_view url) {
  const std::string head = Lower(url.substr(0, 8));
  if (head.rfind("https://", 0) == 0) return 8;
  if (head.rfind("http://", 0) == 0) return 7;
  return 0;
}

// The host[:port] of `url` after its scheme, without user info.
std::string_view HostAndPort(std::string_view url, size_t scheme_length) {
  std::string_view rest = url.substr(scheme_length);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  return rest;
}

std::optional<TimeMs> ParseHttpDate(std::string_view text) {
  // IMF-fixdate, then RFC 850's and asctime's forms (RFC 9110, 5.6.7).
  static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                             "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  for (const char* format : kFormats) {
    std::istringstream in{std::string(text)};
    in.imbue(std::locale::classic());
    date::sys_seconds when;
    in >> date::parse(format, when);
    if (in.fail()) continue;
    if (in.peek() != std::char_traits<char>::eof()) continue;  // trailing text
    return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  }
  return std::nullopt;
}

// `message` (a Status of HttpClient) without the request's URL: its
// "POST https://host/path: " prefix dropped and any other mention of the URL
// replaced by its origin.
std::string WithoutUrl(std::string message, const HttpRequest& request) {
  const std::string prefix = DescribeRequest(request) + ": ";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  const std::string origin = ReceiverOrigin(request.url);
  const std::string without_query = request.url.substr(0, request.url.find('?'));
  for (const std::string& secret : {request.url, without_query}) {
    if (secret.empty()) continue;
    for (size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + origin.size())) {
      message.replace(at, secret.size(), origin);
    }
  }
  return message;
}

}  // namespace

Status CheckChannelUrl(std::string_view kind, std::string_view url) {
  const size_t scheme = HttpSchemeLength(url);
  const bool printable = std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  });
  if (scheme == 0 || !printable || HostAndPort(url, scheme).empty() ||
      HostAndPort(url, scheme).front() == ':') {
    return Status::InvalidArgument(std::string(kind) +
                                   " channel: url must be an http:// or https:// URL");
  }
  return Status::Ok();
}

Status CheckRequiredUrl(std::string_view kind, std::string_view url) {
  if (url.empty()) return Status::InvalidArgument(std::string(kind) + " channel: url is required");
  return CheckChannelUrl(kind, url);
}

Status CheckHttpChannelDeps(std::string_view kind, const HttpClient* client, const Clock* clock) {
  if (client == nullptr || clock == nullptr) {
    return Status::InvalidArgument(std::string(kind) +
                                   " channel: an HTTP client and a clock are required");
  }
  return Status::Ok();
}

std::string ReceiverOrigin(std::string_view url) {
  const size_t scheme = HttpSchemeLength(url);
  if (scheme == 0) return "(not an http URL)";
  return Lower(url.substr(0, scheme)) + std::string(HostAndPort(url, scheme));
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, TimeMs now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > kMaxRetryAfterDigits) return std::nullopt;
    return std::stoll(std::string(value)) * kMsPerSecond;
  }
  const std::optional<TimeMs> when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  return std::max<int64_t>(0, *when - now);
}

std::string ResponsePrefix(std::string_view body) { return CutUtf8(body, kResponsePrefixBytes); }

DeliveryResult ClassifyHttpAnswer(std::string_view kind, const HttpRequest& request,
                                  const Result<HttpResponse>& answer, TimeMs now) {
  DeliveryResult result;
  const std::string name(kind);
  if (!answer.ok()) {
    const std::string why = WithoutUrl(answer.status().message(), request);
    if (answer.status().code() == Code::kUnavailable) {
      result.outcome = DeliveryOutcome::kRetry;
      result.error = name + ": no answer from " + ReceiverOrigin(request.url) + ": " + why;
    } else {
      result.outcome = DeliveryOutcome::kFailed;
      result.error = name + ": " + why;
    }
    return result;
  }
  const HttpResponse& response = *answer;
  result.status = response.status;
  result.response = ResponsePrefix(response.body);
  if (response.status >= 200 && response.status < 300) {
    result.outcome = DeliveryOutcome::kSent;
    return result;
  }
  result.error = name + ": " + ReceiverOrigin(request.url) + " answered HTTP " +
                 std::to_string(response.status);
  if (response.status == 429 || (response.status >= 500 && response.status < 600)) {
    result.outcome = DeliveryOutcome::kRetry;
    const auto header = response.headers.find("retry-after");
    if (header != response.headers.end()) {
      result.retry_after_ms = ParseRetryAfter(header->second, now);
    }
    return result;
  }
  result.outcome = DeliveryOutcome::kFailed;
  return result;
}

DeliveryResult DeliverHttp(std::string_view kind, HttpClient* client, const Clock& clock,
                           const HttpRequest& request) {
  const Result<HttpResponse> answer = client->Send(request);
  return ClassifyHttpAnswer(kind, request, answer, clock.NowMs());
}

HttpRequest JsonPost(std::string url, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers["Content-Type"] = "application/json";
  request.body = std::move(body);
  return request;
}

}  // namespace vigil
