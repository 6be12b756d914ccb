// The delivery log as `vigil notifications` and the API show it: each
// notification with its state and the latest attempt of its group.
//
// Thread safety: as the Db's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// A notification as the delivery log shows it (`vigil notifications`).
struct NotificationRow {
  int64_t id = 0;
  std::string channel;
  std::string tenant;
  int64_t alert_id = 0;
  std::string alert_type;
  std::string subject_name;
  std::string change;
  std::string key;
  std::string state;
  std::string reason;
  TimeMs at = 0;
  int attempts = 0;
  std::optional<TimeMs> sent_at;
  std::string group_key;
  // The latest attempt of its group, when there was one.
  int status = 0;
  std::string response;
  std::string error;
  std::optional<TimeMs> attempted_at;
};

struct NotificationFilter {
  std::optional<int64_t> tenant_id;  // a tenant-scoped reader
  std::string channel;               // name; empty: all
  std::optional<int64_t> alert_id;
  std::string state;                 // empty: all
  int64_t before_id = 0;             // keyset paging: ids below this; 0: from the newest
  int limit = 100;
};

// Newest first. InvalidArgument for an unknown state; NotFound for an
// unknown channel name.
Result<std::vector<NotificationRow>> ListNotifications(Db* db, const NotificationFilter& filter);

}  // namespace vigil
