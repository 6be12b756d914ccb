#include "app/readiness.h"

#include "events/nats_bus.h"

namespace vigil {

Result<std::unique_ptr<RedisConnection>> ConnectRedisForCheck(const RedisEndpoint& endpoint) {
  Result<std::unique_ptr<RedisConnection>> conn =
      RedisConnection::Connect(endpoint, kReadinessTimeoutMs, kReadinessTimeoutMs);
  if (!conn.ok()) return Status::Unavailable("unreachable: " + conn.status().message());
  return conn;
}

Status CheckRedisReachable(const std::string& url) {
  VIGIL_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUrl(url));
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> conn, ConnectRedisForCheck(endpoint));
  Result<RedisReply> pong = conn->Command({"PING"});
  if (!pong.ok()) return Status::Unavailable("PING failed: " + pong.status().message());
  if (pong->is_error()) return Status::Unavailable("PING answered: " + pong->str);
  return Status::Ok();
}

Status CheckNatsReachable(const std::string& url) {
  NatsBusOptions options;
  options.url = url;
  options.use_jetstream = false;  // a connection is the question, not the stream
  options.require_server = true;
  options.connect_timeout_ms = kReadinessTimeoutMs;
  Result<std::unique_ptr<NatsBus>> bus = OpenNatsBus(options);
  if (!bus.ok()) return Status::Unavailable("unreachable: " + bus.status().message());
  return Status::Ok();
}

std::vector<std::pair<std::string, std::function<Status()>>> ReadinessChecks(
    const std::string& redis_url, const std::string& nats_url) {
  std::vector<std::pair<std::string, std::function<Status()>>> checks;
  if (!redis_url.empty()) {
    checks.emplace_back("redis", [redis_url] { return CheckRedisReachable(redis_url); });
  }
  if (!nats_url.empty()) {
    checks.emplace_back("nats", [nats_url] { return CheckNatsReachable(nats_url); });
  }
  return checks;
}

}  // namespace vigil
