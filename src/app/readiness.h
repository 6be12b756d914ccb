// Reachability checks of the backends vigil serve uses besides its database:
// what GET /readyz reports (ApiHooks::readiness) and where `vigil health`
// starts its Redis checks.
//
// Each check connects anew (a connection of its own, closed again), so it
// says whether the server answers now, not whether a pooled connection
// once did; each is bounded by kReadinessTimeoutMs.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "queue/redis_connection.h"

namespace vigil {

// How long one check may wait for its server to connect, and then for each
// answer: `vigil health --redis` says within seconds that a server which
// accepts connections but does not answer is unresponsive.
inline constexpr int64_t kReadinessTimeoutMs = 1000;

// A new connection to the Redis server at `endpoint`, within the timeout;
// Unavailable "unreachable: <why>" when it does not connect.
Result<std::unique_ptr<RedisConnection>> ConnectRedisForCheck(const RedisEndpoint& endpoint);

// OK when the Redis server of `url` (redis://...) answers PING; otherwise
// why not (InvalidArgument for a malformed URL, ParseRedisUrl's message).
Status CheckRedisReachable(const std::string& url);

// OK when a NATS client connection to `url` (nats://...) can be made;
// otherwise why not (naming the URL).
Status CheckNatsReachable(const std::string& url);

// The readiness checks for GET /readyz: {"redis", ...} when `redis_url` is
// not empty, {"nats", ...} when `nats_url` is not empty, in that order.
std::vector<std::pair<std::string, std::function<Status()>>> ReadinessChecks(
    const std::string& redis_url, const std::string& nats_url);

}  // namespace vigil
