// MessageSummary: the human words of a NotificationGroup that every chat and
// mail channel shows, so a message says the same in Slack, Teams and email.
//
//   headline  "fabrikam: 12 new, 3 resolved"   (a digest: "Digest: 2 tenants,
//             14 new, 3 resolved"); counted kinds in this order, those with
//             zero left out: new (opened), reopened, resolved, severity
//             changed, updated, flapping, stable, still open (repeat)
//   lines     one per notification up to `max_lines`, in the group's order:
//             "[high] privilege.guest_admin: guest@fabrikam.com (opened)"
//             (a digest prefixes the tenant: "fabrikam: [high] ...")
//   more      when notifications were left out: "and 40 more:
//             mfa.user_not_registered 32, stale.user 8" (left-out counts per
//             alert type, largest first, then by name); empty otherwise
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "notify/notification.h"

namespace vigil {

struct SummaryLine {
  std::string text;       // as described above
  const Notification* notification = nullptr;  // into the group
};

struct MessageSummary {
  std::string headline;
  std::vector<SummaryLine> lines;
  std::string more;
  size_t left_out = 0;  // notifications not in `lines`
};

inline constexpr size_t kDefaultSummaryLines = 20;

MessageSummary SummarizeGroup(const NotificationGroup& group,
                              size_t max_lines = kDefaultSummaryLines);

// The word a line uses for a change: "opened", "reopened", "resolved",
// "severity medium -> high", "updated", "flapping", "stable", "still open".
std::string ChangeWords(const Notification& n);

}  // namespace vigil
