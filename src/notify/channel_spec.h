// ChannelSpec: everything a channel needs to deliver, secrets opened (in
// memory only). notify/channel_store.h keeps it in the `channels` table with
// the secrets sealed (store/secret_box.h); they are never logged, printed or
// returned by the API after creation.
//
// Which fields each kind uses (others stay empty):
//   webhook       url*, signing_secret* (HMAC-SHA256 of X-Vigil-Signature)
//   slack         url* (an incoming webhook)
//   teams         url* (a Workflows webhook)
//   email         smtp_url (smtp:// or smtps://), smtp_user, smtp_password*,
//                 from, to
//   pagerduty     routing_key*, url* (the Events API v2 endpoint; defaults to
//                 PagerDuty's own)
//   alertmanager  url* (the Alertmanager's base URL; vigil posts to
//                 <url>/api/v2/alerts)
// (* sealed at rest.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/route.h"

namespace vigil {

inline constexpr std::string_view kChannelWebhook = "webhook";
inline constexpr std::string_view kChannelSlack = "slack";
inline constexpr std::string_view kChannelTeams = "teams";
inline constexpr std::string_view kChannelEmail = "email";
inline constexpr std::string_view kChannelPagerDuty = "pagerduty";
inline constexpr std::string_view kChannelAlertmanager = "alertmanager";

// The kinds above, in that order.
const std::vector<std::string_view>& ChannelKinds();
bool IsChannelKind(std::string_view kind);

// How the notifier paces and gives up on one channel.
struct DeliveryPolicy {
  double max_per_second = 0;           // 0: the kind's default (retry_policy.h)
  int64_t timeout_ms = 10000;          // one attempt's HTTP or SMTP exchange
  int64_t give_up_ms = 6 * 3600 * 1000LL;  // after the first attempt: then "failed"
  int64_t first_retry_ms = 1000;       // doubling up to max_retry_ms
  int64_t max_retry_ms = 300 * 1000;
};

struct ChannelSpec {
  int64_t id = 0;
  std::string name;
  std::string kind;                   // kChannel*
  std::optional<int64_t> tenant_id;   // set: the channel belongs to that tenant (and routes only it)

  std::string url;
  std::string signing_secret;
  std::string routing_key;
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_password;
  std::string from;
  std::vector<std::string> to;

  Route route;
  DeliveryPolicy policy;
};

}  // namespace vigil
