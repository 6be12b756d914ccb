#include "notify/email_message.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "common/time.h"
#include "notify/message_summary.h"
#include "notify/text_cut.h"

namespace vigil {
namespace {

// Quoted-printable never writes "=_", so no encoded line can be taken for
// this boundary.
constexpr std::string_view kBoundary = "=_vigil_alternative";
constexpr size_t kFoldColumn = 78;
constexpr size_t kQpLine = 76;
// An encoded-word is at most 75 characters: "=?UTF-8?B?" + 60 base64 + "?=".
constexpr size_t kWordBytes = 45;
constexpr char kHex[] = "0123456789ABCDEF";

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext and space: a display name made of these needs no quotes.
bool IsPhraseChar(char c) {
  return IsAlnum(c) || c == ' ' ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// `value` as encoded-words of at most kWordBytes bytes each, never cutting a
// UTF-8 sequence, separated by `separator` (a folding CRLF SP in a Subject, a
// space in a display name, which the To line may fold at).
std::string EncodedWords(std::string_view value, std::string_view separator) {
  std::string out;
  size_t start = 0;
  while (start < value.size()) {
    size_t end = std::min(value.size(), start + kWordBytes);
    // Back off from the middle of a multi-byte character (continuation bytes
    // are 10xxxxxx), unless the "character" is longer than a word.
    size_t cut = end;
    while (cut < value.size() && cut > start && (static_cast<uint8_t>(value[cut]) & 0xc0) == 0x80) {
      --cut;
    }
    if (cut > start) end = cut;
    if (!out.empty()) out += separator;
    out += "=?UTF-8?B?" + Base64(value.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// "Name: value" folded before a word that would pass kFoldColumn.
std::string FoldedAscii(std::string_view name, std::string_view value) {
  std::string out = std::string(name) + ":";
  size_t column = out.size();
  size_t pos = 0;
  while (pos < value.size()) {
    size_t space = value.find(' ', pos + 1);
    if (space == std::string_view::npos) space = value.size();
    std::string_view word = value.substr(pos, space - pos);  // with its leading space, if any
    if (pos == 0) {
      out += ' ';
      ++column;
    } else if (column + word.size() > kFoldColumn) {
      out += "\r\n";
      column = 0;
    }
    out += word;
    column += word.size();
    pos = space;
  }
  if (value.empty()) out += ' ';
  return out;
}

// Control characters (CR and LF above all) become spaces: for values that
// go into a header as they are.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::string FormatAddressField(const std::string& text) {
  auto mailbox = ParseMailbox(text, "");
  return mailbox.ok() ? FormatMailbox(*mailbox) : OneLine(text);
}

std::string PeriodText(const NotificationGroup& group) {
  return FormatIso8601(group.period_start) + " to " + FormatIso8601(group.period_end);
}

std::string PlainText(const NotificationGroup& group, const MessageSummary& summary) {
  std::string text = summary.headline + "\n";
  if (group.digest) text += "Period: " + PeriodText(group) + "\n";
  text += "\n";
  for (const SummaryLine& line : summary.lines) text += line.text + "\n";
  if (!summary.more.empty()) text += summary.more + "\n";
  text += "\n-- \nvigil, channel " + group.channel + "\n";
  return text;
}

std::string Cell(std::string_view tag, std::string_view value) {
  return "<" + std::string(tag) + ">" + HtmlEscape(value) + "</" + std::string(tag) + ">";
}

std::string HtmlText(const NotificationGroup& group, const MessageSummary& summary) {
  std::string html = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" +
                     HtmlEscape(summary.headline) + "</title></head>\n<body>\n" +
                     Cell("h2", summary.headline) + "\n";
  if (group.digest) html += Cell("p", "Period: " + PeriodText(group)) + "\n";
  html += "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n<tr>" + Cell("th", "Tenant") +
          Cell("th", "Severity") + Cell("th", "Type") + Cell("th", "Subject") +
          Cell("th", "Change") + "</tr>\n";
  for (const SummaryLine& line : summary.lines) {
    const Notification& n = *line.notification;
    html += "<tr>" + Cell("td", n.alert.tenant) + Cell("td", n.alert.severity) +
            Cell("td", n.alert.type) + Cell("td", n.alert.subject_name) +
            Cell("td", ChangeWords(n)) + "</tr>\n";
  }
  html += "</table>\n";
  if (!summary.more.empty()) html += Cell("p", summary.more) + "\n";
  html += Cell("p", "vigil, channel " + group.channel) + "\n</body>\n</html>\n";
  return html;
}

std::string Part(std::string_view content_type, std::string_view text) {
  return "--" + std::string(kBoundary) + "\r\nContent-Type: " + std::string(content_type) +
         "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
         QuotedPrintable(text);
}

}  // namespace

Result<Mailbox> ParseMailbox(std::string_view text, std::string_view field) {
  const auto refuse = [&] {
    return Status::InvalidArgument("email channel: " + std::string(field) + ": \"" + OneLine(text) +
                                   "\" is not an email address");
  };
  Mailbox mailbox;
  std::string_view address = text;
  if (!text.empty() && text.back() == '>') {
    const size_t open = text.rfind('<');
    if (open == std::string_view::npos) return refuse();
    address = text.substr(open + 1, text.size() - open - 2);
    std::string_view name = text.substr(0, open);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    for (char c : name) {
      if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\') return refuse();
    }
    mailbox.name = std::string(name);
  }
  const size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return refuse();
  }
  for (char c : address) {
    if (c <= 0x20 || c >= 0x7f ||
        std::string_view("\"<>()[],;:\\").find(c) != std::string_view::npos) {
      return refuse();
    }
  }
  mailbox.address = std::string(address);
  return mailbox;
}

std::string FormatMailbox(const Mailbox& mailbox) {
  if (mailbox.name.empty()) return mailbox.address;
  bool plain = true;
  for (char c : mailbox.name) plain = plain && IsPhraseChar(c);
  std::string name;
  if (plain) {
    name = mailbox.name;
  } else if (IsPrintableAscii(mailbox.name)) {
    name = "\"" + mailbox.name + "\"";  // ParseMailbox lets no '"' or '\' in
  } else {
    name = EncodedWords(mailbox.name, " ");
  }
  return name + " <" + mailbox.address + ">";
}

std::string EmailMessageId(std::string_view group_key) {
  std::string id;
  for (size_t i = 0; i < group_key.size(); ++i) {
    const char c = group_key[i];
    const bool dot_may_stand = !id.empty() && id.back() != '.' && i + 1 < group_key.size();
    if (IsAlnum(c) || c == '-') {
      id += c;
    } else if (c == ':' && dot_may_stand) {
      id += '.';
    } else {
      const auto b = static_cast<uint8_t>(c);
      id += '=';
      id += kHex[b >> 4];
      id += kHex[b & 15];
    }
  }
  if (id.empty()) id = "empty";
  return "<" + id + "@vigil>";
}

std::string EncodeHeader(std::string_view name, std::string_view value) {
  if (IsPrintableAscii(value) && value.find("=?") == std::string_view::npos) {
    return FoldedAscii(name, value);
  }
  return std::string(name) + ": " + EncodedWords(value, "\r\n ");
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const auto b = static_cast<uint8_t>(line[i]);
      const bool at_end = i + 1 == line.size();
      const bool literal =
          (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !at_end);
      std::string token =
          literal ? std::string(1, line[i]) : std::string{'=', kHex[b >> 4], kHex[b & 15]};
      // Room for the token and, unless it ends the line, a soft break '='.
      if (column + token.size() + (at_end ? 0 : 1) > kQpLine) {
        out += "=\r\n";
        column = 0;
      }
      out += token;
      column += token.size();
    }
    out += "\r\n";
    start = last ? text.size() : end + 1;
  }
  return out;
}

std::string HtmlEscape(std::string_view text) { return EscapeEntities(text, /*quotes=*/true); }

std::string EmailDate(TimeMs at) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t seconds = static_cast<time_t>(at >= 0 ? at / 1000 : (at - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return text;
}

std::string BuildEmailMessage(const NotificationGroup& group, const ChannelSpec& spec, TimeMs now) {
  const MessageSummary summary = SummarizeGroup(group);
  std::string to;
  for (const std::string& address : spec.to) {
    to += (to.empty() ? "" : ", ") + FormatAddressField(address);
  }
  std::string m;
  m += FoldedAscii("From", FormatAddressField(spec.from)) + "\r\n";
  m += FoldedAscii("To", to) + "\r\n";
  m += EncodeHeader("Subject", summary.headline) + "\r\n";
  m += "Date: " + EmailDate(now) + "\r\n";
  m += "Message-ID: " + EmailMessageId(group.key) + "\r\n";
  m += "X-Vigil-Idempotency-Key: " + OneLine(group.key) + "\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + std::string(kBoundary) + "\"\r\n";
  m += "\r\n";
  m += Part("text/plain", PlainText(group, summary));
  m += Part("text/html", HtmlText(group, summary));
  m += "--" + std::string(kBoundary) + "--\r\n";
  return m;
}

}  // namespace vigil
