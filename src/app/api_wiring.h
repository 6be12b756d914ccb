// ApiServer: the HTTP API as `vigil serve` runs it -- the Api (api/api.h)
// over a connection pool of its own on serve's database, the service's
// queue, the process metrics registry, the concrete backends it cannot name
// (ApiHooks: the Graph HTTP client, the Redis and NATS readiness checks of
// app/readiness.h, the channel kinds' checks of app/channel_factory.h), and the
// secret key webhooks need, served by an HttpServer (api/http_server.h) on
// the --http address.
//
// The pool holds at most `threads` connections (one per handler thread),
// opened on first use like the service's own (SQLite connections leave WAL
// checkpoints to the service's checkpointer thread).
//
// Thread safety: Start and Stop from one thread; the server's threads call
// the Api. Ownership: the queue and clock are borrowed and must outlive the
// ApiServer (serve stops it before the service).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/http_server.h"
#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db_pool.h"
#include "store/secret_box.h"

namespace vigil {

struct HttpAddress {
  std::string host;
  int port = 0;  // 0: any free port

  // "host:port", IPv6 hosts in brackets.
  std::string ToString() const;
};

// The --http flag: "host:port" (port 0 to 65535; an IPv6 host in brackets,
// "[::1]:8080") or "off" (nullopt). InvalidArgument otherwise, saying what
// is expected; the caller prefixes the flag's name.
Result<std::optional<HttpAddress>> ParseHttpAddress(const std::string& text);

struct ApiServerOptions {
  std::string db;  // the --db flag: a SQLite path or a postgresql:// URL
  HttpAddress address{"127.0.0.1", 8080};
  int threads = 16;  // handler threads (HttpServerOptions::threads)
  // Caps on open connections (HttpServerOptions); 503 beyond.
  int max_connections = HttpServerOptions().max_connections;
  int max_connections_per_client = HttpServerOptions().max_connections_per_client;
  // Requests/s each token may make; the burst is twice that. 0: no limit.
  double rate_per_second = 50;
  // The backends /readyz checks besides the database (empty: not used).
  std::string redis_url;
  std::string nats_url;
};

class ApiServer {
 public:
  // Builds the Api and starts serving it. Fails with the HttpServer's
  // Unavailable "http: cannot listen on H:P ..." when the address cannot be
  // bound, or with LoadSecretKey's error when the environment names a
  // secret key (VIGIL_SECRET_KEY, VIGIL_SECRET_KEY_FILE) that cannot be
  // loaded. Nothing is left running on failure.
  static Result<std::unique_ptr<ApiServer>> Start(const ApiServerOptions& options, Queue* queue,
                                                  const Clock* clock);
  ~ApiServer();

  // The address bound: the given host and the port (the kernel's pick
  // when the option's port was 0).
  HttpAddress address() const { return bound_; }

  // Stops accepting, finishes the requests in progress and joins the
  // server's threads. Idempotent.
  void Stop();

 private:
  ApiServer() = default;

  HttpAddress bound_;
  std::optional<SecretKey> secret_key_;  // when the environment names one
  std::unique_ptr<DbPool> pool_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> http_;  // last: stopped first
};

}  // namespace vigil
