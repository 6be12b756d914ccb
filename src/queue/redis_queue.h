// RedisQueue: the Queue backend on Redis, in BullMQ's Redis layout (see
// queue/redis_scripts.h for the keys, fields and events), so that a job a
// Node BullMQ producer adds is run by a vigil Worker, a job vigil adds is
// run by a BullMQ Worker, and both show up in BullMQ's own tools.
//
// Mapping of the Queue contract onto BullMQ:
//   - The lease is the job's lock key (<base>:<id>:lock) with a TTL of
//     lease_ms; its value is the fencing token (Job::token), drawn from a
//     counter of ours, so it grows with every take. Complete, Fail and
//     ExtendLease check the token in the same script that changes the job:
//     a lock that expired (even before RecoverStalled ran), was released or
//     is held with another token gives FailedPrecondition and no change.
//   - Job::attempt is BullMQ's attemptsMade ("atm", finished runs) + 1;
//     JobInfo::attempts_made is BullMQ's attemptsStarted ("ats"), and
//     JobInfo::stalled_count its stalledCounter ("stc").
//   - "delayed" is BullMQ's delayed set: a delayed job is waiting once it
//     has been promoted (Take promotes every due job first). Counts report
//     jobs by the set they are in.
//   - Job ids: generated ids are the <base>:id counter in decimal; a
//     caller's id must not be all digits (as in BullMQ). Priorities go up to
//     2,097,151 (BullMQ's limit).
//   - CompleteAndTake is one script, so one round trip: it completes every
//     job given (each checked against its own token) and then takes up to
//     max_take jobs in Take's order (the ring of groups included), each
//     with its own lock, token and TTL. Release gives a job back first in
//     line, its start not counted (attemptsStarted goes back down) and no
//     stall counted. A CompleteAndTake that finds nothing to take waits as
//     Take does (see Waiting), then takes again. This is the queue's one
//     batching mechanism: the prefetching Worker (queue/worker.h) uses it;
//     Take and Complete stay one job per call.
//   - RecoverStalled fails a job stalled more than max_stalled times at once
//     (with "stalled: ..." as failedReason), where BullMQ 5 defers that to
//     the worker that takes it next.
//
// Fairness: jobs with a group (JobOptions::group, the tenant) are taken
// round robin across groups, the ungrouped ones together counting as one
// group (the ring in queue/redis_scripts.h); within a group the order of
// queue.h holds. Jobs without a group stay entirely in BullMQ's keys. The
// local backend (queue/local_queue.h) has no such fairness: it takes in
// queue.h's order whatever the group.
//
// Waiting: a Take that finds nothing blocks with BZPOPMIN on the marker key
// (and on a wake-up key of its own, which WakeAll uses) on a connection of
// its own per worker name, named as BullMQ names a worker's blocking
// connection ("<prefix>:<base64 queue name>:w:<worker>"), so BullMQ's
// getWorkers counts it. It wakes when any process adds a job, when the next
// delayed job is due, on Resume, or at wait_ms; it never polls.
//
// Errors: the server unreachable or not answering within the command
// timeout is Unavailable ("redis 127.0.0.1:6380: connection refused",
// "... no answer within 1000 ms", prefixed with the operation); a broken
// connection is dropped, with every idle one made before it (they would
// fail too after a restart), and the next call connects again.
//
// Thread safety: every method may be called from any thread; commands use a
// pool of connections. `clock` must outlive the queue.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"

namespace vigil {

struct RedisQueueOptions {
  // redis://[[user]:password@]host[:port][/db]
  std::string url = "redis://127.0.0.1:6379";
  // The queue's name: BullMQ's queue name.
  std::string name = "vigil";
  // BullMQ's key prefix.
  std::string prefix = "bull";
  // For Redis Cluster: a hash tag such as "{vigil}" put in front of the
  // prefix, so every key of the queue is in one slot ("{vigil}bull:vigil:wait").
  // A BullMQ client then uses prefix "{vigil}bull". Empty: none.
  std::string hash_tag;
  // RecoverStalled fails a job whose lease expired more than this many times.
  int max_stalled = 1;
  // How long connecting may take, and how long a command may wait for its
  // answer. Short, so that a server that stalls (SIGSTOP, a long script, a
  // full disk under `appendfsync always`) is found out at once: the call
  // returns Unavailable ("redis HOST:PORT: no answer within 1000 ms") and the
  // caller (FailoverQueue) turns to its fallback. A waiting Take blocks for
  // its wait plus command_timeout_ms at most.
  int64_t connect_timeout_ms = 1000;
  int64_t command_timeout_ms = 1000;
  // BullMQ's removeOnComplete / removeOnFail, written into the opts of every
  // job this queue adds: -1 keeps every finished job, 0 removes a job as it
  // finishes, N keeps the newest N of the completed (failed) set. The
  // scripts also honour these options in jobs a Node producer added
  // (true, a number, or {count, age}). A removed job is NotFound to Get.
  int64_t remove_on_complete = -1;
  int64_t remove_on_fail = -1;
};

// Connects to the server, checks it (Redis 6.2 or later, for LPOS and
// BZPOPMIN with fractions of a second) and loads the scripts. InvalidArgument
// for bad options (empty name or prefix, max_stalled < 0, a connect or
// command timeout <= 0, a malformed URL or hash tag); Unavailable when the server cannot be
// reached; FailedPrecondition for an older server.
Result<std::unique_ptr<Queue>> OpenRedisQueue(const RedisQueueOptions& options, const Clock* clock);

}  // namespace vigil
