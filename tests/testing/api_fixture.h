// ApiFixture: an Api over a fresh migrated database (SQLite file, or the
// shared PostgreSQL under VIGIL_TEST_DB=postgresql), a local queue on it and
// a FakeClock, for calling routes directly -- no network -- in tests. With
// Serve() the same Api is also served over loopback on a free port.
// Tests only.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/http_server.h"
#include "queue/queue.h"
#include "store/db_pool.h"
#include "store/secret_box.h"
#include "testing/fake_clock.h"

namespace vigil::testing {

// The JSON of a response's body; the message of an error response.
nlohmann::json Body(const ApiResponse& response);
std::string Message(const ApiResponse& response);

// Limits with no rate limit, for tests that make many requests.
ApiLimits Unlimited();

class ApiFixture {
 public:
  // `limits`: the Api's limits (the default ones unless a test changes them).
  // `secret_key`: opens webhook secrets (none: webhooks answer 503); it
  // must outlive the fixture.
  explicit ApiFixture(ApiLimits limits = {}, ApiHooks hooks = {},
                      const SecretKey* secret_key = nullptr);
  ~ApiFixture();

  // A connection of the test's own, for setting up rows and checking them.
  Db* db() { return db_.get(); }
  Queue* queue() { return queue_.get(); }
  FakeClock* clock() { return &clock_; }
  Api* api() { return api_.get(); }
  // A new connection to the same database (as another process would open).
  std::unique_ptr<Db> Connect();

  // A new admin token / a token of tenant `tenant` (created when new).
  std::string AdminToken(const std::string& name = "admin");
  std::string TenantToken(const std::string& tenant, const std::string& name = "tenant");

  // Calls the Api with `token` as "Authorization: Bearer <token>" (none when
  // empty) and `body`; `path` may carry a query string ("?a=1&b=2",
  // percent-decoded as a server would).
  ApiResponse Call(const std::string& method, const std::string& path,
                   const std::string& token = "", const std::string& body = "");

  // Serves the Api on 127.0.0.1 and a free port; returns the port.
  int Serve(HttpServerOptions options = {});

 private:
  FakeClock clock_;
  std::function<std::unique_ptr<Db>()> open_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<DbPool> pool_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace vigil::testing
