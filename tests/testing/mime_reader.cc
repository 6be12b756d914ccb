#include "testing/mime_reader.h"

#include <cctype>
#include <cstdint>

namespace vigil::testing {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string DecodeBase64(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) continue;  // '=' padding, line breaks
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// Splits `block` (CRLF lines) into unfolded fields.
Result<MimeHeaders> ParseHeaders(std::string_view block) {
  MimeHeaders headers;
  size_t pos = 0;
  while (pos < block.size()) {
    size_t end = block.find("\r\n", pos);
    if (end == std::string_view::npos) end = block.size();
    const std::string_view line = block.substr(pos, end - pos);
    pos = end + 2;
    if (line.size() > 998) return Status::InvalidArgument("header line over 998 characters");
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (headers.fields.empty()) return Status::InvalidArgument("continuation without a field");
      headers.fields.back().second += std::string(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("header line without a colon: " + std::string(line));
    }
    headers.fields.emplace_back(Lower(line.substr(0, colon)),
                                std::string(Trim(line.substr(colon + 1))));
  }
  for (auto& field : headers.fields) field.second = std::string(Trim(field.second));
  return headers;
}

Result<MimePart> ParsePart(std::string_view data) {
  const size_t split = data.find("\r\n\r\n");
  MimePart part;
  std::string_view body;
  if (split == std::string_view::npos) {
    VIGIL_ASSIGN_OR_RETURN(part.headers, ParseHeaders(data));
  } else {
    VIGIL_ASSIGN_OR_RETURN(part.headers, ParseHeaders(data.substr(0, split)));
    body = data.substr(split + 4);
  }
  const std::string encoding = Lower(part.headers.Get("content-transfer-encoding"));
  if (encoding == "quoted-printable") {
    part.text = DecodeQuotedPrintable(body);
  } else if (encoding == "base64") {
    part.text = DecodeBase64(body);
  } else {
    part.text = std::string(body);
  }
  return part;
}

std::string Boundary(std::string_view content_type) {
  const std::string lower = Lower(content_type);
  const size_t at = lower.find("boundary=");
  if (at == std::string::npos) return "";
  std::string_view rest = content_type.substr(at + 9);
  if (!rest.empty() && rest.front() == '"') {
    rest.remove_prefix(1);
    return std::string(rest.substr(0, rest.find('"')));
  }
  return std::string(rest.substr(0, rest.find(';')));
}

}  // namespace

std::string MimeHeaders::Get(std::string_view name) const {
  const std::string lower = Lower(name);
  for (const auto& [n, v] : fields) {
    if (n == lower) return v;
  }
  return "";
}

size_t MimeHeaders::Count(std::string_view name) const {
  const std::string lower = Lower(name);
  size_t count = 0;
  for (const auto& field : fields) count += field.first == lower;
  return count;
}

Result<MimeMessage> ParseMime(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
      return Status::InvalidArgument("bare LF at byte " + std::to_string(i));
    }
  }
  const size_t split = data.find("\r\n\r\n");
  if (split == std::string_view::npos) return Status::InvalidArgument("no end of headers");
  MimeMessage message;
  VIGIL_ASSIGN_OR_RETURN(message.headers, ParseHeaders(data.substr(0, split)));
  const std::string_view body = data.substr(split + 4);
  const std::string content_type = message.headers.Get("content-type");
  if (Lower(content_type).rfind("multipart/", 0) != 0) {
    VIGIL_ASSIGN_OR_RETURN(MimePart part, ParsePart(data));
    message.parts.push_back(std::move(part));
    return message;
  }
  const std::string boundary = Boundary(content_type);
  if (boundary.empty()) return Status::InvalidArgument("multipart without a boundary");
  const std::string delimiter = "--" + boundary;
  // The body as CRLF-led lines, so every delimiter is "\r\n--boundary".
  const std::string text = "\r\n" + std::string(body);
  size_t at = text.find("\r\n" + delimiter + "\r\n");
  if (at == std::string::npos) return Status::InvalidArgument("no first boundary " + delimiter);
  while (true) {
    const size_t start = at + 2 + delimiter.size() + 2;
    const size_t next = text.find("\r\n" + delimiter, start);
    if (next == std::string::npos) return Status::InvalidArgument("no closing boundary");
    VIGIL_ASSIGN_OR_RETURN(MimePart part,
                           ParsePart(std::string_view(text).substr(start, next - start)));
    message.parts.push_back(std::move(part));
    const std::string_view after = std::string_view(text).substr(next + 2 + delimiter.size());
    if (after.substr(0, 2) == "--") return message;
    if (after.substr(0, 2) != "\r\n") return Status::InvalidArgument("junk after a boundary");
    at = next;
  }
}

std::string DecodeQuotedPrintable(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=' && text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
    } else if (c == '=' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else if (c == '\r' && text.substr(i + 1, 1) == "\n") {
      out += '\n';
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

std::string DecodeHeaderWords(std::string_view value) {
  std::string out;
  size_t pos = 0;
  bool after_word = false;
  while (pos < value.size()) {
    const size_t start = value.find("=?", pos);
    const size_t q1 = start == std::string_view::npos ? start : value.find('?', start + 2);
    const size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out += std::string(value.substr(pos));
      break;
    }
    std::string_view between = value.substr(pos, start - pos);
    if (!(after_word && Trim(between).empty())) out += std::string(between);
    const char encoding =
        static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    const std::string_view payload = value.substr(q2 + 1, end - q2 - 1);
    if (encoding == 'B') {
      out += DecodeBase64(payload);
    } else {
      std::string q(payload);
      for (char& c : q) {
        if (c == '_') c = ' ';
      }
      out += DecodeQuotedPrintable(q);
    }
    after_word = true;
    pos = end + 2;
  }
  return out;
}

}  // namespace vigil::testing
