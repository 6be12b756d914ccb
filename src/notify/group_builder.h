// BuildGroup: the message a claimed group becomes. Reads the alerts of the
// claimed notifications (one statement per 500 alerts) so the message shows
// each alert as it is now, and sets aside the notifications that must not
// go out any more: the alert was snoozed after its change was routed
// ("snoozed until ..."), a reminder of an alert acknowledged since
// ("acknowledged"), or an alert that no longer exists ("alert gone").
//
// Thread safety: as the Db's.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "notify/channel_spec.h"
#include "notify/notification.h"
#include "notify/notification_store.h"
#include "store/db.h"

namespace vigil {

struct BuiltGroup {
  NotificationGroup group;  // notifications empty: nothing left to send
  // (notification id, reason) of those set aside.
  std::vector<std::pair<int64_t, std::string>> suppressed;
};

Result<BuiltGroup> BuildGroup(Db* db, const ChannelSpec& channel, const ClaimedGroup& claimed,
                              TimeMs now);

}  // namespace vigil
