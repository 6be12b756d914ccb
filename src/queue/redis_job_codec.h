// How a job's fields travel between vigil's types and BullMQ's Redis layout
// (queue/redis_scripts.h): the opts JSON an add writes, and the rows the
// take, get and list scripts return. For the Redis queue backend
// (queue/redis_queue.h) only.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "queue/queue.h"
#include "queue/redis_connection.h"

namespace vigil {

// The longest delay kept (about 34 years); longer ones are cut to it.
inline constexpr int64_t kRedisMaxDelayMs = int64_t{1} << 40;

// A job's opts as BullMQ stores them (JSON), with BullMQ's removeOnComplete
// and removeOnFail from the queue's options (-1: keep every job, 0: remove
// at once, N: keep the newest N).
std::string BullMqOptsJson(const JobOptions& options, int64_t remove_on_complete,
                           int64_t remove_on_fail);

// A row of the get and list scripts: {id, state, due, {fields}}.
JobInfo ParseJobInfoRow(const RedisReply& row);

// A row of the take scripts: {1, token, id, name, data, opts, timestamp,
// delay, atm, vigil:due, processedOn}.
Job ParseTakenRow(const RedisReply& row);

}  // namespace vigil
