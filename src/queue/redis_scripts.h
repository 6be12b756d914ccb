// The Lua scripts of the Redis queue backend (queue/redis_queue.h): every
// change of a job's state is one script, so it is atomic, and a job is never
// in two states at once. They keep BullMQ's layout (learned from BullMQ's
// documentation and scripts; the code is ours):
//
//   <base> = <hash tag><prefix>:<queue name>, e.g. "bull:vigil"
//   <base>:wait         LIST   waiting jobs, LPUSH in, taken from the right
//   <base>:paused       LIST   the wait list while the queue is paused
//   <base>:active       LIST   jobs under a lock
//   <base>:prioritized  ZSET   waiting jobs with priority > 0, score
//                              priority * 2^32 + (<base>:pc counter mod 2^32)
//   <base>:pc           STRING the priority counter
//   <base>:delayed      ZSET   score due_ms * 4096 + n (n < 4096 orders one ms)
//   <base>:completed    ZSET   score finishedOn
//   <base>:failed       ZSET   score finishedOn
//   <base>:meta         HASH   "paused" while paused; "opts.maxLenEvents"
//   <base>:id           STRING job id counter (INCR on every add)
//   <base>:events       STREAM events: added, waiting, delayed, active,
//                              completed (returnvalue), failed (failedReason),
//                              retries-exhausted, stalled, duplicated,
//                              drained, paused, resumed
//   <base>:marker       ZSET   wake-up marker: member "0" score 0 when a job
//                              can be taken, member "1" scored with the next
//                              delayed job's due time; workers BZPOPMIN it
//   <base>:stalled      SET    BullMQ's stall candidates (we remove ours)
//   <base>:<id>         HASH   name, data, opts (JSON), timestamp, delay,
//                              priority, processedOn, finishedOn, returnvalue
//                              (JSON), failedReason, atm (attempts made),
//                              ats (attempts started), stc (stall count),
//                              pb (processed by); and two fields of ours:
//                              vigil:due (ms the job became due) and
//                              vigil:seq (the add's <base>:id counter value)
//   <base>:<id>:lock    STRING the lease: the fencing token, TTL = lease
//   <base>:vigil:token  STRING ours: the fencing token counter
//   <base>:vigil:wake:* ZSET   ours: wakes a blocked Take of this process
//
// Groups (tenants), all keys ours. A job's group (JobOptions::group) is kept
// in its opts as {"group":{"id":..}} and in the job hash field vigil:group.
// A grouped job in BullMQ's delayed, active, completed or failed set is
// where BullMQ keeps such jobs; only while it waits is it somewhere else:
//   <base>:vigil:g:<group> ZSET   the group's waiting jobs, score
//                                 priority * 2^32 + (<base>:vigil:gc mod 2^32)
//                                 (priority 0 first, as BullMQ's wait list
//                                 comes before its prioritized set)
//   <base>:vigil:gc        STRING the counter of those scores
//   <base>:vigil:groups    LIST   the ring: every group with waiting jobs,
//                                 plus the member "" that stands for all
//                                 ungrouped jobs (wait + prioritized); it
//                                 exists only while a grouped job waits
// Take rotates the ring (tail to head) and takes the first job of the
// member it rotated, skipping members without one: a tenant with 10,000
// waiting jobs delays another tenant's job by at most one take per group
// ahead of it in the ring, and all ungrouped jobs together are one member,
// so they get their turn like one tenant. While no grouped job waits, Take
// is BullMQ's (wait list, then prioritized set) and the ring does not
// exist. A Node BullMQ worker does not see grouped waiting jobs (it runs
// ungrouped ones only); BullMQ's getJobCounts does not count them as waiting.
//
// Every script gets the same KEYS (kRedisKeySuffixes, in that order) and
// ARGV[1] = "<base>:" (the job key prefix), ARGV[2] = now in ms; the rest
// of ARGV is described at each script in redis_scripts.cc.
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "queue/redis_connection.h"

namespace vigil {

enum class RedisScript {
  kAdd,
  kTake,
  kExtendLock,
  kComplete,
  kFail,
  kRecoverStalled,
  kRetry,
  kPause,
  kCounts,
  kGet,
  kList,
  kRelease,
  kCompleteAndTake,
  kAddBulk,
};
inline constexpr int kRedisScriptCount = 14;

// "add", "take", ... (for error messages).
std::string_view RedisScriptName(RedisScript script);
// The script's Lua source.
const std::string& RedisScriptSource(RedisScript script);
// The Lua helpers every script starts with (queue/redis_scripts_prelude.cc).
std::string_view RedisScriptPrelude();

// The suffixes of the KEYS every script gets: KEYS[i] = <base>:<suffix>.
inline constexpr std::array<std::string_view, 16> kRedisKeySuffixes = {
    "wait",   "paused", "active", "prioritized", "pc",          "delayed",      "completed", "failed",
    "meta",   "id",     "events", "marker",      "stalled",     "vigil:token",  "vigil:groups",
    "vigil:gc"};

// What the scripts that check a lock return when it does not hold.
inline constexpr int64_t kLockMissingJob = -1;  // no such job
inline constexpr int64_t kLockMissing = -2;     // the lock expired or was released
inline constexpr int64_t kLockNotActive = -3;   // locked but not in the active list
inline constexpr int64_t kLockHeldByOther = -6; // another token holds the lock

// Loads the scripts into a server and runs them: SCRIPT LOAD once, EVALSHA
// afterwards, loading a script again when the server answers NOSCRIPT (it
// was restarted or SCRIPT FLUSHed). Thread-safe.
class RedisScripts {
 public:
  // SCRIPT LOADs every script through `connection`.
  Status LoadAll(RedisConnection* connection);

  // Runs `script` with `keys` and `args`. An error reply becomes a Status
  // (ReplyError) naming the script.
  Result<RedisReply> Run(RedisConnection* connection, RedisScript script,
                         const std::vector<std::string>& keys,
                         const std::vector<std::string>& args);

 private:
  Result<std::string> Load(RedisConnection* connection, RedisScript script);

  std::mutex mu_;
  std::array<std::string, kRedisScriptCount> sha_;
};

}  // namespace vigil
