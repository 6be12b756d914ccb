// SmtpSink (tests only): a real SMTP server that a test starts as a child
// process on 127.0.0.1 and a free port -- aiosmtpd (Debian python3-aiosmtpd)
// running tests/testing/smtp_sink.py -- which keeps every message it takes
// in a temporary directory; stopped when the object goes away.
//
//   auto sink = testing::SmtpSink::Start();
//   ASSERT_TRUE(sink.ok()) << sink.status().ToString();
//   spec.smtp_url = (*sink)->url();
//   ... deliver ...
//   std::vector<testing::ReceivedMail> mail = (*sink)->Received();
//
// When python3 or aiosmtpd is missing Start fails saying so -- tests do not
// skip. Thread safety: none; one test thread owns it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace vigil::testing {

struct SmtpSinkOptions {
  std::string user;  // set: AUTH (PLAIN or LOGIN) required, with `password`
  std::string password;
  std::string rcpt_reply;  // set: every RCPT TO answered so ("550 5.1.1 No such user")
  std::string data_reply;  // set: the end of DATA answered so ("451 4.3.0 Later"), nothing kept
};

// One message as the server took it.
struct ReceivedMail {
  std::string mail_from;             // the envelope sender, "alerts@example.com"
  std::vector<std::string> rcpt_to;  // the envelope recipients
  std::string data;                  // the message, CRLF line ends, dots unstuffed
};

class SmtpSink {
 public:
  // Starts the server and waits up to 20 s until it accepts connections.
  static Result<std::unique_ptr<SmtpSink>> Start(SmtpSinkOptions options = {});

  ~SmtpSink();  // Stop()
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:<port>"

  // The messages taken so far, in the order they arrived.
  std::vector<ReceivedMail> Received() const;

  // Ends the server (SIGTERM, SIGKILL after 5 s). Idempotent.
  void Stop();

 private:
  SmtpSink() = default;
  Status Launch();

  SmtpSinkOptions options_;
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace vigil::testing
