// TeamsChannel: the `teams` kind. POSTs a group to a Microsoft Teams
// Workflows webhook (the channel's URL; its sig= query is its secret) as one
// message carrying an Adaptive Card -- the format Workflows take (the old
// Office 365 connector "MessageCard" is retired):
//
//   {"type": "message",
//    "attachments": [{
//      "contentType": "application/vnd.microsoft.card.adaptive",
//      "contentUrl": null,
//      "content": {
//        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
//        "type": "AdaptiveCard", "version": "1.4",
//        "body": [
//          {"type": "TextBlock", "text": "<headline>", "weight": "bolder",
//           "size": "medium", "wrap": true},
//          {"type": "TextBlock", "text": "<line>", "wrap": true}, ...
//          {"type": "TextBlock", "text": "<more>", "wrap": true,
//           "isSubtle": true}]}}]}
//
// Headline, lines and "more" are notify/message_summary.h's. Teams refuses a
// message above 28 KB, so the body is kept below kTeamsMaxBodyBytes by
// summarizing, never by failing: the headline is cut at 500 bytes, a line at
// 1000, "more" at 2000 (its count comes first and stays), and lines are left
// out -- counted in "and N more" -- until the body fits.
//
// Workflows answer 202 Accepted; other answers are read as
// notify/http_delivery.h says.
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

inline constexpr size_t kTeamsMaxBodyBytes = 28000;  // the body stays below
inline constexpr size_t kTeamsSummaryLines = kDefaultSummaryLines;

// The JSON body of `group`, as above: the most lines up to `max_lines` for
// which it stays below kTeamsMaxBodyBytes.
std::string TeamsBody(const NotificationGroup& group, size_t max_lines = kTeamsSummaryLines);

// POST spec.url with TeamsBody(group), Content-Type: application/json.
HttpRequest BuildTeamsRequest(const ChannelSpec& spec, const NotificationGroup& group);

// A Teams channel sending through `client`, reading Retry-After dates with
// `clock` (neither owned; both outlive the channel). InvalidArgument
// "teams channel: url is required", "... url must be an http:// or https://
// URL", or when client or clock is null.
Result<std::unique_ptr<Channel>> NewTeamsChannel(const ChannelSpec& spec, HttpClient* client,
                                                 const Clock* clock);

}  // namespace vigil
