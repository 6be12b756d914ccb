// The HTTP API load benchmark of docs/PERFORMANCE.md (issue 7): GET
// /api/v1/alerts?limit=100 over loopback against a tenant with many alerts.
//
// Setup (not timed): a fresh SQLite file (migrated by the store) with one
// tenant and --alerts N alert rows inserted in one transaction (90% open,
// spread over the alert types and severities), an admin token, and the Api
// (api/api.h) with no rate limit (one token makes every request).
//
// The same Api is served in this process, one after the other, by two
// servers on free loopback ports: the previous cpp-httplib server
// (bench/baseline_httplib_server.h, 16 threads as it shipped, more when
// there are more connections, since each keep-alive connection holds one),
// and the HttpServer vigil serves with (api/http_server.h, Boost.Beast),
// with its default options, as `vigil serve` runs it. A warm-up of a tenth
// of the requests on the HttpServer first (not printed) leaves both timed
// runs the same warm SQLite cache.
//
// Timed, per server: --connections C client threads, each with one
// keep-alive httplib::Client, issue --requests R requests in total; every
// client alternates a first page with a page that follows a next_cursor
// chain (so half the requests are first pages and half go deeper into the
// list). Latency is measured around each request, response parsing
// excluded.
//
// Usage: bench_api [--alerts N] [--requests R] [--connections C] [--dir DIR]
// Prints a "command:" line with every flag and the servers' threads, and a
// Markdown table, one row per server; exits 1 when any response is not 200.
#include <httplib.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "api/http_server.h"
#include "baseline_httplib_server.h"
#include "common/clock.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "queue/local_queue.h"
#include "store/api_tokens.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_api: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

constexpr const char* kTypes[][3] = {
    // analysis type, alert type, severity
    {"mfa", "mfa.user_not_registered", "medium"},
    {"mfa", "mfa.admin_not_registered", "critical"},
    {"stale", "stale.user", "low"},
    {"stale", "stale.guest", "low"},
    {"privilege", "privilege.stale_admin", "high"},
    {"license", "license.disabled_user", "low"},
};

// Inserts `count` alerts of `tenant_id` in one transaction.
void InsertAlerts(Db* db, int64_t tenant_id, int count, TimeMs now) {
  Transaction tx(db);
  if (!tx.status().ok()) Die("begin", tx.status());
  Result<std::unique_ptr<Statement>> insert = db->Prepare(
      "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name, severity, state,"
      " details, details_digest, tag, first_seen, last_seen, resolved_at, updated_at,"
      " last_trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)");
  if (!insert.ok()) Die("prepare insert", insert.status());
  Statement* s = insert->get();
  const int kinds = static_cast<int>(sizeof kTypes / sizeof kTypes[0]);
  for (int i = 0; i < count; ++i) {
    const auto& kind = kTypes[i % kinds];
    const bool open = i % 10 != 9;
    const std::string subject = "user-" + std::to_string(i);
    const std::string details =
        "{\"userPrincipalName\":\"" + subject + "@contoso.example\",\"days\":" +
        std::to_string(90 + i % 300) + "}";
    const TimeMs seen = now - (i % 1000) * 60000LL;
    const DbValue resolved = open ? DbValue() : DbValue(int64_t{now});
    s->BindAll({tenant_id, std::string(kind[0]), std::string(kind[1]), subject,
                subject + "@contoso.example", std::string(kind[2]),
                std::string(open ? "open" : "resolved"), details, "digest-" + std::to_string(i),
                int64_t{seen}, int64_t{now}, resolved, int64_t{now}, std::string("trace-bench")});
    Status done = s->Execute();
    if (!done.ok()) Die("insert alert " + std::to_string(i), done);
  }
  Status committed = tx.Commit();
  if (!committed.ok()) Die("commit", committed);
}

struct ClientResult {
  std::vector<double> ms;
  int64_t followed = 0;  // requests that followed a next_cursor
  int64_t failures = 0;
  std::string first_failure;
};

// One client thread: `requests` requests on one keep-alive connection,
// alternating a first page and the next page of its current chain.
void RunClient(int port, const std::string& token, int requests, ClientResult* out) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_read_timeout(std::chrono::seconds(60));
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  const std::string first = "/api/v1/alerts?limit=100";
  std::optional<std::string> cursor;  // the chain's next page
  out->ms.reserve(requests);
  for (int i = 0; i < requests; ++i) {
    const bool follow = i % 2 == 1 && cursor.has_value();
    const std::string path =
        follow ? first + "&cursor=" + httplib::detail::encode_query_param(*cursor) : first;
    if (follow) ++out->followed;
    const Steady::time_point start = Steady::now();
    httplib::Result r = client.Get(path, headers);
    out->ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
    if (!r || r->status != 200) {
      if (out->failures++ == 0) {
        out->first_failure =
            path + ": " + (r ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                             : "no response (" + httplib::to_string(r.error()) + ")");
      }
      continue;
    }
    nlohmann::json page = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    const bool has_next = page.is_object() && page["next_cursor"].is_string();
    if (follow || !cursor.has_value()) {
      // Advance the chain (or start one); at its end the next first page restarts it.
      cursor = has_next ? std::optional<std::string>(page["next_cursor"].get<std::string>())
                        : std::nullopt;
    }
  }
}

double Percentile(std::vector<double>* sorted, double p) {
  if (sorted->empty()) return 0;
  const size_t at = std::min(sorted->size() - 1, static_cast<size_t>(p * sorted->size()));
  return (*sorted)[at];
}

struct Run {
  std::vector<double> ms;
  double wall_s = 0;
  double cpu_s = 0;  // the whole process: server and clients
  int64_t followed = 0;
  int64_t failures = 0;
  std::string first_failure;

  void Add(const Run& other) {
    ms.insert(ms.end(), other.ms.begin(), other.ms.end());
    std::sort(ms.begin(), ms.end());
    wall_s += other.wall_s;
    cpu_s += other.cpu_s;
    followed += other.followed;
    failures += other.failures;
    if (first_failure.empty()) first_failure = other.first_failure;
  }
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// `requests` requests over `connections` clients against 127.0.0.1:port.
Run Measure(int port, const std::string& token, int requests, int connections) {
  std::vector<ClientResult> results(connections);
  std::vector<std::thread> clients;
  const Steady::time_point start = Steady::now();
  const double cpu_start = ProcessCpuSeconds();
  for (int c = 0; c < connections; ++c) {
    const int share = requests / connections + (c < requests % connections ? 1 : 0);
    clients.emplace_back(RunClient, port, token, share, &results[c]);
  }
  for (std::thread& t : clients) t.join();
  Run run;
  run.wall_s = std::chrono::duration<double>(Steady::now() - start).count();
  run.cpu_s = ProcessCpuSeconds() - cpu_start;
  for (const ClientResult& r : results) {
    run.ms.insert(run.ms.end(), r.ms.begin(), r.ms.end());
    run.followed += r.followed;
    run.failures += r.failures;
    if (run.first_failure.empty()) run.first_failure = r.first_failure;
  }
  std::sort(run.ms.begin(), run.ms.end());
  return run;
}

// Prints the run's row; returns its failures (reported on stderr).
int64_t Print(const char* server, int alerts, int connections, double setup_s, Run* run) {
  std::vector<double>& ms = run->ms;
  std::printf("| %s | %d | %d | %zu | %lld | %.1f s | %.2f s | %.0f | %.2f ms | %.2f ms | "
              "%.2f ms | %.2f ms | %lld |\n",
              server, alerts, connections, ms.size(), static_cast<long long>(run->followed),
              setup_s, run->wall_s, ms.size() / run->wall_s,
              ms.empty() ? 0.0 : 1000 * run->cpu_s / ms.size(), Percentile(&ms, 0.50),
              Percentile(&ms, 0.99), ms.empty() ? 0.0 : ms.back(),
              static_cast<long long>(run->failures));
  std::fflush(stdout);
  if (run->failures > 0) {
    std::fprintf(stderr, "bench_api: %s: %lld responses were not 200; the first: %s\n", server,
                 static_cast<long long>(run->failures), run->first_failure.c_str());
  }
  return run->failures;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  int alerts = 100000, requests = 20000, connections = 8;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--alerts")) alerts = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--requests")) requests = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_api [--alerts N] [--requests R] [--connections C] "
                           "[--dir DIR]\n");
      return 2;
    }
  }
  if (argc % 2 == 0 || alerts < 1 || requests < 1 || connections < 1) {
    std::fprintf(stderr, "usage: bench_api [--alerts N] [--requests R] [--connections C] "
                         "[--dir DIR] (positive numbers)\n");
    return 2;
  }
  SetLogLevel(LogLevel::kWarn);
  const bool own_dir = dir.empty();
  if (own_dir) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vigil-bench-api-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("bench_api: mkdtemp");
      return 1;
    }
    dir = pattern;
  }
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bench_api.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  std::unique_ptr<Clock> clock = NewSystemClock();
  const TimeMs now = clock->NowMs();
  std::string token;
  const Steady::time_point setup_start = Steady::now();
  {
    Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
    if (!db.ok()) Die("open " + path, db.status());
    Result<TenantRow> tenant = EnsureTenant(db->get(), "contoso", now);
    if (!tenant.ok()) Die("tenant", tenant.status());
    InsertAlerts(db->get(), tenant->id, alerts, now);
    Result<NewApiToken> admin = CreateApiToken(db->get(), "bench", std::nullopt, now);
    if (!admin.ok()) Die("token", admin.status());
    token = admin->token;
  }
  const double setup_s =
      std::chrono::duration<double>(Steady::now() - setup_start).count();

  const int baseline_threads = std::max(16, connections);
  DbPoolOptions pool_options;
  pool_options.max_connections = std::max(baseline_threads, HttpServerOptions().threads);
  DbPool pool([path]() { return OpenSqliteDb(path); }, pool_options);
  Result<std::unique_ptr<Db>> queue_db = OpenSqliteDb(path);
  if (!queue_db.ok()) Die("open queue database", queue_db.status());
  Result<std::unique_ptr<Queue>> queue = OpenLocalQueue(std::move(*queue_db), clock.get());
  if (!queue.ok()) Die("open queue", queue.status());
  ApiEnv env;
  env.db_pool = &pool;
  env.queue = queue->get();
  env.clock = clock.get();
  env.metrics = DefaultMetrics();
  env.limits.rate_per_second = 0;
  Api api(std::move(env));

  const HttpServerOptions defaults;
  std::printf("command: bench_api --alerts %d --requests %d --connections %d (no rate limit; "
              "baseline: %d threads; Beast: vigil serve's defaults, %d I/O + %d handler "
              "threads)\n\n",
              alerts, requests, connections, baseline_threads, defaults.io_threads,
              defaults.threads);
  std::printf("| server | alerts | connections | requests | by cursor | setup | wall | requests/s | "
              "CPU/request | p50 | p99 | max | not 200 |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  const auto beast = [&api] {
    HttpServerOptions http;  // the defaults, as `vigil serve` runs it
    http.host = "127.0.0.1";
    http.port = 0;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(&api, http);
    if (!server.ok()) Die("serve", server.status());
    return std::move(*server);
  };
  {
    std::unique_ptr<HttpServer> warm = beast();
    Measure(warm->port(), token, std::max(connections, requests / 10), connections);
  }
  // Each server serves half the requests twice, in the order baseline,
  // Beast, Beast, baseline, so a drift of the machine's load over the run
  // weighs on both alike.
  Run baseline_run, beast_run;
  const int halves[2] = {requests / 2, requests - requests / 2};
  for (int round = 0; round < 4; ++round) {
    const bool is_baseline = round == 0 || round == 3;
    const int share = halves[round == 0 || round == 1 ? 0 : 1];
    if (is_baseline) {
      bench::BaselineHttplibServer baseline;
      const int port = baseline.Start(&api, "127.0.0.1", baseline_threads, 1 << 20);
      if (port == 0) Die("serve baseline", Status::Unavailable("cannot listen"));
      baseline_run.Add(Measure(port, token, share, connections));
    } else {
      std::unique_ptr<HttpServer> server = beast();
      beast_run.Add(Measure(server->port(), token, share, connections));
    }
  }
  int64_t failures = Print("cpp-httplib 0.11 (baseline)", alerts, connections, setup_s,
                           &baseline_run);
  failures += Print("Boost.Beast (vigil serve)", alerts, connections, setup_s, &beast_run);
  if (own_dir) std::filesystem::remove_all(dir);
  return failures > 0 ? 1 : 0;
}
