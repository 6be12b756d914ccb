// The JSON form of channels and notifications (`vigil channels --json`,
// `vigil notifications --json`, the API): never a secret; a channel says
// only which secrets it has.
#pragma once

#include <nlohmann/json.hpp>

#include "notify/channel_store.h"
#include "notify/notification_log.h"

namespace vigil {

nlohmann::ordered_json ChannelJsonValue(const ChannelRow& channel);
nlohmann::ordered_json NotificationJsonValue(const NotificationRow& row);

}  // namespace vigil
