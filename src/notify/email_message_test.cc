#include "notify/email_message.h"

#include <gtest/gtest.h>

#include "testing/mime_reader.h"

namespace vigil {
namespace {

using testing::DecodeHeaderWords;
using testing::DecodeQuotedPrintable;
using testing::MimeMessage;
using testing::ParseMime;

Notification Make(std::string change, std::string type, std::string subject, std::string severity,
                  std::string tenant) {
  Notification n;
  n.change = std::move(change);
  n.alert.type = std::move(type);
  n.alert.subject_name = std::move(subject);
  n.alert.severity = std::move(severity);
  n.alert.tenant = std::move(tenant);
  return n;
}

NotificationGroup Group(std::string tenant) {
  NotificationGroup group;
  group.channel_id = 3;
  group.channel = "ops-mail";
  group.tenant = tenant;
  group.key = "vigil:3:group:42";
  group.notifications.push_back(
      Make("opened", "privilege.guest_admin", "guest@fabrikam.example", "high", tenant));
  group.notifications.push_back(
      Make("resolved", "stale.user", "<script>alert('x')</script>", "low", tenant));
  return group;
}

ChannelSpec Spec() {
  ChannelSpec spec;
  spec.kind = "email";
  spec.name = "ops-mail";
  spec.smtp_url = "smtp://127.0.0.1:25";
  spec.from = "Vigil Alerts <alerts@vigil.example>";
  spec.to = {"ops@fabrikam.example", "Jörg <joerg@fabrikam.example>"};
  return spec;
}

TEST(EmailMessageIdTest, KeepsKeysDistinctAndValid) {
  EXPECT_EQ(EmailMessageId("vigil:3:42"), "<vigil.3.42@vigil>");
  EXPECT_EQ(EmailMessageId("vigil:3:repeat:17:1700000000000"),
            "<vigil.3.repeat.17.1700000000000@vigil>");
  EXPECT_EQ(EmailMessageId("a.b"), "<a=2Eb@vigil>");  // not "a.b", which "a:b" gives
  EXPECT_EQ(EmailMessageId("a:b"), "<a.b@vigil>");
  EXPECT_EQ(EmailMessageId("::x:"), "<=3A.x=3A@vigil>");  // no leading, double or trailing dot
  EXPECT_EQ(EmailMessageId("k y=<>"), "<k=20y=3D=3C=3E@vigil>");
  EXPECT_EQ(EmailMessageId(""), "<empty@vigil>");
}

TEST(ParseMailboxTest, AddressesWithAndWithoutADisplayName) {
  auto plain = ParseMailbox("alerts@vigil.example", "from");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->name, "");
  EXPECT_EQ(plain->address, "alerts@vigil.example");
  auto named = ParseMailbox("Vigil Alerts <alerts@vigil.example>", "from");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->name, "Vigil Alerts");
  EXPECT_EQ(named->address, "alerts@vigil.example");
  auto quoted = ParseMailbox("\"Ops, Team\" <ops@x.example>", "to");
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(quoted->name, "Ops, Team");

  EXPECT_EQ(FormatMailbox(*plain), "alerts@vigil.example");
  EXPECT_EQ(FormatMailbox(*named), "Vigil Alerts <alerts@vigil.example>");
  EXPECT_EQ(FormatMailbox(*quoted), "\"Ops, Team\" <ops@x.example>");
  EXPECT_EQ(FormatMailbox({"Jörg", "j@x.example"}), "=?UTF-8?B?SsO2cmc=?= <j@x.example>");
}

TEST(ParseMailboxTest, RefusesWhatIsNotAnAddressNamingTheField) {
  EXPECT_EQ(ParseMailbox("bob", "to").status().message(),
            "email channel: to: \"bob\" is not an email address");
  EXPECT_EQ(ParseMailbox("a@x.example\r\nBcc: eve@evil.example", "to").status().message(),
            "email channel: to: \"a@x.example  Bcc: eve@evil.example\" is not an email address");
  for (const char* bad : {"", "@x.example", "bob@", "a@b@c", "a b@x.example", "a@x.example,b@y",
                          "Name <bob>", "Name alerts@x.example>", "\"Q\\\"\" <a@x.example>"}) {
    const Status status = ParseMailbox(bad, "from").status();
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(status.message().rfind("email channel: from: ", 0), 0u) << status.message();
  }
}

TEST(EncodeHeaderTest, AsciiAsItIsUtf8AsEncodedWords) {
  EXPECT_EQ(EncodeHeader("Subject", "fabrikam: 2 new"), "Subject: fabrikam: 2 new");
  EXPECT_EQ(EncodeHeader("Subject", "Müller & Söhne: 1 new"),
            "Subject: =?UTF-8?B?TcO8bGxlciAmIFPDtmhuZTogMSBuZXc=?=");
  // A line break in a tenant's name cannot start a header of its own.
  const std::string injected = EncodeHeader("Subject", "x\r\nBcc: eve@evil.example");
  EXPECT_EQ(injected.find('\n'), std::string::npos);
  EXPECT_EQ(DecodeHeaderWords(injected.substr(9)), "x\r\nBcc: eve@evil.example");
}

TEST(EncodeHeaderTest, LongValuesFoldAndDecodeBack) {
  std::string ascii;
  for (int i = 0; i < 30; ++i) ascii += "word" + std::to_string(i) + " ";
  ascii += "end";
  const std::string folded = EncodeHeader("Subject", ascii);
  EXPECT_NE(folded.find("\r\n "), std::string::npos);
  std::string unfolded;
  size_t start = 0;
  while (start <= folded.size()) {
    size_t end = folded.find("\r\n", start);
    if (end == std::string::npos) end = folded.size();
    EXPECT_LE(end - start, 78u);
    unfolded += folded.substr(start, end - start);
    start = end + 2;
  }
  EXPECT_EQ(unfolded, "Subject: " + ascii);

  std::string utf8;
  for (int i = 0; i < 40; ++i) utf8 += "Grüße ";  // 'ü' and 'ß' are two bytes each
  const std::string encoded = EncodeHeader("Subject", utf8);
  size_t words = 0;
  for (size_t at = encoded.find("=?UTF-8?B?"); at != std::string::npos;
       at = encoded.find("=?UTF-8?B?", at + 1)) {
    ++words;
    const size_t end = encoded.find("?=", at + 10);
    EXPECT_LE(end + 2 - at, 75u);  // RFC 2047: an encoded-word is at most 75 characters
  }
  EXPECT_GT(words, 3u);
  std::string value = encoded.substr(9);
  for (size_t at = value.find("\r\n"); at != std::string::npos; at = value.find("\r\n")) {
    value.erase(at, 2);
  }
  EXPECT_EQ(DecodeHeaderWords(value), utf8);  // no character was cut between two words
}

TEST(QuotedPrintableTest, EncodesWhatIsNotPlainAndKeepsLinesShort) {
  EXPECT_EQ(QuotedPrintable("héllo = world \nnext\tline\t\n\nend"),
            "h=C3=A9llo =3D world=20\r\nnext\tline=09\r\n\r\nend\r\n");
  const std::string long_line(200, 'a');
  const std::string encoded = QuotedPrintable(long_line + "\n" + std::string(10, '=') + "\n");
  size_t start = 0;
  while (start < encoded.size()) {
    const size_t end = encoded.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u);
    start = end + 2;
  }
  EXPECT_EQ(encoded.substr(0, 77), std::string(75, 'a') + "=\r");
  EXPECT_EQ(DecodeQuotedPrintable(encoded), long_line + "\n" + std::string(10, '=') + "\n");
}

TEST(HtmlEscapeTest, EscapesTheFiveCharacters) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(EmailDateTest, Rfc5322DateInUtc) {
  EXPECT_EQ(EmailDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(EmailDate(1796617067123), "Mon, 07 Dec 2026 04:17:47 +0000");
}

TEST(BuildEmailMessageTest, HeadersAndBothParts) {
  const NotificationGroup group = Group("fabrikam");
  const std::string data = BuildEmailMessage(group, Spec(), 1796617067123);
  auto parsed = ParseMime(data);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << data;
  const MimeMessage& m = *parsed;
  EXPECT_EQ(m.headers.Get("From"), "Vigil Alerts <alerts@vigil.example>");
  EXPECT_EQ(m.headers.Get("To"),
            "ops@fabrikam.example, =?UTF-8?B?SsO2cmc=?= <joerg@fabrikam.example>");
  EXPECT_EQ(m.headers.Get("Subject"), "fabrikam: 1 new, 1 resolved");
  EXPECT_EQ(m.headers.Get("Date"), "Mon, 07 Dec 2026 04:17:47 +0000");
  EXPECT_EQ(m.headers.Get("Message-ID"), "<vigil.3.group.42@vigil>");
  EXPECT_EQ(m.headers.Get("X-Vigil-Idempotency-Key"), "vigil:3:group:42");
  EXPECT_EQ(m.headers.Get("Auto-Submitted"), "auto-generated");
  EXPECT_EQ(m.headers.Get("MIME-Version"), "1.0");
  EXPECT_EQ(m.headers.Get("Content-Type"),
            "multipart/alternative; boundary=\"=_vigil_alternative\"");
  for (const char* once : {"from", "to", "subject", "date", "message-id"}) {
    EXPECT_EQ(m.headers.Count(once), 1u) << once;
  }
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(m.parts[0].headers.Get("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(m.parts[0].headers.Get("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(m.parts[0].text,
            "fabrikam: 1 new, 1 resolved\n"
            "\n"
            "[high] privilege.guest_admin: guest@fabrikam.example (opened)\n"
            "[low] stale.user: <script>alert('x')</script> (resolved)\n"
            "\n"
            "-- \n"
            "vigil, channel ops-mail");  // the last CRLF belongs to the boundary
  EXPECT_EQ(m.parts[1].headers.Get("Content-Type"), "text/html; charset=UTF-8");
  const std::string& html = m.parts[1].text;
  EXPECT_NE(html.find("<h2>fabrikam: 1 new, 1 resolved</h2>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><th>Tenant</th><th>Severity</th><th>Type</th><th>Subject</th>"
                      "<th>Change</th></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>fabrikam</td><td>high</td><td>privilege.guest_admin</td>"
                      "<td>guest@fabrikam.example</td><td>opened</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>fabrikam</td><td>low</td><td>stale.user</td>"
                      "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td>"
                      "<td>resolved</td></tr>"),
            std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
}

TEST(BuildEmailMessageTest, Utf8TenantsLongGroupsAndDigests) {
  NotificationGroup group = Group("Müller & Söhne");
  for (int i = 0; i < 30; ++i) {
    group.notifications.push_back(Make("opened", "mfa.user_not_registered",
                                       "user" + std::to_string(i) + "@müller.example", "medium",
                                       "Müller & Söhne"));
  }
  group.digest = true;
  group.period_start = 1796540400000;  // 2026-12-06T07:00:00Z
  group.period_end = 1796626800000;
  const std::string data = BuildEmailMessage(group, Spec(), 1796626800000);
  auto parsed = ParseMime(data);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(DecodeHeaderWords(parsed->headers.Get("Subject")),
            "Digest: 1 tenant, 31 new, 1 resolved");
  ASSERT_EQ(parsed->parts.size(), 2u);
  const std::string& text = parsed->parts[0].text;
  EXPECT_EQ(text.rfind("Digest: 1 tenant, 31 new, 1 resolved\n"
                       "Period: 2026-12-06T07:00:00Z to 2026-12-07T07:00:00Z\n\n"
                       "Müller & Söhne: [high] privilege.guest_admin: guest@fabrikam.example "
                       "(opened)\n",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("Müller & Söhne: [medium] mfa.user_not_registered: user17@müller.example "
                      "(opened)\n"),
            std::string::npos);
  EXPECT_EQ(text.find("user18@"), std::string::npos);  // 20 lines, then "more"
  EXPECT_NE(text.find("\nand 12 more: mfa.user_not_registered 12\n"), std::string::npos);
  const std::string& html = parsed->parts[1].text;
  EXPECT_NE(html.find("<td>Müller &amp; Söhne</td>"), std::string::npos);
  EXPECT_NE(html.find("<p>and 12 more: mfa.user_not_registered 12</p>"), std::string::npos);
  EXPECT_NE(html.find("<p>Period: 2026-12-06T07:00:00Z to 2026-12-07T07:00:00Z</p>"),
            std::string::npos);
  // On the wire: 7-bit, no line over 78 characters.
  size_t start = 0;
  while (start < data.size()) {
    const size_t end = data.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << data.substr(start, end - start);
    start = end + 2;
  }
  for (char c : data) EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
}

}  // namespace
}  // namespace vigil
