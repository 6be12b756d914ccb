#include "api/http_request_parser.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>

namespace vigil {
namespace {

namespace http = boost::beast::http;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Trim(boost::beast::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string Lower(boost::beast::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ApiResponse BadRequest(const std::string& message) {
  return ErrorResponse(400, api_error::kBadRequest, "request header: " + message);
}

constexpr const char* kTogether = "Content-Length together with Transfer-Encoding";

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexDigit(text[i + 1]);
      const int lo = HexDigit(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

ApiRequestParser::ApiRequestParser(size_t max_header_bytes, size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes), max_body_bytes_(max_body_bytes) {
  header_limit(static_cast<std::uint32_t>(std::min<size_t>(max_header_bytes, UINT32_MAX)));
  body_limit(static_cast<std::uint64_t>(max_body_bytes));
}

void ApiRequestParser::on_request_impl(http::verb, boost::beast::string_view method_str,
                                       boost::beast::string_view target, int version,
                                       boost::beast::error_code&) {
  request_.method = std::string(method_str);
  version_ = version;
  const size_t q = target.find('?');
  request_.path = PercentDecode(target.substr(0, q), false);
  if (q == boost::beast::string_view::npos) return;
  boost::beast::string_view rest = target.substr(q + 1);
  while (true) {
    const size_t amp = rest.find('&');
    const boost::beast::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    const boost::beast::string_view name = pair.substr(0, eq);
    if (!name.empty()) {
      const boost::beast::string_view value =
          eq == boost::beast::string_view::npos ? boost::beast::string_view() : pair.substr(eq + 1);
      request_.query.emplace_back(PercentDecode(name, true), PercentDecode(value, true));
    }
    if (amp == boost::beast::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

void ApiRequestParser::on_field_impl(http::field name, boost::beast::string_view name_string,
                                     boost::beast::string_view value, boost::beast::error_code&) {
  if (header_done_) return;  // a chunked body's trailer: not part of the request
  if (name == http::field::content_length) {
    if (content_lengths_++ == 0) content_length_ = Trim(value);
  } else if (name == http::field::transfer_encoding) {
    if (transfer_encodings_++ == 0) transfer_encoding_ = Trim(value);
  } else if (name == http::field::expect) {
    expects_continue_ = boost::beast::iequals(Trim(value), "100-continue");
  }
  request_.headers.emplace(Lower(name_string), std::string(value));
}

void ApiRequestParser::on_header_impl(boost::beast::error_code& ec) {
  header_done_ = true;
  if (transfer_encodings_ == 0) return;
  if (content_lengths_ > 0) {
    framing_problem_ = kTogether;
  } else if (transfer_encodings_ > 1) {
    framing_problem_ = "Transfer-Encoding given twice";
  } else if (!boost::beast::iequals(transfer_encoding_, "chunked")) {
    framing_problem_ =
        "Transfer-Encoding \"" + transfer_encoding_ + "\" is not supported (only chunked)";
  }
  if (!framing_problem_.empty()) ec = http::error::bad_transfer_encoding;
}

void ApiRequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                         boost::beast::error_code&) {
  if (content_length) {
    request_.body.reserve(static_cast<size_t>(std::min<std::uint64_t>(*content_length, max_body_bytes_)));
  }
}

std::size_t ApiRequestParser::on_body_impl(boost::beast::string_view body,
                                           boost::beast::error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t ApiRequestParser::on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                                 boost::beast::error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::optional<ApiResponse> ApiRequestParser::ReadErrorResponse(boost::beast::error_code ec) const {
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
      ec == http::error::end_of_stream || ec == http::error::partial_message) {
    return std::nullopt;  // the connection ended or failed: nobody to answer
  }
  const std::string max_body = std::to_string(max_body_bytes_);
  if (ec == http::error::header_limit ||
      (ec == http::error::buffer_overflow && !header_done_)) {
    return ErrorResponse(431, api_error::kHeadersTooLarge,
                         "request header: over the limit of " + std::to_string(max_header_bytes_) +
                             " bytes");
  }
  if (ec == http::error::body_limit) {
    const std::string message =
        content_lengths_ > 0 && transfer_encodings_ == 0
            ? "request body: Content-Length " + content_length_ + " is over the limit of " +
                  max_body + " bytes"
            : "request body: over the limit of " + max_body + " bytes";
    return ErrorResponse(413, api_error::kPayloadTooLarge, message);
  }
  if (ec == http::error::multiple_content_length) {
    return BadRequest("Content-Length given twice with different values");
  }
  if (ec == http::error::bad_content_length) {
    return BadRequest(transfer_encodings_ > 0 ? kTogether : "Content-Length is not a length");
  }
  if (ec == http::error::bad_transfer_encoding) {
    if (!framing_problem_.empty()) return BadRequest(framing_problem_);
    return BadRequest(content_lengths_ > 0 ? kTogether : "Transfer-Encoding given twice");
  }
  if (ec == http::error::buffer_overflow) {
    return ErrorResponse(400, api_error::kBadRequest, "request body: a chunk header is too long");
  }
  return ErrorResponse(400, api_error::kBadRequest,
                       "request: not valid HTTP/1.1 (" + ec.message() + ")");
}

}  // namespace vigil
