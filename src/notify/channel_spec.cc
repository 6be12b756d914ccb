#include "notify/channel_spec.h"

#include <algorithm>

#include "notify/channel.h"

namespace vigil {

const std::vector<std::string_view>& ChannelKinds() {
  static const std::vector<std::string_view> kinds = {kChannelWebhook,   kChannelSlack,
                                                      kChannelTeams,     kChannelEmail,
                                                      kChannelPagerDuty, kChannelAlertmanager};
  return kinds;
}

bool IsChannelKind(std::string_view kind) {
  const auto& kinds = ChannelKinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string_view DeliveryOutcomeName(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kSent:
      return "sent";
    case DeliveryOutcome::kRetry:
      return "retry";
    case DeliveryOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

}  // namespace vigil
