// The email channel against a real SMTP server (aiosmtpd, testing/smtp_sink.h)
// on 127.0.0.1: what arrives is read back and parsed.
#include "notify/email_channel.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "notify/message_summary.h"
#include "testing/mime_reader.h"
#include "testing/server_process.h"
#include "testing/smtp_sink.h"

namespace vigil {
namespace {

using testing::ParseMime;
using testing::ReceivedMail;
using testing::SmtpSink;
using testing::SmtpSinkOptions;

constexpr const char* kPassword = "s3cret-Pa55word";

ChannelSpec Spec(const std::string& url) {
  ChannelSpec spec;
  spec.id = 3;
  spec.name = "ops-mail";
  spec.kind = "email";
  spec.smtp_url = url;
  spec.from = "Vigil Alerts <alerts@vigil.example>";
  spec.to = {"ops@fabrikam.example", "Bob <bob@fabrikam.example>"};
  spec.policy.timeout_ms = 5000;
  return spec;
}

NotificationGroup Group(const std::string& key) {
  NotificationGroup group;
  group.channel_id = 3;
  group.channel = "ops-mail";
  group.tenant = "fabrikam";
  group.key = key;
  for (int i = 0; i < 3; ++i) {
    Notification n;
    n.id = i + 1;
    n.key = "vigil:3:" + std::to_string(100 + i);
    n.change = i == 2 ? "resolved" : "opened";
    n.alert.tenant = "fabrikam";
    n.alert.type = i == 0 ? "privilege.guest_admin" : "stale.user";
    n.alert.severity = i == 0 ? "high" : "low";
    n.alert.subject_name = "user" + std::to_string(i) + "@fabrikam.example";
    group.notifications.push_back(n);
  }
  return group;
}

std::unique_ptr<Channel> Open(const ChannelSpec& spec) {
  auto channel = NewEmailChannel(spec);
  EXPECT_TRUE(channel.ok()) << channel.status().ToString();
  return channel.ok() ? std::move(*channel) : nullptr;
}

std::unique_ptr<SmtpSink> StartSink(SmtpSinkOptions options = {}) {
  auto sink = SmtpSink::Start(std::move(options));
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  return sink.ok() ? std::move(*sink) : nullptr;
}

TEST(NewEmailChannelTest, RefusesAnIncompleteSpecNamingTheField) {
  const auto message = [](ChannelSpec spec) { return NewEmailChannel(spec).status().message(); };
  ChannelSpec spec = Spec("smtp://127.0.0.1:25");
  EXPECT_TRUE(NewEmailChannel(spec).ok());
  spec.smtp_url = "smtps://mail.example.com";
  EXPECT_TRUE(NewEmailChannel(spec).ok());

  spec = Spec("");
  EXPECT_EQ(message(spec),
            "email channel: smtp_url: missing (expected smtp://host:port or smtps://host:port)");
  EXPECT_EQ(NewEmailChannel(spec).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(message(Spec("https://mail.example.com")),
            "email channel: smtp_url: expected smtp://host:port or smtps://host:port, not a URL "
            "of scheme \"https\"");
  EXPECT_EQ(message(Spec("mail.example.com:25")),
            "email channel: smtp_url: not a URL (expected smtp://host:port or smtps://host:port)");
  EXPECT_EQ(message(Spec("smtp://:25")), "email channel: smtp_url: no host");
  const std::string with_user = message(Spec("smtp://bob:hunter2@mail.example.com"));
  EXPECT_EQ(with_user,
            "email channel: smtp_url: carries a user or password (give them as smtp_user and "
            "smtp_password)");

  spec = Spec("smtp://127.0.0.1:25");
  spec.from = "";
  EXPECT_EQ(message(spec), "email channel: from: missing");
  spec.from = "vigil";
  EXPECT_EQ(message(spec), "email channel: from: \"vigil\" is not an email address");
  spec = Spec("smtp://127.0.0.1:25");
  spec.to = {};
  EXPECT_EQ(message(spec), "email channel: to: missing (at least one address)");
  spec.to = {"ops@fabrikam.example", "bob"};
  EXPECT_EQ(message(spec), "email channel: to: \"bob\" is not an email address");
  spec = Spec("smtp://127.0.0.1:25");
  spec.smtp_password = kPassword;
  EXPECT_EQ(message(spec), "email channel: smtp_password: given without smtp_user");
}

TEST(EmailChannelTest, TheServerReceivesOneMultipartMessage) {
  auto sink = StartSink();
  ASSERT_NE(sink, nullptr);
  auto channel = Open(Spec(sink->url()));
  ASSERT_NE(channel, nullptr);
  const NotificationGroup group = Group("vigil:3:group:7");
  const DeliveryResult r = channel->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  EXPECT_EQ(r.status, 250);
  EXPECT_EQ(r.response, "250 2.0.0 Message accepted");
  EXPECT_EQ(r.error, "");

  const std::vector<ReceivedMail> mail = sink->Received();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].mail_from, "alerts@vigil.example");
  EXPECT_EQ(mail[0].rcpt_to,
            (std::vector<std::string>{"ops@fabrikam.example", "bob@fabrikam.example"}));
  auto parsed = ParseMime(mail[0].data);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << mail[0].data;
  EXPECT_EQ(parsed->headers.Get("From"), "Vigil Alerts <alerts@vigil.example>");
  EXPECT_EQ(parsed->headers.Get("To"), "ops@fabrikam.example, Bob <bob@fabrikam.example>");
  EXPECT_EQ(parsed->headers.Get("Subject"), SummarizeGroup(group).headline);
  EXPECT_EQ(parsed->headers.Get("Subject"), "fabrikam: 2 new, 1 resolved");
  EXPECT_EQ(parsed->headers.Get("Message-ID"), "<vigil.3.group.7@vigil>");
  EXPECT_EQ(parsed->headers.Get("X-Vigil-Idempotency-Key"), "vigil:3:group:7");
  EXPECT_EQ(parsed->headers.Get("MIME-Version"), "1.0");
  // Sent just now (the Date header has whole seconds).
  EXPECT_NE(parsed->headers.Get("Date").find(" +0000"), std::string::npos);
  ASSERT_EQ(parsed->parts.size(), 2u);
  EXPECT_EQ(parsed->parts[0].headers.Get("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(parsed->parts[0].text,
            "fabrikam: 2 new, 1 resolved\n\n"
            "[high] privilege.guest_admin: user0@fabrikam.example (opened)\n"
            "[low] stale.user: user1@fabrikam.example (opened)\n"
            "[low] stale.user: user2@fabrikam.example (resolved)\n"
            "\n-- \nvigil, channel ops-mail");  // the last CRLF belongs to the boundary
  EXPECT_EQ(parsed->parts[1].headers.Get("Content-Type"), "text/html; charset=UTF-8");
  EXPECT_NE(parsed->parts[1].text.find("<tr><td>fabrikam</td><td>low</td><td>stale.user</td>"
                                       "<td>user2@fabrikam.example</td><td>resolved</td></tr>"),
            std::string::npos)
      << parsed->parts[1].text;
}

TEST(EmailChannelTest, ARetryOfAGroupCarriesTheSameMessageId) {
  auto sink = StartSink();
  ASSERT_NE(sink, nullptr);
  auto channel = Open(Spec(sink->url()));
  ASSERT_NE(channel, nullptr);
  NotificationGroup group = Group("vigil:3:group:8");
  EXPECT_EQ(channel->Deliver(group).outcome, DeliveryOutcome::kSent);
  group.attempt = 2;
  EXPECT_EQ(channel->Deliver(group).outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(channel->Deliver(Group("vigil:3:group:9")).outcome, DeliveryOutcome::kSent);
  const std::vector<ReceivedMail> mail = sink->Received();
  ASSERT_EQ(mail.size(), 3u);
  std::vector<std::string> ids;
  for (const ReceivedMail& m : mail) {
    auto parsed = ParseMime(m.data);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ids.push_back(parsed->headers.Get("Message-ID"));
  }
  EXPECT_EQ(ids[0], "<vigil.3.group.8@vigil>");
  EXPECT_EQ(ids[1], ids[0]);
  EXPECT_EQ(ids[2], "<vigil.3.group.9@vigil>");
}

TEST(EmailChannelTest, AuthenticatesWithUserAndPassword) {
  auto sink = StartSink({"vigil", kPassword, "", ""});
  ASSERT_NE(sink, nullptr);
  ChannelSpec spec = Spec(sink->url());
  spec.smtp_user = "vigil";
  spec.smtp_password = kPassword;
  auto channel = Open(spec);
  ASSERT_NE(channel, nullptr);
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:10"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error << " / " << r.response;
  EXPECT_EQ(r.status, 250);
  EXPECT_EQ(sink->Received().size(), 1u);

  // Without credentials the server refuses the sender: 530, a 5xx, failed.
  auto anonymous = Open(Spec(sink->url()));
  ASSERT_NE(anonymous, nullptr);
  const DeliveryResult refused = anonymous->Deliver(Group("vigil:3:group:11"));
  EXPECT_EQ(refused.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(refused.status, 530);
  EXPECT_EQ(sink->Received().size(), 1u);
}

TEST(EmailChannelTest, AWrongPasswordFailsWithoutShowingIt) {
  auto sink = StartSink({"vigil", kPassword, "", ""});
  ASSERT_NE(sink, nullptr);
  ChannelSpec spec = Spec(sink->url());
  spec.smtp_user = "vigil";
  spec.smtp_password = "wrong-Pa55word";
  auto channel = Open(spec);
  ASSERT_NE(channel, nullptr);
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:12"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.status, 535);
  EXPECT_EQ(r.response, "535 5.7.8 Authentication credentials invalid");
  EXPECT_EQ(r.error,
            "email: the SMTP server answered: 535 5.7.8 Authentication credentials invalid");
  for (const std::string& text : {r.error, r.response}) {
    EXPECT_EQ(text.find("wrong-Pa55word"), std::string::npos) << text;
    EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  }
  EXPECT_TRUE(sink->Received().empty());
}

TEST(EmailChannelTest, ARefusedRecipientFails) {
  auto sink = StartSink({"", "", "550 5.1.1 No such user here", ""});
  ASSERT_NE(sink, nullptr);
  auto channel = Open(Spec(sink->url()));
  ASSERT_NE(channel, nullptr);
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:13"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.status, 550);
  EXPECT_EQ(r.response, "550 5.1.1 No such user here");
  EXPECT_EQ(r.error, "email: the SMTP server answered: 550 5.1.1 No such user here");
  EXPECT_TRUE(sink->Received().empty());
}

TEST(EmailChannelTest, ADeferredMessageIsRetried) {
  auto sink = StartSink({"", "", "", "451 4.3.0 Try again later"});
  ASSERT_NE(sink, nullptr);
  auto channel = Open(Spec(sink->url()));
  ASSERT_NE(channel, nullptr);
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:14"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 451);
  EXPECT_EQ(r.response, "451 4.3.0 Try again later");
  EXPECT_EQ(r.error, "email: the SMTP server answered: 451 4.3.0 Try again later");
  EXPECT_TRUE(sink->Received().empty());
}

TEST(EmailChannelTest, NoServerIsRetried) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_NE(port, 0);
  auto channel = Open(Spec("smtp://127.0.0.1:" + std::to_string(port)));
  ASSERT_NE(channel, nullptr);
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:15"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error.rfind("email: no answer from the SMTP server: ", 0), 0u) << r.error;
  EXPECT_NE(r.response, "");  // libcurl's words
  EXPECT_NE(r.error.find(r.response), std::string::npos);
}

TEST(EmailChannelTest, AServerThatNeverAnswersTimesOutAndIsRetried) {
  // A socket that listens but never greets: the kernel completes the
  // handshake, nobody speaks.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ChannelSpec spec = Spec("smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  spec.policy.timeout_ms = 300;
  auto channel = Open(spec);
  ASSERT_NE(channel, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const DeliveryResult r = channel->Deliver(Group("vigil:3:group:16"));
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error.rfind("email: no answer from the SMTP server: ", 0), 0u) << r.error;
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(3));
}

}  // namespace
}  // namespace vigil
