// EmailMessage: the RFC 5322 message the email channel sends for one
// NotificationGroup, and the pieces it is made of. notify/email_channel.h
// sends it over SMTP.
//
// The message (CRLF line ends throughout):
//   From, To             the channel's `from` and `to` (notify/channel_spec.h)
//   Subject              the group's headline (notify/message_summary.h);
//                        RFC 2047 encoded-words (UTF-8, base64) when it is not
//                        printable ASCII
//   Date                 `now`, UTC
//   Message-ID           <group key made safe@vigil>: the same on every retry
//                        of the group, so a receiver can drop repeats
//   X-Vigil-Idempotency-Key  the group's key as it is
//   Auto-Submitted       auto-generated (RFC 3834: no vacation replies)
//   MIME-Version, Content-Type multipart/alternative with
//     text/plain  the headline, one line per summary line, the "more" line
//     text/html   the headline, a table of the lines (tenant, severity, type,
//                 subject, change), the "more" line; every value HTML-escaped
//   both parts UTF-8 in quoted-printable, so long lines and any byte are safe
//   on 7-bit transports. A digest also says the period it covers.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/channel_spec.h"
#include "notify/notification.h"

namespace vigil {

// One address as `from` and `to` take it: "alerts@example.com" or
// "Vigil Alerts <alerts@example.com>".
struct Mailbox {
  std::string name;     // the display name; may be empty
  std::string address;  // local@domain
};

// InvalidArgument naming `field` and the text when `text` is not such an
// address: 'email channel: to: "bob" is not an email address'. An address
// is printable ASCII without spaces, quotes, brackets, commas or semicolons,
// with one '@' between a local part and a domain; a display name has no
// control characters.
Result<Mailbox> ParseMailbox(std::string_view text, std::string_view field);

// The mailbox as a header writes it: the address alone, or the display name
// (quoted, or encoded when it is not ASCII) and the address in <>.
std::string FormatMailbox(const Mailbox& mailbox);

// "<vigil.3.42@vigil>" for key "vigil:3:42": letters, digits and '-' stay,
// ':' becomes '.' where a dot may stand, every other byte "=XX", so distinct
// keys give distinct ids.
std::string EmailMessageId(std::string_view group_key);

// "Name: value" with the value as printable ASCII folded at spaces near 78
// columns, or as RFC 2047 encoded-words (=?UTF-8?B?...?=, one per folded
// line) when it holds anything else. No trailing CRLF.
std::string EncodeHeader(std::string_view name, std::string_view value);

// Quoted-printable (RFC 2045) of `text` whose lines end in '\n': lines of at
// most 76 characters, CRLF line ends, '=' and every byte outside printable
// ASCII as =XX, a space or tab before a line end encoded too.
std::string QuotedPrintable(std::string_view text);

// "&amp;" for '&', and likewise for < > " '.
std::string HtmlEscape(std::string_view text);

// "Mon, 07 Dec 2026 04:17:47 +0000".
std::string EmailDate(TimeMs at);

// The whole message for `group` as described above.
std::string BuildEmailMessage(const NotificationGroup& group, const ChannelSpec& spec, TimeMs now);

}  // namespace vigil
