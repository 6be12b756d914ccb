#include "testing/api_fixture.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "observe/metrics.h"
#include "queue/local_queue.h"
#include "store/api_tokens.h"
#include "store/tenants.h"
#include "testing/test_database.h"

namespace vigil::testing {
namespace {

constexpr TimeMs kStart = 1795000000000;  // 2026-11-18

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

nlohmann::json Body(const ApiResponse& response) { return nlohmann::json::parse(response.body); }

std::string Message(const ApiResponse& response) {
  return Body(response)["error"]["message"].get<std::string>();
}

ApiLimits Unlimited() {
  ApiLimits limits;
  limits.rate_per_second = 0;
  return limits;
}

ApiFixture::ApiFixture(ApiLimits limits, ApiHooks hooks, const SecretKey* secret_key)
    : clock_(kStart) {
  open_ = OpenTestDatabaseFactory();
  db_ = open_();
  pool_ = std::make_unique<DbPool>(
      [this]() -> Result<std::unique_ptr<Db>> {
        std::unique_ptr<Db> db = open_();
        if (!db) return Status::Unavailable("test database: cannot connect");
        return db;
      },
      DbPoolOptions{4, 5000});
  Result<std::unique_ptr<Queue>> queue = OpenLocalQueue(open_(), &clock_);
  EXPECT_TRUE(queue.ok()) << queue.status().message();
  if (queue.ok()) queue_ = std::move(*queue);
  ApiEnv env;
  env.db_pool = pool_.get();
  env.queue = queue_.get();
  env.clock = &clock_;
  env.metrics = DefaultMetrics();
  env.secret_key = secret_key;
  env.limits = limits;
  env.hooks = std::move(hooks);
  api_ = std::make_unique<Api>(std::move(env));
}

ApiFixture::~ApiFixture() {
  if (server_) server_->Stop();
}

std::unique_ptr<Db> ApiFixture::Connect() { return open_(); }

std::string ApiFixture::AdminToken(const std::string& name) {
  Result<NewApiToken> token = CreateApiToken(db_.get(), name, std::nullopt, clock_.NowMs());
  EXPECT_TRUE(token.ok()) << token.status().message();
  return token.ok() ? token->token : "";
}

std::string ApiFixture::TenantToken(const std::string& tenant, const std::string& name) {
  Result<TenantRow> row = EnsureTenant(db_.get(), tenant, clock_.NowMs());
  EXPECT_TRUE(row.ok()) << row.status().message();
  if (!row.ok()) return "";
  Result<NewApiToken> token = CreateApiToken(db_.get(), name, row->id, clock_.NowMs());
  EXPECT_TRUE(token.ok()) << token.status().message();
  return token.ok() ? token->token : "";
}

ApiResponse ApiFixture::Call(const std::string& method, const std::string& path,
                             const std::string& token, const std::string& body) {
  ApiRequest request;
  request.method = method;
  const size_t q = path.find('?');
  request.path = path.substr(0, q);
  if (q != std::string::npos) {
    std::string rest = path.substr(q + 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t end = rest.find('&', start);
      if (end == std::string::npos) end = rest.size();
      const std::string pair = rest.substr(start, end - start);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        request.query.emplace_back(PercentDecode(pair.substr(0, eq)),
                                   eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1)));
      }
      start = end + 1;
    }
  }
  if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
  if (!body.empty()) request.headers["content-type"] = "application/json";
  request.body = body;
  request.remote_addr = "127.0.0.1";
  return api_->Handle(std::move(request));
}

int ApiFixture::Serve(HttpServerOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(api_.get(), options);
  EXPECT_TRUE(server.ok()) << server.status().message();
  if (!server.ok()) return 0;
  server_ = std::move(*server);
  return server_->port();
}

}  // namespace vigil::testing
