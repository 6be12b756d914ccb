#include "api/alert_list_query.h"

#include <sodium.h>

#include <algorithm>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/finding.h"
#include "api/alert_route_support.h"
#include "api/api_env.h"
#include "api/scope.h"
#include "notify/route.h"

namespace vigil {
namespace {

constexpr std::string_view kCursorPrefix = "alerts:";
constexpr std::string_view kSeverityNames = "low, medium, high, critical";

// The after_id of a cursor made by EncodeAlertCursor, or none.
std::optional<int64_t> DecodeCursor(const std::string& text) {
  std::string plain(text.size(), '\0');
  size_t length = 0;
  if (text.empty() || sodium_base642bin(reinterpret_cast<unsigned char*>(plain.data()),
                                        plain.size(), text.data(), text.size(), nullptr, &length,
                                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  if (plain.compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) return std::nullopt;
  return ParseId(plain.substr(kCursorPrefix.size()));
}

std::string AlertTypeNames() {
  std::string names;
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

// ?type=: one alert type, or the types a glob matches (none when it matches
// all: no filter).
std::optional<ApiResponse> ParseTypes(const std::string& text, std::vector<std::string>* out) {
  if (text.find_first_of("*?") == std::string::npos) {
    if (FindAlertType(text) == nullptr) {
      return BadParameter("type", text, "an alert type (" + AlertTypeNames() + ")");
    }
    out->push_back(text);
    return std::nullopt;
  }
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    if (GlobMatches(text, info.name)) out->emplace_back(info.name);
  }
  if (out->empty()) {
    return BadParameter("type", text, "a glob matching an alert type (" + AlertTypeNames() + ")");
  }
  if (out->size() == AllAlertTypes().size()) out->clear();
  return std::nullopt;
}

// ?severity=: one severity or a comma list (none when it names all four).
std::optional<ApiResponse> ParseSeverities(const std::string& text, std::vector<std::string>* out) {
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!ParseSeverity(item)) {
      return BadParameter("severity", item, "a severity (" + std::string(kSeverityNames) + ")");
    }
    if (std::find(out->begin(), out->end(), item) == out->end()) out->push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out->size() == 4) out->clear();
  return std::nullopt;
}

// ?<name>=true|false into *out, when present.
std::optional<ApiResponse> ParseFlag(const ApiRequest& request, std::string_view name,
                                     std::optional<bool>* out) {
  std::optional<std::string> text = request.Query(name);
  if (!text) return std::nullopt;
  if (*text != "true" && *text != "false") return BadParameter(name, *text, "true or false");
  *out = *text == "true";
  return std::nullopt;
}

std::optional<ApiResponse> ParseText(const ApiRequest& request, std::string* out) {
  std::optional<std::string> q = request.Query("q");
  if (!q) return std::nullopt;
  size_t chars = 0;
  for (unsigned char c : *q) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  if (chars > kMaxSearchChars) {
    return ErrorResponse(400, api_error::kBadRequest,
                         "q: " + std::to_string(chars) + " characters; at most " +
                             std::to_string(kMaxSearchChars) + " are accepted");
  }
  *out = *q;
  return std::nullopt;
}

std::optional<ApiResponse> ParseFormat(const ApiRequest& request, bool* csv) {
  std::optional<std::string> format = request.Query("format");
  if (!format) {
    const std::optional<std::string> accept = request.Header("accept");
    *csv = accept && accept->find("text/csv") != std::string::npos;
    return std::nullopt;
  }
  if (*format != "json" && *format != "csv") {
    return BadParameter("format", *format, "a format (json, csv)");
  }
  *csv = *format == "csv";
  return std::nullopt;
}

// The filters on the alerts' content and what operators did.
std::optional<ApiResponse> ParseFilters(const ApiRequest& request, AlertPageQuery* q) {
  if (std::optional<std::string> state = request.Query("state")) {
    std::optional<AlertStateFilter> filter = ParseAlertStateFilter(*state);
    if (!filter) return BadParameter("state", *state, "an alert state (open, resolved, all)");
    q->state = *filter;
  }
  if (std::optional<std::string> type = request.Query("type")) {
    if (auto bad = ParseTypes(*type, &q->types)) return bad;
  }
  if (std::optional<std::string> severity = request.Query("severity")) {
    if (auto bad = ParseSeverities(*severity, &q->severities)) return bad;
  }
  if (auto bad = ParseFlag(request, "flapping", &q->flapping)) return bad;
  if (auto bad = ParseFlag(request, "snoozed", &q->snoozed)) return bad;
  if (auto bad = ParseFlag(request, "acknowledged", &q->acknowledged)) return bad;
  return ParseText(request, &q->text);
}

}  // namespace

std::string EncodeAlertCursor(int64_t after_id) {
  const std::string plain = std::string(kCursorPrefix) + std::to_string(after_id);
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_encoded_len(plain.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(plain.data()),
                    plain.size(), variant);
  text.resize(text.find('\0'));
  return text;
}

std::optional<ApiResponse> ParseAlertListRequest(const ApiRequest& request, const RouteCall& call,
                                                 AlertListRequest* out) {
  AlertPageQuery& q = out->query;
  q.now = call.env->clock->NowMs();
  if (auto bad = PageSize(request, call, &q.limit)) return bad;
  if (auto bad = ParseFilters(request, &q)) return bad;
  if (std::optional<std::string> cursor = request.Query("cursor")) {
    std::optional<int64_t> after_id = DecodeCursor(*cursor);
    if (!after_id) return BadParameter("cursor", *cursor, "a next_cursor of this listing");
    q.after_id = *after_id;
  }
  if (auto bad = ParseFormat(request, &out->csv)) return bad;
  if (std::optional<std::string> tenant = request.Query("tenant")) {
    TenantRow row;
    if (auto missing = ResolveTenant(call, *tenant, &row)) return missing;
    q.tenant_id = row.id;
  } else if (!call.principal->admin()) {
    q.tenant_id = call.principal->tenant_id;
  }
  return std::nullopt;
}

}  // namespace vigil
