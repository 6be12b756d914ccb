// The SQL of the local queue (queue/local_queue.cc): every statement it
// runs on the `jobs` and `queue_state` tables, on SQLite and PostgreSQL
// alike (TakeSql adds PostgreSQL's row lock).
#pragma once

#include <string>
#include <string_view>

namespace vigil::local_queue_sql {

// The columns ReadInfo reads, in its order.
inline constexpr std::string_view kInfoColumns =
    "job_id, name, payload, job_group, state, priority, attempts_made, max_attempts,"
    " stalled_count, created_at, run_at, started_at, finished_at, return_value, failed_reason";

// The row id is the database's (an identity column on PostgreSQL takes no
// explicit NULL, and explicit ids would run ahead of its sequence).
inline constexpr std::string_view kInsertSql =
    "INSERT INTO jobs (queue, job_id, name, payload, job_group, state, priority, run_at,"
    " max_attempts, attempts_made, backoff_type, backoff_ms, stalled_count, lease_token,"
    " created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, 0, ?, ?, 0, 0, ?)"
    " ON CONFLICT (queue, job_id) DO NOTHING RETURNING id";

// A job added without an id is inserted under a placeholder id first, then
// named after its row id (both in one transaction).
inline constexpr std::string_view kNameByRowIdSql = "UPDATE jobs SET job_id = ? WHERE id = ?";

// Takes the next due job in one statement: the order of queue.h, nothing
// while the queue is paused. The attempt number leaves out stalled runs.
// On PostgreSQL the candidate row is locked with SKIP LOCKED, so
// concurrent takers in other processes pass over each other's rows instead
// of queueing behind them (and finding nothing).
inline std::string TakeSql(std::string_view dialect) {
  const std::string lock = dialect == "postgresql" ? " FOR UPDATE SKIP LOCKED" : "";
  return "UPDATE jobs SET state = 'active', lease_token = lease_token + 1, lease_owner = ?,"
         " lease_until = ?, attempts_made = attempts_made + 1, started_at = ?"
         " WHERE id = (SELECT id FROM jobs WHERE queue = ? AND state = 'waiting' AND run_at <= ?"
         "             ORDER BY priority, run_at, id LIMIT 1" +
         lock +
         ")"
         " AND state = 'waiting'"
         " AND NOT EXISTS (SELECT 1 FROM queue_state WHERE queue = ? AND paused <> 0)"
         " RETURNING job_id, name, payload, job_group, attempts_made - stalled_count,"
         " max_attempts, lease_token, created_at, run_at, started_at";
}

inline constexpr std::string_view kNextRunAtSql =
    "SELECT MIN(run_at) FROM jobs WHERE queue = ? AND state = 'waiting'"
    " AND NOT EXISTS (SELECT 1 FROM queue_state WHERE queue = ? AND paused <> 0)";

// The fence every holder of a lease passes: parameters queue, job_id, token.
#define VIGIL_LEASE_FENCE " WHERE queue = ? AND job_id = ? AND state = 'active' AND lease_token = ?"

inline constexpr std::string_view kExtendSql = "UPDATE jobs SET lease_until = ?" VIGIL_LEASE_FENCE;

inline constexpr std::string_view kCompleteSql =
    "UPDATE jobs SET state = 'completed', finished_at = ?, return_value = ?, lease_owner = NULL,"
    " lease_until = NULL" VIGIL_LEASE_FENCE;

inline constexpr std::string_view kFailReadSql =
    "SELECT attempts_made - stalled_count, max_attempts, backoff_type, backoff_ms FROM "
    "jobs" VIGIL_LEASE_FENCE;

inline constexpr std::string_view kRetryLaterSql =
    "UPDATE jobs SET state = 'waiting', run_at = ?, failed_reason = ?, lease_owner = NULL,"
    " lease_until = NULL" VIGIL_LEASE_FENCE;

inline constexpr std::string_view kFailForGoodSql =
    "UPDATE jobs SET state = 'failed', finished_at = ?, failed_reason = ?, lease_owner = NULL,"
    " lease_until = NULL" VIGIL_LEASE_FENCE;

#undef VIGIL_LEASE_FENCE

inline constexpr std::string_view kStalledFailSql =
    "UPDATE jobs SET state = 'failed', finished_at = ?, stalled_count = stalled_count + 1,"
    " failed_reason = 'stalled: the lease expired ' || (stalled_count + 1) ||"
    " ' times, more than max_stalled ' || ? || ' (last held by ' ||"
    " COALESCE(lease_owner, '?') || ')', lease_owner = NULL, lease_until = NULL"
    " WHERE queue = ? AND state = 'active' AND lease_until < ? AND stalled_count + 1 > ?";

inline constexpr std::string_view kStalledRequeueSql =
    "UPDATE jobs SET state = 'waiting', run_at = ?, stalled_count = stalled_count + 1,"
    " lease_owner = NULL, lease_until = NULL"
    " WHERE queue = ? AND state = 'active' AND lease_until < ?";

inline constexpr std::string_view kRetryFailedSql =
    "UPDATE jobs SET state = 'waiting', run_at = ?, attempts_made = 0, stalled_count = 0,"
    " finished_at = NULL WHERE queue = ? AND job_id = ? AND state = 'failed'";

inline constexpr std::string_view kStateSql =
    "SELECT state, run_at FROM jobs WHERE queue = ? AND job_id = ?";

inline constexpr std::string_view kSetPausedSql =
    "INSERT INTO queue_state (queue, paused) VALUES (?, ?)"
    " ON CONFLICT (queue) DO UPDATE SET paused = excluded.paused";

inline constexpr std::string_view kPausedSql =
    "SELECT COUNT(*) FROM queue_state WHERE queue = ? AND paused <> 0";

inline constexpr std::string_view kCountsSql =
    "SELECT state, CASE WHEN state = 'waiting' AND run_at > ? THEN 1 ELSE 0 END, COUNT(*)"
    " FROM jobs WHERE queue = ? GROUP BY 1, 2";

}  // namespace vigil::local_queue_sql
