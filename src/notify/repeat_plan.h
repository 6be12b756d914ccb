// PlanRepeats: reminders that alerts are still open, for a channel whose
// route has a repeat_interval. An alert is reminded of when it is open, not
// acknowledged, not snoozed, taken by the route, and the channel has had no
// notification about it for a whole interval. The reminder's key names the
// alert and the interval it falls in, so two notifiers planning the same
// reminder store it once.
//
// One statement per call. Thread safety: as the Db's.
#pragma once

#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/notification_plan.h"
#include "notify/notification_store.h"
#include "store/db.h"

namespace vigil {

Result<std::vector<NewNotification>> PlanRepeats(Db* db, const RoutableChannel& channel,
                                                 TimeMs now);

}  // namespace vigil
