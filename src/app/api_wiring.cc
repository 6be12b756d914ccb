#include "app/api_wiring.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "app/channel_factory.h"
#include "app/database.h"
#include "app/provider_factory.h"
#include "app/readiness.h"
#include "observe/metrics.h"
#include "store/wal_checkpointer.h"

namespace vigil {
namespace {

constexpr const char* kExpected =
    "is not host:port (e.g. 127.0.0.1:8080; port 0 for any free port) or off";

bool EnvironmentNamesSecretKey() {
  for (const char* name : {kSecretKeyEnv, kSecretKeyFileEnv}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return true;
  }
  return false;
}

}  // namespace

std::string HttpAddress::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::optional<HttpAddress>> ParseHttpAddress(const std::string& text) {
  if (text == "off") return std::optional<HttpAddress>();
  const auto bad = [&text] { return Status::InvalidArgument("\"" + text + "\" " + kExpected); };
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return bad();
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of("[]:") != std::string::npos) {
    return bad();  // an IPv6 host needs its brackets
  }
  if (host.empty() || port.empty() || port.size() > 5) return bad();
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad();
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return bad();
  return std::optional<HttpAddress>(HttpAddress{host, value});
}

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ApiServerOptions& options, Queue* queue,
                                                    const Clock* clock) {
  std::unique_ptr<ApiServer> server(new ApiServer());
  if (EnvironmentNamesSecretKey()) {
    VIGIL_ASSIGN_OR_RETURN(SecretKey key, LoadSecretKey());
    server->secret_key_.emplace(std::move(key));
  }

  const std::string db = options.db;
  const bool sqlite = ParseDatabaseSpec(db).kind == DatabaseSpec::Kind::kSqlite;
  DbPoolOptions pool_options;
  pool_options.max_connections = std::max(options.threads, 1);
  server->pool_ = std::make_unique<DbPool>(
      [db, sqlite]() -> Result<std::unique_ptr<Db>> {
        VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> conn, OpenDatabase(db));
        if (sqlite) VIGIL_RETURN_IF_ERROR(DisableAutoCheckpoint(conn.get()));
        return conn;
      },
      pool_options);

  ApiEnv env;
  env.db_pool = server->pool_.get();
  env.queue = queue;
  env.clock = clock;
  env.metrics = DefaultMetrics();
  if (server->secret_key_) env.secret_key = &*server->secret_key_;
  if (options.rate_per_second > 0) {
    env.limits.rate_per_second = options.rate_per_second;
    env.limits.rate_burst =
        std::max(1, static_cast<int>(std::ceil(2 * options.rate_per_second)));
  } else {
    env.limits.rate_per_second = 0;
  }
  env.hooks.graph_http = SharedGraphHttpClient();
  env.hooks.readiness = ReadinessChecks(options.redis_url, options.nats_url);
  // POST /api/v1/channels runs the kind's own checks by opening the channel
  // (nothing is sent).
  env.hooks.check_channel = [clock](const ChannelSpec& spec) {
    return OpenChannel(spec, clock).status();
  };
  server->api_ = std::make_unique<Api>(std::move(env));

  HttpServerOptions http;
  http.host = options.address.host;
  http.port = options.address.port;
  http.threads = options.threads;
  http.max_connections = options.max_connections;
  http.max_connections_per_client = options.max_connections_per_client;
  http.max_body_bytes = server->api_->env()->limits.max_body_bytes;
  VIGIL_ASSIGN_OR_RETURN(server->http_, HttpServer::Start(server->api_.get(), http));
  server->bound_ = HttpAddress{options.address.host, server->http_->port()};
  return server;
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Stop() {
  if (http_) http_->Stop();
}

}  // namespace vigil
