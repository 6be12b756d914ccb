// The console's API under its own load (issue 19, docs/PERFORMANCE.md "The
// console's API"): GET /api/v1/overview and GET /api/v1/alerts?limit=100
// with each of the console's filters, over loopback HTTP against the
// HttpServer `vigil serve` runs, at --tenants tenants with --alerts open
// alerts.
//
// Setup (not timed): a fresh SQLite file with the shipped defaults (migrated
// by the store), seeded directly, as an onboarded fleet looks: each
// tenant's alerts in one block of ids (as its first analysis opens them),
// users' UPNs "first.last@tenant-NNNN.example" from 60 first and 100 last
// names (a name appears about 17 times among 100,000 alerts), the types and
// severities of alerts/alert_types.h in realistic shares, 0.1% flapping, 2%
// snoozed (and 2% whose snooze has ended), 5% acknowledged; per tenant an
// M365 data source (3% failed, 3% stale, 4% never synced, 30% without
// sign-in activity) and every tenth a second one, five analysis ledger
// rows, and 31 days of open-alert counts. An admin token; the Api without
// a rate limit.
//
// Timed: one keep-alive connection sends --requests requests per row, one
// after another (latency, not throughput); alert rows alternate a first
// page and the next page of a next_cursor chain, as a technician pages.
// Latency is measured from sending the request to having its whole
// response, JSON parsing excluded. A warm-up of every row first (not
// printed).
//
// Checked (exit 1 otherwise): every response is 200; the overview has every
// tenant; every filter's first page has items, except q's; following q's
// chain to its end finds exactly the alerts seeded with that name.
//
// Usage: bench_console [--tenants N] [--alerts N] [--requests R] [--dir DIR]
// With --dir the database is DIR/bench_console.db (DIR new or empty) and is
// kept: bench/scripts/console_paint.py shows it in a browser.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alerts/analysis_ledger.h"
#include "analysis/alert_types.h"
#include "api/api.h"
#include "api/http_server.h"
#include "api/raw_http_client.h"
#include "common/clock.h"
#include "common/time.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "queue/local_queue.h"
#include "store/api_tokens.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;
constexpr TimeMs kHour = 3600 * 1000;
constexpr TimeMs kDay = 24 * kHour;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_console: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

void Check(const std::string& what, const Status& s) {
  if (!s.ok()) Die(what, s);
}

constexpr const char* kFirst[] = {
    "adele",   "alex",   "allan",  "bianca", "brian",   "carla",     "chen",   "debra", "diego",
    "emily",   "enrico", "farah",  "grady",  "hana",    "henrietta", "isaiah", "irvin", "jamal",
    "johanna", "joni",   "kenji",  "lara",   "lee",     "lidia",     "lynne",  "megan", "miriam",
    "nestor",  "nina",   "omar",   "patti",  "pradeep", "priya",     "raul",   "rosa",  "sanjay",
    "sofia",   "tomas",  "uma",    "victor", "wanda",   "xavier",    "yara",   "yusuf", "zoe",
    "anders",  "bruno",  "celine", "dario",  "elena",   "fabio",     "greta",  "hugo",  "ines",
    "jonas",   "kira",   "lucas",  "maja",   "noah",    "olga"};
constexpr const char* kSkus[] = {"SPE_E5",      "ENTERPRISEPACK", "EMS",       "POWER_BI_PRO",
                                 "VISIOCLIENT", "PROJECTPREMIUM", "FLOW_FREE", "TEAMS_ESSENTIALS"};

// "vance", "wilber", ...: 100 last names made of two syllables.
std::string LastName(int n) {
  static const char* kA[] = {"van", "wil", "mor", "gar", "lin", "ste", "row", "kel", "ben", "har"};
  static const char* kB[] = {"ce", "ber", "ton", "cia", "den", "vens", "land", "ler", "son", "ris"};
  return std::string(kA[n % 10]) + kB[n / 10 % 10];
}

// A person's UPN part for alert `i`: first.last, the same pairs recurring.
std::string Person(int64_t i) {
  const uint64_t h = static_cast<uint64_t>(i) * 2654435761u;
  return std::string(kFirst[h % 60]) + "." + LastName(static_cast<int>(h / 60 % 100));
}

std::string Guid(int64_t i) {
  char text[40];
  std::snprintf(text, sizeof text, "%08llx-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(i), static_cast<unsigned long long>(i * 7919));
  return text;
}

std::string TenantName(int t) {
  char text[32];
  std::snprintf(text, sizeof text, "tenant-%04d", t);
  return text;
}

// The alert type of slot `k` of tenant `t`: a few tenant-wide types on the
// first slots of some tenants, otherwise user and SKU types in their shares.
const AlertTypeInfo& TypeOf(int t, int k) {
  auto type = [](std::string_view name) -> const AlertTypeInfo& { return *FindAlertType(name); };
  if (k == 0 && t % 2 == 0) return type(kPolicyLegacyAuthNotBlocked);
  if (k == 1 && t % 5 == 0) return type(kMfaNotEnforced);
  if (k == 2 && t % 7 == 0) return type(kPrivilegeGlobalAdminCount);
  static const std::string_view kSlots[20] = {kMfaUserNotRegistered,
                                              kMfaUserNotRegistered,
                                              kMfaUserNotRegistered,
                                              kMfaUserNotRegistered,
                                              kMfaUserNotRegistered,
                                              kMfaUserNotRegistered,
                                              kMfaAdminNotRegistered,
                                              kStaleUser,
                                              kStaleUser,
                                              kStaleUser,
                                              kStaleUser,
                                              kStaleGuest,
                                              kStaleGuest,
                                              kStaleGuest,
                                              kLicenseDisabledUser,
                                              kLicenseDisabledUser,
                                              kLicenseUnused,
                                              kLicenseOverassigned,
                                              kPrivilegeStaleAdmin,
                                              kPrivilegeGuestAdmin};
  return type(kSlots[k % 20]);
}

struct Seeded {
  std::vector<int64_t> tenant_ids;
  std::string person;         // the name q searches for
  int64_t person_alerts = 0;  // open alerts whose UPN holds it
};

// Inserts `count` open alerts, tenant after tenant, in one transaction.
void SeedAlerts(Db* db, const std::vector<int64_t>& tenants, int count, TimeMs now,
                Seeded* seeded) {
  Transaction tx(db);
  Check("begin", tx.status());
  Result<std::unique_ptr<Statement>> insert = db->Prepare(
      "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name, severity,"
      " state, details, details_digest, tag, first_seen, last_seen, updated_at, last_trace_id,"
      " flapping, snoozed_until, acknowledged_at, acknowledged_by)"
      " VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, 'trace-bench', ?, ?, ?, ?)");
  if (!insert.ok()) Die("prepare", insert.status());
  Statement* s = insert->get();
  const int per_tenant = (count + static_cast<int>(tenants.size()) - 1) / tenants.size();
  for (int64_t i = 0; i < count; ++i) {
    const int t = static_cast<int>(i / per_tenant);
    const int k = static_cast<int>(i % per_tenant);
    const AlertTypeInfo& type = TypeOf(t, k);
    std::string subject = Guid(i), name;
    if (type.subject_kind == SubjectKind::kTenant) {
      subject = name = TenantName(t);
    } else if (type.subject_kind == SubjectKind::kSku) {
      name = kSkus[i % 8];
    } else {
      name = Person(i) + "@" + TenantName(t) + ".example";
      if (name.find(seeded->person) != std::string::npos) ++seeded->person_alerts;
    }
    const std::string details =
        "{\"userPrincipalName\":\"" + name + "\",\"days\":" + std::to_string(90 + i % 300) + "}";
    s->BindAll({tenants[t], std::string(type.analysis_type), std::string(type.name), subject, name,
                std::string(SeverityName(type.severity)), details, "digest-" + std::to_string(i),
                type.tag.empty() ? DbValue() : DbValue(std::string(type.tag)),
                int64_t{now - 20 * kDay}, int64_t{now - kHour}, int64_t{now - kHour},
                int64_t{i % 1000 == 0 ? 1 : 0},
                i % 50 == 1 ? DbValue(int64_t{now + 7 * kDay})
                            : (i % 50 == 2 ? DbValue(int64_t{now - kDay}) : DbValue()),
                i % 20 == 3 ? DbValue(int64_t{now - 2 * kDay}) : DbValue(),
                i % 20 == 3 ? DbValue(std::string("ops")) : DbValue()});
    Check("insert alert " + std::to_string(i), s->Execute());
  }
  Check("commit", tx.Commit());
}

// A data source per tenant (every tenth a second one) in the health the
// overview reports; ledger rows; 31 days of open-alert counts.
void SeedTenantRows(Db* db, const std::vector<int64_t>& tenants, int per_tenant, TimeMs now) {
  Transaction tx(db);
  Check("begin", tx.status());
  for (size_t t = 0; t < tenants.size(); ++t) {
    const int64_t id = tenants[t];
    for (int n = 0; n < (t % 10 == 0 ? 2 : 1); ++n) {
      Result<DataSourceRow> source = EnsureDataSource(
          db, id, n == 0 ? "m365" : "files", n == 0 ? "microsoft365" : "graph_json", "{}", now);
      if (!source.ok()) Die("data source", source.status());
      const int health = static_cast<int>(t % 100);
      if (health < 4 && n == 0) continue;  // never synced
      const bool failed = health >= 4 && health < 7;
      Check("sync", db->Execute("UPDATE data_sources SET last_sync_at = ?, last_sync_status = ?,"
                                " last_sync_error = ? WHERE id = ?",
                                {int64_t{health < 10 && !failed ? now - 100 * kHour : now - kHour},
                                 std::string(failed ? "failed" : "succeeded"),
                                 failed ? DbValue(std::string("Graph answered 401")) : DbValue(),
                                 source->id}));
      if (t % 10 < 3) {
        Check("availability",
              db->Execute("INSERT INTO data_availability (data_source_id, kind, available,"
                          " reason, updated_at) VALUES (?, 'signin', 0, ?, ?)",
                          {source->id, std::string("sign-in activity needs Entra ID P1 or P2"),
                           int64_t{now}}));
      }
    }
    std::vector<LedgerEntry> ledger;
    for (const char* type : {"mfa", "license", "stale", "privilege", "policy"}) {
      LedgerEntry e;
      e.analysis_type = type;
      e.run_id = "run-" + std::to_string(t);
      e.as_of = now - kHour;
      e.status = "COMPLETE";
      e.applied_at = now - kHour;
      e.last_complete_run_id = e.run_id;
      e.last_complete_as_of = e.as_of;
      ledger.push_back(e);
    }
    Check("ledger", UpsertLedger(db, id, ledger));
    for (int d = 30; d >= 0; --d) {
      Check("trend", db->Execute("INSERT INTO open_alert_days (tenant_id, day, open)"
                                 " VALUES (?, ?, ?)",
                                 {id, FormatIso8601(now - d * kDay).substr(0, 10),
                                  int64_t{per_tenant - d % 7}}));
    }
  }
  Check("commit", tx.Commit());
}

struct Response {
  int status = 0;
  std::string body;
  double ms = 0;
};

Response Get(testing::RawHttpConnection* c, const std::string& path, const std::string& token) {
  const Steady::time_point start = Steady::now();
  Response r;
  if (!c->Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
               "\r\n\r\n")) {
    return r;
  }
  std::optional<testing::RawResponse> answer = c->ReadResponse(60000);
  r.ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  if (answer) {
    r.status = answer->status;
    r.body = std::move(answer->body);
  }
  return r;
}

struct Row {
  std::string name;
  std::string query;  // "" for the overview
  double target_ms = 20;
  std::vector<double> ms;
  int64_t items = 0;
  int64_t pages = 0;
  int64_t failures = 0;
  std::string first_failure;
};

void Fail(Row* row, const std::string& what) {
  if (row->failures++ == 0) row->first_failure = what;
}

// `requests` requests of `row` on `c`: the overview, or alert pages
// alternating a first page and the next of its chain.
void Measure(testing::RawHttpConnection* c, const std::string& token, int requests, size_t tenants,
             Row* row) {
  const bool overview = row->query.empty();
  const std::string first =
      overview ? "/api/v1/overview" : "/api/v1/alerts?limit=100&" + row->query;
  std::optional<std::string> cursor;
  for (int i = 0; i < requests; ++i) {
    const bool follow = !overview && i % 2 == 1 && cursor.has_value();
    Response r = Get(c, follow ? first + "&cursor=" + *cursor : first, token);
    row->ms.push_back(r.ms);
    if (r.status != 200) {
      Fail(row, first + ": " + std::to_string(r.status) + " " + r.body.substr(0, 200));
      continue;
    }
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (overview) {
      if (!body.is_object() || body["tenants"].size() != tenants) Fail(row, "overview rows");
      continue;
    }
    const size_t items = body["items"].size();
    row->items += static_cast<int64_t>(items);
    ++row->pages;
    if (!follow && items == 0 && row->query.rfind("q=", 0) != 0) Fail(row, first + ": no items");
    if (follow || !cursor) {
      cursor = body["next_cursor"].is_string()
                   ? std::optional<std::string>(body["next_cursor"].get<std::string>())
                   : std::nullopt;
    }
  }
}

// The matches of `query` when its chain is followed to the end.
int64_t WholeChain(testing::RawHttpConnection* c, const std::string& token,
                   const std::string& query, int64_t* pages) {
  int64_t matches = 0;
  std::string cursor;
  for (*pages = 1;; ++*pages) {
    Response r = Get(c, "/api/v1/alerts?limit=100&" + query + cursor, token);
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) return -1;
    matches += static_cast<int64_t>(body["items"].size());
    if (!body["next_cursor"].is_string()) return matches;
    cursor = "&cursor=" + body["next_cursor"].get<std::string>();
  }
}

double Percentile(std::vector<double> ms, double p) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
}

Row MakeRow(std::string name, std::string query, double target_ms) {
  Row row;
  row.name = std::move(name);
  row.query = std::move(query);
  row.target_ms = target_ms;
  return row;
}

struct Options {
  int tenants = 1000;
  int alerts = 100000;
  int requests = 400;
  std::string dir;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  if (argc % 2 == 0) return false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tenants"))
      o->tenants = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--alerts"))
      o->alerts = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--requests"))
      o->requests = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir"))
      o->dir = argv[i + 1];
    else
      return false;
  }
  return o->tenants >= 1 && o->alerts >= o->tenants && o->requests >= 2;
}

// The fleet in a fresh database at `path`; returns an admin token.
std::string Setup(const std::string& path, const Options& o, TimeMs now, Seeded* seeded) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
  if (!db.ok()) Die("open " + path, db.status());
  for (int t = 0; t < o.tenants; ++t) {
    Result<TenantRow> tenant = EnsureTenant(db->get(), TenantName(t), now);
    if (!tenant.ok()) Die("tenant", tenant.status());
    seeded->tenant_ids.push_back(tenant->id);
  }
  SeedAlerts(db->get(), seeded->tenant_ids, o.alerts, now, seeded);
  SeedTenantRows(db->get(), seeded->tenant_ids, o.alerts / o.tenants, now);
  Result<NewApiToken> admin = CreateApiToken(db->get(), "bench", std::nullopt, now);
  if (!admin.ok()) Die("token", admin.status());
  return admin->token;
}

// Measures every row on `c` and prints the table; returns the failures.
int64_t RunRows(testing::RawHttpConnection* c, const std::string& token, const Options& o,
                const Seeded& seeded, double setup_s) {
  const std::string one = TenantName(o.tenants / 2);
  const std::string q = "q=" + seeded.person;
  std::vector<Row> rows = {
      MakeRow("overview (admin, every tenant)", "", 50),
      MakeRow("no filter", "state=open", 20),
      MakeRow("type=mfa.*", "type=mfa.*", 20),
      MakeRow("severity=high,critical", "severity=high,critical", 20),
      MakeRow(q + " (" + std::to_string(seeded.person_alerts) + " matches)", q, 20),
      MakeRow("tenant=" + one, "tenant=" + one, 20),
      MakeRow("flapping=true", "flapping=true", 20),
      MakeRow("snoozed=false&acknowledged=false", "snoozed=false&acknowledged=false", 20)};
  for (const Row& row : rows) {  // warm-up, not printed
    Row warm = row;
    Measure(c, token, std::max(2, o.requests / 10), seeded.tenant_ids.size(), &warm);
  }
  std::printf(
      "command: bench_console --tenants %d --alerts %d --requests %d (SQLite, shipped "
      "defaults; one keep-alive connection; vigil serve's HttpServer defaults)\n"
      "setup: %.1f s\n\n",
      o.tenants, o.alerts, o.requests, setup_s);
  std::printf("| request | requests | items/page | p50 | p99 | max | target p99 | not 200 |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  int64_t failures = 0;
  for (Row& row : rows) {
    Measure(c, token, o.requests, seeded.tenant_ids.size(), &row);
    std::printf("| %s | %zu | %s | %.2f ms | %.2f ms | %.2f ms | %.0f ms | %lld |\n",
                row.name.c_str(), row.ms.size(),
                row.pages == 0 ? "-" : std::to_string(row.items / row.pages).c_str(),
                Percentile(row.ms, 0.50), Percentile(row.ms, 0.99), Percentile(row.ms, 1.0),
                row.target_ms, static_cast<long long>(row.failures));
    std::fflush(stdout);
    if (row.failures > 0) {
      std::fprintf(stderr, "bench_console: %s: %lld failures; the first: %s\n", row.name.c_str(),
                   static_cast<long long>(row.failures), row.first_failure.c_str());
    }
    failures += row.failures;
  }
  return failures;
}

// Follows q's chain to its end: it must find every alert seeded with the name.
int64_t CheckWholeChain(testing::RawHttpConnection* c, const std::string& token,
                        const Seeded& seeded) {
  int64_t pages = 0;
  const Steady::time_point start = Steady::now();
  const int64_t found = WholeChain(c, token, "q=" + seeded.person, &pages);
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  std::printf(
      "\nq=%s followed to its end: %lld matches in %lld pages, %.1f ms in all "
      "(seeded: %lld)\n",
      seeded.person.c_str(), static_cast<long long>(found), static_cast<long long>(pages), ms,
      static_cast<long long>(seeded.person_alerts));
  if (found == seeded.person_alerts) return 0;
  std::fprintf(stderr, "bench_console: q's chain found %lld of %lld\n",
               static_cast<long long>(found), static_cast<long long>(seeded.person_alerts));
  return 1;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  Options o;
  if (!ParseOptions(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: bench_console [--tenants N] [--alerts N >= tenants] "
                 "[--requests R >= 2] [--dir DIR]\n");
    return 2;
  }
  SetLogLevel(LogLevel::kWarn);
  const bool own_dir = o.dir.empty();
  if (own_dir) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vigil-bench-console-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    o.dir = pattern;
  }
  std::filesystem::create_directories(o.dir);
  const std::string path = o.dir + "/bench_console.db";
  std::unique_ptr<Clock> clock = NewSystemClock();
  Seeded seeded;
  seeded.person = Person(4242);
  const Steady::time_point setup_start = Steady::now();
  const std::string token = Setup(path, o, clock->NowMs(), &seeded);
  const double setup_s = std::chrono::duration<double>(Steady::now() - setup_start).count();

  DbPoolOptions pool_options;
  pool_options.max_connections = HttpServerOptions().threads;
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
  HttpServerOptions http;  // the defaults, as `vigil serve` runs it
  http.port = 0;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(&api, http);
  if (!server.ok()) Die("serve", server.status());
  std::unique_ptr<testing::RawHttpConnection> c =
      testing::RawHttpConnection::Connect((*server)->port());
  if (c == nullptr) Die("connect", Status::Unavailable("no connection"));
  int64_t failures = RunRows(c.get(), token, o, seeded, setup_s);
  failures += CheckWholeChain(c.get(), token, seeded);
  c.reset();
  server->reset();
  if (own_dir) std::filesystem::remove_all(o.dir);
  return failures > 0 ? 1 : 0;
}
