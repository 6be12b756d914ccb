// SlackChannel: the `slack` kind. POSTs a group to a Slack incoming webhook
// (the channel's URL, which is its secret) as one message with blocks:
//
//   {"text": "<headline>",                     the notification's fallback
//    "blocks": [
//      {"type": "header", "text": {"type": "plain_text", "text": "<headline>"}},
//      {"type": "section", "text": {"type": "mrkdwn",
//                                   "text": "• <line>\n• <line>..."}},
//      ...                                     more sections when the lines
//                                              need them
//      {"type": "context", "elements": [{"type": "mrkdwn", "text": "<more>"}]}]}
//
// Headline, lines and "more" are notify/message_summary.h's, so the message
// says what Teams and email say. Slack's limits are kept by summarizing,
// never by failing: a header of at most 150 characters, section and context
// texts under 3000, at most 50 blocks. A line is cut at 500 bytes; lines
// that do not fit in the blocks are left out and counted in "and N more".
// mrkdwn texts escape &, < and > as Slack asks (so a subject name cannot
// mention a channel or a user); the header is plain text.
//
// Slack answers 200 "ok"; a refused message is a 4xx with a short text body
// ("invalid_payload", "no_service"), read as notify/http_delivery.h says.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"
#include "notify/message_summary.h"
#include "notify/notification.h"

namespace vigil {

inline constexpr size_t kSlackMaxBlocks = 50;
inline constexpr size_t kSlackHeaderBytes = 150;
inline constexpr size_t kSlackTextLimit = 3000;  // a section's or context's text stays below
inline constexpr size_t kSlackLineBytes = 500;
inline constexpr size_t kSlackSummaryLines = kDefaultSummaryLines;

// The JSON body of `group`, as above, listing at most `max_lines` lines (and
// fewer when Slack's limits need it).
std::string SlackBody(const NotificationGroup& group, size_t max_lines = kSlackSummaryLines);

// POST spec.url with SlackBody(group), Content-Type: application/json.
HttpRequest BuildSlackRequest(const ChannelSpec& spec, const NotificationGroup& group);

// A Slack channel sending through `client`, reading Retry-After dates with
// `clock` (neither owned; both outlive the channel). InvalidArgument
// "slack channel: url is required", "... url must be an http:// or https://
// URL", or when client or clock is null.
Result<std::unique_ptr<Channel>> NewSlackChannel(const ChannelSpec& spec, HttpClient* client,
                                                 const Clock* clock);

}  // namespace vigil
