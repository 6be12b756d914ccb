// ApiRequestParser: reads one HTTP/1.x request straight into an ApiRequest
// with Boost.Beast's incremental parser, within the server's limits, and
// refuses what could be framed two ways.
//
// What Beast 1.81 checks itself: the header limit (request line and
// fields), the body limit (a Content-Length over it fails as soon as the
// header is complete, a chunked body as soon as a chunk passes it),
// Content-Length repeated with a different value, a Content-Length after
// "Transfer-Encoding: chunked" and the other way round, and chunked twice.
// What it lets through and this parser refuses when the header is complete:
// any other Transfer-Encoding (e.g. "gzip", or "chunked, gzip": Beast then
// reads no body, so the body would be taken for the next request), and a
// Content-Length beside such a Transfer-Encoding. Fields after the body
// (chunked trailers) are not added to the request.
//
// The request as the Api sees it: method as sent, path and query
// percent-decoded ("+" is a space in the query only; empty names are
// dropped; order kept), header names lower-cased (the first of a repeated
// name wins), the body as received.
//
// Use: construct one per request, feed it with boost::beast::http::
// async_read_header / async_read, then take request(). On a failed read,
// ReadErrorResponse says what to answer. Not thread-safe.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "api/api_types.h"

namespace vigil {

class ApiRequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  ApiRequestParser(size_t max_header_bytes, size_t max_body_bytes);

  // The request read so far; whole once is_done().
  ApiRequest& request() { return request_; }
  int version() const { return version_; }  // 10 or 11
  // The client sent "Expect: 100-continue" and waits for it before the body.
  bool expects_continue() const { return expects_continue_; }

  // The answer to a read that failed with `ec` (the connection is closed
  // after it), or nullopt when there is nobody to answer (the connection
  // ended, or was cancelled):
  //   431 headers_too_large  header over max_header_bytes;
  //   413 payload_too_large  body over max_body_bytes (naming the
  //                          Content-Length when there was one);
  //   400 bad_request        ambiguous framing or a malformed request,
  //                          saying which.
  std::optional<ApiResponse> ReadErrorResponse(boost::beast::error_code ec) const;

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                            boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code&) override {}

  size_t max_header_bytes_;
  size_t max_body_bytes_;
  ApiRequest request_;
  int version_ = 11;
  bool header_done_ = false;
  bool expects_continue_ = false;
  int content_lengths_ = 0;
  std::string content_length_;  // the first one's value
  int transfer_encodings_ = 0;
  std::string transfer_encoding_;  // the first one's value
  std::string framing_problem_;    // set by on_header_impl
};

// "%41b+c" -> "Ab+c" (or "Ab c" with plus_is_space). A "%" not followed by
// two hex digits is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace vigil
