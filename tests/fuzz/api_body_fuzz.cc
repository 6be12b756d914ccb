// libFuzzer target for the HTTP API's handling of what a client sends.
//
// Every input is fed, through Api::Handle with an admin token, to every route
// the router has:
//  - as the body of each POST and PUT route;
//  - as the query string of each GET and DELETE route ("a=1&b=2", split on
//    '&' and the first '=', bytes as they are: a server has decoded them);
//  - as the value of every {param} of each route with params ('/' replaced,
//    since a path segment cannot hold one), with an empty body.
// Path params are otherwise filled with real objects, so handlers get past
// their lookups: tenant "contoso", its data source, an alert with history,
// a queued job and a trace, seeded once per process into a SQLite database
// in a fresh temporary directory.
//
// Besides what the sanitizers catch (crash, leak, out-of-bounds, undefined
// behaviour) and libFuzzer's own limits (hang, memory), the API's contract is
// checked, and any breach aborts with the request and the response:
//  - no response is 500 (a handler that throws or a failure not mapped to a
//    status of its own);
//  - a JSON response (application/json) is valid JSON (valid UTF-8 too);
//  - a status >= 400 is JSON {"error": {"code": "...", "message": "..."}},
//    both non-empty strings.
//
// Built and run by tests/fuzz/run.sh OUT_DIR api_body (clang++
// -fsanitize=fuzzer,...), which compiles the libraries the API links.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_manager.h"
#include "api/api.h"
#include "common/clock.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "queue/local_queue.h"
#include "queue/queue.h"
#include "store/api_tokens.h"
#include "store/db_pool.h"
#include "store/span_store.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1795000000000;  // 2026-11-18T11:06:40Z, fixed

// The temporary directory of the database, removed when the process exits.
std::string& TempDir() {
  static std::string dir;
  return dir;
}

void RemoveTempDir() {
  std::error_code ignored;
  if (!TempDir().empty()) std::filesystem::remove_all(TempDir(), ignored);
}

[[noreturn]] void Fatal(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "api_body_fuzz: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  RemoveTempDir();
  std::abort();
}

template <typename T>
T Must(Result<T> result, std::string_view what) {
  if (!result.ok()) Fatal(what, result.status().ToString());
  return std::move(result).value();
}

// The API over a seeded database, made once per process.
struct World {
  std::string path;  // the SQLite file
  std::unique_ptr<Clock> clock;
  std::unique_ptr<DbPool> pool;
  std::unique_ptr<Queue> queue;
  std::unique_ptr<Api> api;
  std::string token;                          // an admin token
  std::map<std::string, std::string> params;  // {param} -> a real object's id
};

std::unique_ptr<Db> Open(const std::string& path) {
  return Must(OpenSqliteDb(path), "open the database");
}

// Tenant contoso with a data source, an alert (opened, then updated: two
// history rows), a queued sync job and a trace.
void Seed(World* w, Db* db) {
  const TenantRow tenant = Must(EnsureTenant(db, "contoso", kNow), "seed the tenant");
  const DataSourceRow source = Must(
      EnsureDataSource(db, tenant.id, "graph", "graph_json", R"({"dir":"/nonexistent"})", kNow),
      "seed the data source");
  AlertManager manager(db, w->clock.get());
  int64_t alert_id = 0;
  const Severity severities[] = {Severity::kMedium, Severity::kHigh};
  for (int i = 0; i < 2; ++i) {
    Finding finding;
    finding.alert_type = "mfa.user_not_registered";
    finding.subject = "u1";
    finding.subject_name = "u1@contoso.example";
    finding.severity = severities[i];
    finding.details = R"({"upn":"u1@contoso.example"})";
    AnalysisRun run;
    run.tenant_id = tenant.id;
    run.run_id = "seed-" + std::to_string(i);
    run.trace_id = "trace-" + run.run_id;
    run.as_of = kNow - 1000 + i;
    Batch batch;
    batch.analysis_type = "mfa";
    batch.status = BatchStatus::kComplete;
    batch.findings = {finding};
    run.batches = {batch};
    const ReconcileSummary summary = Must(manager.Reconcile(run), "seed an alert");
    if (!summary.changes.empty()) alert_id = summary.changes.front().alert_id;
  }
  JobOptions options;
  options.group = std::to_string(tenant.id);
  const AddResult job =
      Must(w->queue->Add("sync", R"({"trace_id":"fuzz-trace"})", options), "seed a job");
  SpanRecord span;
  span.trace_id = "fuzz-trace";
  span.span_id = "s1";
  span.tenant_id = tenant.id;
  span.name = "sync";
  span.start_ms = kNow;
  if (Status s = SaveSpans(db, {span}); !s.ok()) Fatal("seed a trace", s.ToString());
  w->token = Must(CreateApiToken(db, "fuzz", std::nullopt, kNow), "create a token").token;
  w->params = {{"tenant", tenant.name},
               {"source_id", std::to_string(source.id)},
               {"alert_id", std::to_string(alert_id)},
               {"job_id", job.job_id},
               {"trace_id", "fuzz-trace"}};
}

World* MakeWorld() {
  auto* w = new World;  // lives as long as the process
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vigil-api-fuzz-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) Fatal("mkdtemp", pattern);
  TempDir() = pattern;
  std::atexit(RemoveTempDir);
  w->path = pattern + "/vigil.db";
  w->clock = NewFixedClock(kNow);
  std::unique_ptr<Db> db = Open(w->path);
  w->queue = Must(OpenLocalQueue(Open(w->path), w->clock.get()), "open the queue");
  Seed(w, db.get());
  const std::string path = w->path;
  w->pool = std::make_unique<DbPool>(
      [path]() -> Result<std::unique_ptr<Db>> { return OpenSqliteDb(path); });
  ApiEnv env;
  env.db_pool = w->pool.get();
  env.queue = w->queue.get();
  env.clock = w->clock.get();
  env.metrics = DefaultMetrics();
  env.limits.rate_per_second = 0;  // no rate limit: every call must reach its handler
  w->api = std::make_unique<Api>(std::move(env));
  return w;
}

World* TheWorld() {
  static World* world = MakeWorld();
  return world;
}

// `pattern` with every {name} replaced: by `value` when given, otherwise by
// the seeded object of that name ("1" for a name not seeded).
std::string FillPath(const World& w, const std::string& pattern, const std::string* value) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const size_t end = pattern.find('}', i);
      if (end == std::string::npos) break;
      const std::string name = pattern.substr(i + 1, end - i - 1);
      auto it = w.params.find(name);
      out += value != nullptr ? *value : it != w.params.end() ? it->second : "1";
      i = end + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out + pattern.substr(i);
}

// "a=1&b&c=" as the decoded pairs a server would pass on.
std::vector<std::pair<std::string, std::string>> QueryPairs(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      pairs.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return pairs;
}

std::string Describe(const ApiRequest& request, const ApiResponse& response) {
  std::string query;
  for (const auto& [key, value] : request.query) query += "&" + key + "=" + value;
  return request.method + " " + request.path + (query.empty() ? "" : " ?" + query.substr(1)) +
         " body=" +
         nlohmann::json(request.body)
             .dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) +
         " -> " + std::to_string(response.status) + " " + response.content_type + " " +
         response.body;
}

void Check(const ApiRequest& request, const ApiResponse& response) {
  if (response.status < 100 || response.status > 599) {
    Fatal("a status outside 100-599", Describe(request, response));
  }
  if (response.status == 500) Fatal("a 500 answer", Describe(request, response));
  const bool json = response.content_type.rfind("application/json", 0) == 0;
  if (!json && response.status < 400) return;
  if (!json) Fatal("an error that is not JSON", Describe(request, response));
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded())
    Fatal("a JSON response that does not parse", Describe(request, response));
  if (response.status < 400) return;
  const bool shaped = body.is_object() && body.contains("error") && body["error"].is_object() &&
                      body["error"].contains("code") && body["error"]["code"].is_string() &&
                      !body["error"]["code"].get<std::string>().empty() &&
                      body["error"].contains("message") && body["error"]["message"].is_string() &&
                      !body["error"]["message"].get<std::string>().empty();
  if (!shaped) Fatal("an error without {error: {code, message}}", Describe(request, response));
}

void Send(World* w, const std::string& method, std::string path,
          std::vector<std::pair<std::string, std::string>> query, std::string body) {
  ApiRequest request;
  request.method = method;
  request.path = std::move(path);
  request.query = std::move(query);
  request.headers["authorization"] = "Bearer " + w->token;
  if (!body.empty()) request.headers["content-type"] = "application/json";
  request.body = std::move(body);
  request.remote_addr = "127.0.0.1";
  const ApiRequest copy = request;
  Check(copy, w->api->Handle(std::move(request)));
}

void FuzzOne(const uint8_t* data, size_t size) {
  World* w = TheWorld();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string segment = input;
  for (char& c : segment) {
    if (c == '/') c = '_';
  }
  if (segment.empty()) segment = "_";
  for (const ApiRoute& route : w->api->router().routes()) {
    const std::string path = FillPath(*w, route.pattern, nullptr);
    if (route.method == "POST" || route.method == "PUT") {
      Send(w, route.method, path, {}, input);
    } else {
      Send(w, route.method, path, QueryPairs(input), "");
    }
    if (route.pattern.find('{') != std::string::npos) {
      Send(w, route.method, FillPath(*w, route.pattern, &segment), {}, "");
    }
  }
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  vigil::SetLogLevel(vigil::LogLevel::kError);
  vigil::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::FuzzOne(data, size);
  return 0;
}
