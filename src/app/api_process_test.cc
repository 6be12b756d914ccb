// `vigil serve --http` as a client sees it: the API of a separate serve
// process over loopback (cpp-httplib's client), on a database seeded by
// `vigil sync` of a `vigil generate` directory. Covers every route group,
// a sync triggered over HTTP running to completion, authentication
// failures, the body size limit, the rate limit, a signed webhook and its
// replay, bad --http values and a taken port, and SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "store/secret_box.h"  // kSecretKeyFileEnv
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::ReadWholeFile;
using testing::Vigil;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::WaitFor;

constexpr const char* kTenant = "contoso";
constexpr const char* kOther = "fabrikam";

// A running `vigil serve --http 127.0.0.1:0` and a client of it.
struct Served {
  std::unique_ptr<VigilProcess> process;
  std::string log;
  int port = 0;

  std::unique_ptr<httplib::Client> Client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(std::chrono::seconds(30));
    client->set_write_timeout(std::chrono::seconds(30));
    return client;
  }
};

httplib::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

nlohmann::json Json(const httplib::Result& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

// "<status> <body>" of a response, or why there is none: for failure messages.
std::string Show(const httplib::Result& r) {
  if (!r) return "no response: " + httplib::to_string(r.error());
  return std::to_string(r->status) + " " + r->body.substr(0, 2000);
}

// HMAC-SHA256 of `t + "." + body` keyed with `secret`, in hex: what a
// webhook sender computes (written here with libsodium on purpose, not
// with the code under test).
std::string Sign(const std::string& secret, int64_t t, const std::string& body) {
  const std::string message = std::to_string(t) + "." + body;
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

class ApiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
    ASSERT_GE(sodium_init(), 0);
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/api.db";
    key_file_ = dir_ + "/secret.key";
    CliRun key = Vigil({"key", "generate", "--out", key_file_});
    ASSERT_EQ(key.status, 0) << key.err;
    key_env_.emplace(kSecretKeyFileEnv, key_file_);
    for (const char* tenant : {kTenant, kOther}) {
      const std::string graph = dir_ + "/graph-" + tenant;
      CliRun generate =
          Vigil({"generate", "--out", graph, "--tenant", tenant, "--users", "40"});
      ASSERT_EQ(generate.status, 0) << generate.err;
      CliRun sync = Vigil({"sync", "--db", db_, "--tenant", tenant, "--from-dir", graph});
      ASSERT_EQ(sync.status, 0) << sync.err;
    }
  }

  // Starts serve with `extra` flags on a free port; the port comes from
  // its serve.started log line.
  Served Serve(const std::vector<std::string>& extra = {}, const std::string& name = "serve") {
    Served s;
    s.log = dir_ + "/" + name + ".log";
    std::vector<std::string> args = {"serve", "--db", db_, "--http", "127.0.0.1:0", "--coalesce",
                                     "100ms", "--poll", "50ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    s.process = std::make_unique<VigilProcess>(args, s.log);
    const std::regex started("\"event\":\"serve\\.started\".*\"http\":\"127\\.0\\.0\\.1:([0-9]+)\"");
    WaitFor(
        [&] {
          std::smatch m;
          const std::string text = ReadWholeFile(s.log);
          if (!std::regex_search(text, m, started)) return false;
          s.port = std::stoi(m[1]);
          return true;
        },
        30);
    EXPECT_GT(s.port, 0) << ReadWholeFile(s.log);
    return s;
  }

  // A new token from `vigil token create`: of `tenant`, or an admin token
  // when it is empty.
  std::string Token(const std::string& tenant, const std::string& name) {
    std::vector<std::string> args = {"token", "create", "--db", db_, "--name", name};
    if (tenant.empty()) {
      args.push_back("--admin");
    } else {
      args.insert(args.end(), {"--tenant", tenant});
    }
    CliRun run = Vigil(args);
    EXPECT_EQ(run.status, 0) << run.err;
    std::smatch token, id;
    const std::regex token_line("^(vigil_[0-9a-f]{64})\n$");
    const std::regex id_text("created API token ([0-9]+) ");
    if (!std::regex_search(run.out, token, token_line) ||
        !std::regex_search(run.err, id, id_text)) {
      ADD_FAILURE() << "token create printed: " << run.out << run.err;
      return "";
    }
    token_ids_[token[1]] = id[1];
    return token[1];
  }

  // `vigil token revoke` of a token Token made.
  void Revoke(const std::string& token) {
    CliRun run = Vigil({"token", "revoke", "--db", db_, token_ids_.at(token)});
    ASSERT_EQ(run.status, 0) << run.err;
  }

  int64_t Query(const std::string& sql) {
    auto db = OpenSqliteDb(db_);
    return db.ok() ? testing::Count(db->get(), sql) : -1;
  }

  // The id of `tenant`'s only data source, as GET /api/v1/sources lists it.
  int64_t SourceId(httplib::Client* client, const std::string& token, const std::string& tenant) {
    auto r = client->Get("/api/v1/sources?tenant=" + tenant, Bearer(token));
    EXPECT_TRUE(r && r->status == 200) << Show(r);
    const nlohmann::json items = Json(r).value("items", nlohmann::json::array());
    EXPECT_EQ(items.size(), 1u) << Show(r);
    return items.empty() ? 0 : items[0].value("id", int64_t{0});
  }

  // Polls GET /api/v1/jobs/{id} until the job has finished; its last JSON.
  nlohmann::json AwaitJob(httplib::Client* client, const std::string& token,
                          const std::string& job_id) {
    nlohmann::json job;
    WaitFor(
        [&] {
          auto r = client->Get("/api/v1/jobs/" + job_id, Bearer(token));
          if (!r || r->status != 200) return false;
          job = Json(r);
          const std::string state = job.value("state", "");
          return state == "completed" || state == "failed";
        },
        60);
    return job;
  }

  static void Stop(Served* s) {
    s->process->Signal(SIGTERM);
    EXPECT_EQ(s->process->Wait(30), 0) << ReadWholeFile(s->log);
  }

  std::string dir_, db_, key_file_;
  std::optional<testing::ScopedEnv> key_env_;
  std::map<std::string, std::string> token_ids_;
};

TEST_F(ApiProcessTest, EveryRouteGroupAnswersAndAnApiSyncRunsToCompletion) {
  const std::string admin = Token("", "admin");
  const std::string tenant = Token(kTenant, "contoso-reader");
  Served s = Serve();
  ASSERT_GT(s.port, 0);
  auto client = s.Client();

  // Operations: public.
  auto r = client->Get("/healthz");
  EXPECT_TRUE(r && r->status == 200) << Show(r);
  r = client->Get("/readyz");
  EXPECT_TRUE(r && r->status == 200) << Show(r);
  r = client->Get("/api/v1/openapi.json");
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  EXPECT_TRUE(Json(r)["paths"].contains("/api/v1/alerts")) << Show(r);

  // Tenants: the admin sees both, the tenant token its own only.
  r = client->Get("/api/v1/tenants", Bearer(admin));
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  std::set<std::string> names;
  const nlohmann::json tenants = Json(r);
  for (const auto& t : tenants["items"]) names.insert(t.value("name", ""));
  EXPECT_EQ(names, (std::set<std::string>{kTenant, kOther})) << Show(r);
  r = client->Get("/api/v1/tenants", Bearer(tenant));
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  ASSERT_EQ(Json(r)["items"].size(), 1u) << Show(r);
  EXPECT_EQ(Json(r)["items"][0]["name"], kTenant);
  r = client->Get(std::string("/api/v1/tenants/") + kTenant, Bearer(tenant));
  EXPECT_TRUE(r && r->status == 200) << Show(r);
  r = client->Get(std::string("/api/v1/tenants/") + kOther, Bearer(tenant));
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 404) << Show(r);
  EXPECT_EQ(Json(r)["error"]["message"], std::string("tenant \"") + kOther + "\" not found");

  // Sources.
  const int64_t source_id = SourceId(client.get(), tenant, kTenant);
  ASSERT_GT(source_id, 0);
  r = client->Get("/api/v1/sources/" + std::to_string(source_id), Bearer(tenant));
  EXPECT_TRUE(r && r->status == 200) << Show(r);

  // Alerts, page by page along next_cursor: every open alert once.
  const int64_t open = Query("SELECT COUNT(*) FROM alerts a JOIN tenants t ON t.id = a.tenant_id"
                             " WHERE t.name = 'contoso' AND a.state = 'open'");
  ASSERT_GT(open, 7) << "the generated tenant should have some alerts";
  std::set<int64_t> seen;
  int pages = 0;
  std::string next = std::string("/api/v1/alerts?tenant=") + kTenant + "&state=open&limit=3";
  while (!next.empty() && pages < 1000) {
    r = client->Get(next, Bearer(tenant));
    ASSERT_TRUE(r && r->status == 200) << Show(r);
    const nlohmann::json page = Json(r);
    ++pages;
    for (const auto& a : page["items"]) {
      EXPECT_EQ(a.value("tenant", ""), kTenant) << a;
      EXPECT_TRUE(seen.insert(a.value("id", int64_t{0})).second) << "listed twice: " << a;
    }
    next.clear();
    if (page["next_cursor"].is_string()) {
      next = std::string("/api/v1/alerts?tenant=") + kTenant + "&state=open&limit=3&cursor=" +
             httplib::detail::encode_query_param(page["next_cursor"].get<std::string>());
    }
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), open);
  EXPECT_GE(pages, static_cast<int>(open / 3));

  // One alert, with its history.
  const int64_t alert_id = *seen.begin();
  r = client->Get("/api/v1/alerts/" + std::to_string(alert_id), Bearer(tenant));
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  EXPECT_EQ(Json(r)["id"], alert_id);
  EXPECT_FALSE(Json(r)["history"].empty()) << Show(r);

  // A sync over HTTP: 202, then the job runs to completion in serve.
  r = client->Post("/api/v1/sources/" + std::to_string(source_id) + "/sync", Bearer(tenant), "",
                   "application/json");
  ASSERT_TRUE(r && r->status == 202) << Show(r);
  const std::string job_id = Json(r).value("job_id", "");
  const std::string trace_id = Json(r).value("trace_id", "");
  ASSERT_FALSE(job_id.empty()) << Show(r);
  ASSERT_FALSE(trace_id.empty()) << Show(r);
  const nlohmann::json job = AwaitJob(client.get(), tenant, job_id);
  EXPECT_EQ(job.value("state", ""), "completed") << job << ReadWholeFile(s.log);
  EXPECT_EQ(job.value("trace_id", ""), trace_id) << job;

  // Jobs and the trace of that sync.
  r = client->Get(std::string("/api/v1/jobs?tenant=") + kTenant, Bearer(tenant));
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  bool listed = false;
  const nlohmann::json jobs = Json(r);
  for (const auto& j : jobs["items"]) listed = listed || j.value("id", "") == job_id;
  EXPECT_TRUE(listed) << Show(r);
  r = client->Get("/api/v1/traces/" + trace_id, Bearer(tenant));
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  EXPECT_NE(r->body.find("\"job.sync\""), std::string::npos) << Show(r);

  // The metrics count what was just served.
  r = client->Get("/metrics");
  ASSERT_TRUE(r && r->status == 200) << Show(r);
  EXPECT_NE(r->body.find("vigil_http_requests_total{"), std::string::npos) << Show(r);

  Stop(&s);
  const std::string log = ReadWholeFile(s.log);
  EXPECT_NE(log.find("\"event\":\"serve.stopped\""), std::string::npos) << log;
  // Stopped: nothing answers on the port any more.
  EXPECT_FALSE(testing::LoopbackPortAccepts(s.port));
}

TEST_F(ApiProcessTest, MissingBadAndRevokedTokensAre401Json) {
  const std::string token = Token(kTenant, "soon-revoked");
  Served s = Serve();
  ASSERT_GT(s.port, 0);
  auto client = s.Client();
  auto r = client->Get("/api/v1/alerts");
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Json(r)["error"]["code"], "unauthorized");
  EXPECT_EQ(Json(r)["error"]["message"], "missing Authorization: Bearer <token>");
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"vigil\"");

  r = client->Get("/api/v1/alerts", Bearer("vigil_" + std::string(64, 'a')));
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Json(r)["error"]["message"], "the token is unknown or revoked");

  r = client->Get("/api/v1/alerts", Bearer(token));
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 200) << Show(r);
  Revoke(token);
  r = client->Get("/api/v1/alerts", Bearer(token));
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 401) << Show(r);
  EXPECT_EQ(Json(r)["error"]["message"], "the token is unknown or revoked");

  // An admin-only route with a tenant token.
  const std::string reader = Token(kTenant, "reader");
  r = client->Post("/api/v1/tenants", Bearer(reader), R"({"name":"new-one"})", "application/json");
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 403) << Show(r);
  EXPECT_EQ(Json(r)["error"]["code"], "forbidden");
  Stop(&s);
}

TEST_F(ApiProcessTest, ABodyOverOneMebibyteIs413Json) {
  const std::string admin = Token("", "admin");
  Served s = Serve();
  ASSERT_GT(s.port, 0);
  auto client = s.Client();
  const std::string body = "{\"name\":\"" + std::string(1 << 20, 'x') + "\"}";
  auto r = client->Post("/api/v1/tenants", Bearer(admin), body, "application/json");
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 413) << Show(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Json(r)["error"]["code"], "payload_too_large") << Show(r);
  // Still serving.
  r = s.Client()->Get("/healthz");
  EXPECT_TRUE(r && r->status == 200) << Show(r);
  Stop(&s);
}

TEST_F(ApiProcessTest, ApiRateLimitsEachTokenWith429AndRetryAfter) {
  const std::string token = Token(kTenant, "busy");
  const std::string other = Token(kTenant, "calm");
  Served s = Serve({"--api-rate", "2"});
  ASSERT_GT(s.port, 0);
  auto client = s.Client();
  // A burst of 4 (twice the rate) is admitted; within the same second the
  // bucket runs dry well before 20 requests.
  std::optional<httplib::Response> limited;
  int admitted = 0;
  for (int i = 0; i < 20 && !limited; ++i) {
    auto r = client->Get("/api/v1/tenants", Bearer(token));
    ASSERT_TRUE(r) << Show(r);
    if (r->status == 429) {
      limited = *r;
    } else {
      EXPECT_EQ(r->status, 200) << Show(r);
      ++admitted;
    }
  }
  ASSERT_TRUE(limited) << "no 429 after 20 requests at --api-rate 2";
  EXPECT_GE(admitted, 4);
  const nlohmann::json error = nlohmann::json::parse(limited->body, nullptr, false);
  EXPECT_EQ(error["error"]["code"], "rate_limited") << limited->body;
  const std::string retry = limited->get_header_value("Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  // Another token has a bucket of its own.
  auto r = client->Get("/api/v1/tenants", Bearer(other));
  EXPECT_TRUE(r && r->status == 200) << Show(r);
  Stop(&s);
}

TEST_F(ApiProcessTest, ASignedWebhookEnqueuesASyncAndItsReplayIs409) {
  const std::string admin = Token("", "admin");
  int64_t source_id = 0;
  {
    auto db = OpenSqliteDb(db_);
    ASSERT_TRUE(db.ok());
    auto tenant = FindTenant(db->get(), kTenant);
    ASSERT_TRUE(tenant.ok() && tenant->has_value());
    auto sources = ListDataSources(db->get(), (*tenant)->id);
    ASSERT_TRUE(sources.ok() && sources->size() == 1u);
    source_id = sources->front().id;
  }
  // The secret as the operator gets it (sealed with VIGIL_SECRET_KEY_FILE's key).
  CliRun made = Vigil({"webhook", "secret", "--db", db_, "--source", std::to_string(source_id)});
  ASSERT_EQ(made.status, 0) << made.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(made.out, m, std::regex("([0-9a-f]{64})\n"))) << made.out;
  const std::string secret = m[1];
  Served s = Serve();
  ASSERT_GT(s.port, 0);
  auto client = s.Client();
  const std::string path = "/hooks/" + std::to_string(source_id);
  const std::string body = R"({"event":"users.changed"})";
  const int64_t t = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  const httplib::Headers headers = {
      {"Vigil-Signature", "t=" + std::to_string(t) + ",v1=" + Sign(secret, t, body)},
      {"Vigil-Delivery", "delivery-1"}};

  auto r = client->Post(path, headers, body, "application/json");
  ASSERT_TRUE(r && r->status == 202) << Show(r);
  const std::string job_id = Json(r).value("job_id", "");
  ASSERT_FALSE(job_id.empty()) << Show(r);
  const nlohmann::json job = AwaitJob(client.get(), admin, job_id);
  EXPECT_EQ(job.value("state", ""), "completed") << job << ReadWholeFile(s.log);

  r = client->Post(path, headers, body, "application/json");
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 409) << Show(r);
  EXPECT_EQ(Json(r)["error"]["code"], "replayed_delivery") << Show(r);

  // A wrong signature is refused and enqueues nothing.
  const int64_t jobs = Query("SELECT COUNT(*) FROM jobs WHERE name = 'sync'");
  const httplib::Headers forged = {
      {"Vigil-Signature", "t=" + std::to_string(t) + ",v1=" + Sign("not the secret", t, body)},
      {"Vigil-Delivery", "delivery-2"}};
  r = client->Post(path, forged, body, "application/json");
  ASSERT_TRUE(r) << Show(r);
  EXPECT_EQ(r->status, 401) << Show(r);
  EXPECT_EQ(Json(r)["error"]["code"], "invalid_signature") << Show(r);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM jobs WHERE name = 'sync'"), jobs);
  Stop(&s);
}

TEST_F(ApiProcessTest, BadHttpValuesAreUsageErrorsAndATakenPortFailsToStart) {
  for (const std::string bad : {"nonsense", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000",
                                ":8080", "::1:8080"}) {
    CliRun r = Vigil({"serve", "--db", db_, "--http", bad});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_EQ(r.err, "vigil: --http: \"" + bad +
                         "\" is not host:port (e.g. 127.0.0.1:8080; port 0 for any free port) "
                         "or off\n");
  }
  // `vigil worker` serves no HTTP.
  EXPECT_EQ(Vigil({"worker", "--db", db_, "--http", "127.0.0.1:0"}).status, 2);

  // A port something else listens on.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const std::string log = dir_ + "/taken.log";
  VigilProcess serve({"serve", "--db", db_, "--http", taken}, log);
  EXPECT_EQ(serve.Wait(30), 1) << ReadWholeFile(log);
  close(fd);
  EXPECT_NE(ReadWholeFile(log).find("vigil: http: cannot listen on " + taken), std::string::npos)
      << ReadWholeFile(log);

  // --http off: the service runs without HTTP.
  const std::string off_log = dir_ + "/off.log";
  VigilProcess off({"serve", "--db", db_, "--http", "off"}, off_log);
  ASSERT_TRUE(WaitFor(
      [&] { return ReadWholeFile(off_log).find("\"serve.started\"") != std::string::npos; }, 30))
      << ReadWholeFile(off_log);
  EXPECT_NE(ReadWholeFile(off_log).find("\"http\":\"off\""), std::string::npos)
      << ReadWholeFile(off_log);
  off.Signal(SIGTERM);
  EXPECT_EQ(off.Wait(30), 0) << ReadWholeFile(off_log);
}

}  // namespace
}  // namespace vigil
