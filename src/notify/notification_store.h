// The `notifications` and `deliveries` tables: notifications waiting for
// their channel, the leases under which a notifier delivers them, and the
// delivery log of every attempt.
//
// A notification's life: stored "pending" (or "suppressed" with a reason,
// never sent: the alert was snoozed or flapping) -> claimed in a group under
// a lease -> "sent", or back to pending with a later next_attempt_at, or
// "failed" (the receiver refused it, or retries ran past the channel's
// give-up time). A group is claimed by an UPDATE that takes only rows whose
// lease is free, so notifiers in several processes never hold the same row;
// a notifier that dies holds its rows until the lease lapses, then another
// claims and sends them again with the same keys. Every write after the
// send is fenced by the claim's owner token: a notifier whose lease lapsed
// changes nothing.
//
// Grouping: rows of one (channel, tenant) without a group key form one
// group, due when its oldest row is; the claim gives them a key that every
// retry keeps. Digest rows get their key (the channel and the period's end)
// when they are stored.
//
// Thread safety: as the Db's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/channel.h"
#include "store/db.h"

namespace vigil {

inline constexpr std::string_view kNotificationPending = "pending";
inline constexpr std::string_view kNotificationSent = "sent";
inline constexpr std::string_view kNotificationFailed = "failed";
inline constexpr std::string_view kNotificationSuppressed = "suppressed";

struct NewNotification {
  int64_t channel_id = 0;
  int64_t tenant_id = 0;
  int64_t alert_id = 0;
  std::optional<int64_t> event_id;
  std::string change;
  std::string previous_severity;
  std::string key;       // idempotency key (notify/notification.h)
  std::string state;     // kNotificationPending or kNotificationSuppressed
  std::string reason;    // why suppressed
  TimeMs at = 0;
  std::string trace_id;
  TimeMs due_at = 0;
  std::string group_key;  // digest rows: set; others: empty
};

// Stores `rows`; a row whose key is stored already is skipped (routing the
// same event twice stores its notifications once). Multi-row statements.
Status InsertNotifications(Db* db, const std::vector<NewNotification>& rows);

// A group that is due: its rows' oldest due_at and next attempt have come.
struct DueGroup {
  int64_t channel_id = 0;
  int64_t tenant_id = 0;    // 0 for a keyed group (a retry, a digest)
  std::string group_key;    // empty: never attempted
  TimeMs due_at = 0;
};

// Up to `limit` groups due at `now` whose rows are not leased, the longest
// due first.
Result<std::vector<DueGroup>> FindDueGroups(Db* db, TimeMs now, int limit);

struct ClaimedNotification {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t alert_id = 0;
  std::string change;
  std::string previous_severity;
  std::string key;
  TimeMs at = 0;
  std::string trace_id;
  int attempts = 0;  // before this one
  std::optional<TimeMs> first_attempt_at;
};

struct ClaimedGroup {
  int64_t channel_id = 0;
  std::string group_key;
  std::string owner;  // the lease's fencing token
  std::vector<ClaimedNotification> rows;  // by id; empty: someone else took the group
};

// Leases the pending rows of `group` (at most `max_rows`; the rest form a
// later group) to `owner` until now + lease_ms. A group never attempted gets
// `new_key` as its key.
Result<ClaimedGroup> ClaimGroup(Db* db, const DueGroup& group, std::string_view owner,
                                std::string_view new_key, TimeMs now, int64_t lease_ms,
                                int max_rows);

// Marks `ids` of a claimed group suppressed with `reason` (an alert snoozed
// or acknowledged since it was routed) and releases them.
Status SuppressClaimed(Db* db, const ClaimedGroup& group, const std::vector<int64_t>& ids,
                       std::string_view reason);

// One attempt, for the delivery log.
struct DeliveryAttempt {
  TimeMs at = 0;
  int64_t duration_ms = 0;
  int attempt = 1;
  std::optional<int64_t> tenant_id;
  std::vector<int64_t> alert_ids;
  DeliveryResult result;
  std::string worker;
  TimeMs next_attempt_at = 0;  // kRetry: when to try again
  bool give_up = false;        // kRetry past the give-up time: record as failed
};

// Records `attempt` in the delivery log and applies it to the group's rows
// still leased by group.owner: sent, back to pending for a retry, or failed.
// Returns the delivery log row's id. Runs in the caller's transaction (the
// notifier records a round's attempts in one).
Result<int64_t> RecordAttempt(Db* db, const ClaimedGroup& group, const DeliveryAttempt& attempt);

// Removes notifications that are done (sent, failed, suppressed) and
// delivery log rows from before `before`, at most 1,000 rows per
// statement; pending ones stay whatever their age. Returns how many rows.
Result<int64_t> PruneDeliveries(Db* db, TimeMs before);

}  // namespace vigil
