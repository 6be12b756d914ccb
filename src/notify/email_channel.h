// EmailChannel: the `email` kind of Channel (notify/channel.h). It sends
// each group as one message (notify/email_message.h: BuildEmailMessage)
// through libcurl's SMTP, on an easy handle of its own that keeps its
// connection open between groups.
//
//   smtp://host:port    STARTTLS when the server offers it, plain otherwise
//   smtps://host:port   TLS from the start
//   smtp_user set       AUTH with smtp_user and smtp_password
//   policy.timeout_ms   the whole exchange of one attempt (connect included)
//
// The envelope is MAIL FROM the address of `from` and RCPT TO each of `to`.
//
// Outcome (channel.h): kSent when the server took the message (250); kRetry
// on an SMTP 4xx (421, 450, 451, 452, ...), no connection or a timeout;
// kFailed on an SMTP 5xx (550 mailbox unavailable, 535 credentials
// refused, ...) and on what repeating cannot mend (a URL libcurl refuses).
// `status` is the last SMTP reply code (0 when none arrived); `response` the
// text of that reply, or libcurl's words when no reply came; `error` never
// holds the password.
#pragma once

#include <memory>

#include "common/status.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"
#include "notify/email_message.h"

namespace vigil {

// An email channel for `spec`. InvalidArgument naming the field when
// smtp_url is missing, not smtp:// or smtps://, has no host or carries
// credentials; when from or to is missing; when an address is not one
// ('email channel: to: "bob" is not an email address'); when smtp_password
// is given without smtp_user.
Result<std::unique_ptr<Channel>> NewEmailChannel(const ChannelSpec& spec);

}  // namespace vigil
