// One function per CLI command; its cmd_<name>.cc registers the flags that
// fill these option structs (cli_commands.h) and defines the function. Each
// returns the process exit status and writes what the user sees to `out`
// (results) and `err` (errors, prefixed "vigil: ").
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct SyncCommand {
  std::string db = "vigil.db";
  std::string tenant;
  std::string from_dir;  // empty: sync the stored data source through its own provider
  std::string format;    // the directory's provider: graph_json (default) or google_json
  // With --from-dir, empty: "graph" for graph_json, "google" for google_json;
  // without, empty: the tenant's only data source.
  std::string source;
  std::string now;  // ISO 8601; empty = the system clock
  bool force = false;
  bool json = false;
};
int RunSync(const SyncCommand& cmd, std::ostream& out, std::ostream& err);

struct AlertsCommand {
  std::string db = "vigil.db";
  std::string tenant;
  std::string state = "open";
  std::string type;
  bool json = false;
};
int RunAlerts(const AlertsCommand& cmd, std::ostream& out, std::ostream& err);

struct HistoryCommand {
  std::string db = "vigil.db";
  int64_t alert_id = 0;
  bool json = false;
};
int RunHistory(const HistoryCommand& cmd, std::ostream& out, std::ostream& err);

struct TraceCommand {
  std::string db = "vigil.db";
  std::string trace_id;
  bool json = false;
};
int RunTrace(const TraceCommand& cmd, std::ostream& out, std::ostream& err);

struct GenerateCommand {
  std::string out_dir;
  std::string provider = "microsoft365";  // or "google_workspace"
  std::string tenant = "contoso";
  int users = 200;
  uint64_t seed = 1;
  std::string now;
  // google_workspace: share people with this generated Microsoft 365 tenant.
  std::string same_people_as_tenant;
  int same_people_users = 200;    // that tenant's --users
  uint64_t same_people_seed = 1;  // that tenant's --seed
  int shared_people = -1;         // -1: half of --users
};
int RunGenerate(const GenerateCommand& cmd, std::ostream& out, std::ostream& err);

struct PrefsCommand {
  std::string db = "vigil.db";
  std::string tenant;
  std::vector<std::string> set;  // KEY=VALUE
  std::string exclude;           // KIND:VALUE (context/exclusions.h); empty: none
  std::string type = "*";        // the excluded alert type
  std::string reason;
  std::string by;                // who adds the exclusion; empty: $USER
  int64_t remove_exclusion = 0;  // 0: none
  bool json = false;
};
int RunPrefs(const PrefsCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil rules`: the analysis types, their rule versions and what each
// version changed.
struct RulesCommand {
  bool json = false;
};
int RunRules(const RulesCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil rollout set|diff|promote|rollback|status`: which tenants run which
// rule version (pipeline/rule_rollout.h), and what a candidate in shadow
// would change (alerts/shadow_reconcile.h).
struct RolloutCommand {
  std::string action;  // "set", "diff", "promote", "rollback", "status"
  std::string db = "vigil.db";
  std::string type;
  std::string candidate;  // set: a version, or "none"
  int version = 0;        // promote
  std::vector<std::string> tenants;
  int percent = 0;  // 0: not given
  bool all = false;
  std::string tenant;  // diff
  std::string by;      // who; default $USER, else "cli"
  bool json = false;
};
int RunRollout(const RolloutCommand& cmd, std::ostream& out, std::ostream& err);

struct DemoCommand {
  std::string db = "vigil.db";
  int users = 60;
  std::string now;
};
int RunDemo(const DemoCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil serve` (scheduler + workers + event relay + the HTTP API) and
// `vigil worker` (workers only): run until SIGINT/SIGTERM, then stop the
// HTTP server, drain and exit 0.
struct ServeCommand {
  std::string db = "vigil.db";
  int concurrency = 2;
  std::string lease = "30s";
  std::string drain = "30s";
  std::string coalesce = "2s";
  std::string poll = "200ms";
  std::string log_level = "info";
  std::string name;  // worker name in job leases; default "<host>:<pid>"
  std::string redis;  // redis:// URL: the queue is Redis (job outbox + fallback); empty: local
  std::string reconcile = "2s";  // Redis mode: how often lost jobs are looked for
  // Redis mode: jobs a worker process holds at most, running ones included
  // (ServiceOptions::prefetch); -1: as concurrency; 0: the plain worker.
  int prefetch = -1;
  std::string retain = "7d";     // finished jobs and published events older than this are removed
  std::string nats;  // nats:// URL: events go to NATS (JetStream); empty: in-process
  // serve only: the HTTP API's address, host:port ("off": no HTTP; port 0:
  // any free port, logged in serve.started), the threads that run its
  // handlers, its caps on open connections (overall and per client
  // address), and each token's rate limit in requests/s (0: none; the burst
  // is twice the rate).
  std::string http = "127.0.0.1:8080";
  int http_threads = 16;
  int http_max_connections = 512;
  int http_max_connections_per_client = 64;
  double api_rate = 50;
};
int RunServe(const ServeCommand& cmd, bool scheduler, std::ostream& out, std::ostream& err);

// `vigil health`: checks the database and, when given, Redis; one line per
// check (ok / warn / FAIL and why). Exit 0 when nothing FAILs, 1 otherwise.
// `vigil migrate`: applies the schema migrations and reports the version.
struct MigrateCommand {
  std::string db = "vigil.db";
};
int RunMigrate(const MigrateCommand& cmd, std::ostream& out, std::ostream& err);

struct HealthCommand {
  std::string db = "vigil.db";
  std::string redis;
  bool json = false;
};
int RunHealth(const HealthCommand& cmd, std::ostream& out, std::ostream& err);

// `vigil events tail`: prints events as they happen, one per line, until
// SIGINT/SIGTERM or `limit` events: from NATS when `nats` is set (what serve
// --nats publishes), else from the database's event outbox.
struct EventsTailCommand {
  std::string db = "vigil.db";
  std::string nats;    // nats:// URL; empty: the outbox
  std::string tenant;  // tenant name; empty: every tenant
  std::string type;    // event type, or a prefix such as "alert.*"
  bool from_start = false;  // every kept event first (outbox, or the NATS stream), then new ones
  int64_t limit = 0;        // stop after this many; 0: until a signal
  bool json = false;
};
int RunEventsTail(const EventsTailCommand& cmd, std::ostream& out, std::ostream& err);

struct TriggerCommand {
  std::string db = "vigil.db";
  std::string redis;  // redis:// URL when serve runs with --redis
  std::string tenant;
  std::string source;  // data source name; empty: every data source of the tenant
  bool force = false;
  bool json = false;
};
int RunTrigger(const TriggerCommand& cmd, std::ostream& out, std::ostream& err);

struct JobsCommand {
  std::string db = "vigil.db";
  std::string redis;  // also list the jobs in Redis
  std::string tenant;
  std::string state;  // empty: every state
  int limit = 50;
  bool json = false;
};
int RunJobs(const JobsCommand& cmd, std::ostream& out, std::ostream& err);

struct ScheduleCommand {
  std::string db = "vigil.db";
  std::string tenant;
  std::string source;  // empty: every data source of the tenant
  std::string every;   // set the interval
  std::string window;  // set the off-peak window, "HH:MM-HH:MM"
  bool no_window = false;
  bool enable = false;
  bool disable = false;
  bool json = false;
};
int RunSchedule(const ScheduleCommand& cmd, std::ostream& out, std::ostream& err);

}  // namespace vigil
