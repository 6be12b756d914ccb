// MimeReader (tests only): reads back a message the email channel sent, as
// an SMTP server received it, so tests can check what a mail program shows:
// unfolded headers, RFC 2047 words decoded, the parts of a multipart body
// with their quoted-printable decoded. Strict where the channel must be: a
// bare LF, a header line over 998 characters or a missing boundary is an
// error, not a guess.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil::testing {

struct MimeHeaders {
  std::vector<std::pair<std::string, std::string>> fields;  // names lower-cased, values unfolded
  // The value of the first field `name` (any case); "" when there is none.
  std::string Get(std::string_view name) const;
  // How many fields are called `name`.
  size_t Count(std::string_view name) const;
};

struct MimePart {
  MimeHeaders headers;
  std::string text;  // decoded per its Content-Transfer-Encoding; CRLF as '\n'
};

struct MimeMessage {
  MimeHeaders headers;
  std::vector<MimePart> parts;  // of a multipart body; one part for a single body
};

Result<MimeMessage> ParseMime(std::string_view data);

// Quoted-printable to bytes: soft breaks removed, =XX decoded, CRLF as '\n'.
std::string DecodeQuotedPrintable(std::string_view text);

// A header value with its =?UTF-8?B?...?= and =?UTF-8?Q?...?= words decoded
// (white space between two adjacent words dropped, RFC 2047 section 6.2).
std::string DecodeHeaderWords(std::string_view value);

}  // namespace vigil::testing
