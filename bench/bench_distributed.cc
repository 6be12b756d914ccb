// The distributed fleet benchmark of docs/PERFORMANCE.md (issue 5): T
// synthetic tenants of U users in PostgreSQL, and for P = 1, 2, 3 worker
// processes (`vigil worker`, each with --concurrency C, on the local queue in
// PostgreSQL), one sync of every tenant is triggered, timed until every sync
// and the analysis it queues has ended. Each P gets a fresh database.
//
// Usage (bench/scripts/with_postgres.sh starts a server and sets VIGIL_BENCH_PG):
//   bench_distributed --vigil PATH [--pg ADMIN_URL] [--tenants T] [--users U]
//                     [--processes 1,2,3] [--concurrency C] [--coalesce MS]
// Prints a "command:" line with every flag and a Markdown table, one row per
// process count. Throughput is completed jobs / wall; failed jobs are a
// column of their own. Exit status 1 (after every row is printed) when any
// job failed (listed on stderr) or a worker process did not exit 0 on
// SIGTERM.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "fleet_wait.h"
#include "observe/log.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/local_queue.h"
#include "queue/sync_trigger.h"
#include "store/postgres_db.h"
#include "store/tenants.h"

extern char** environ;

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "bench_distributed: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  return out;
}

// The URL of database `name` on the server of `admin` (".../postgres").
std::string DatabaseUrl(const std::string& admin, const std::string& name) {
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

void CreateDatabase(const std::string& admin, const std::string& name) {
  auto db = OpenPostgresDb(admin, {.migrate = false});
  if (!db.ok()) Die("connecting to " + admin, db.status());
  (void)(*db)->ExecScript("DROP DATABASE IF EXISTS " + name);
  Status created = (*db)->ExecScript("CREATE DATABASE " + name);
  if (!created.ok()) Die("creating database " + name, created);
}

pid_t StartWorker(const std::string& vigil, const std::string& url, int index, int concurrency,
                  int64_t coalesce_ms) {
  std::vector<std::string> args = {vigil,          "worker",      "--db",
                                   url,            "--name",      "w" + std::to_string(index),
                                   "--concurrency", std::to_string(concurrency),
                                   "--coalesce",   std::to_string(coalesce_ms) + "ms",
                                   "--poll",       "50ms",        "--log-level",
                                   "warn"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, vigil.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    Die("starting " + vigil, Status::IoError("posix_spawn failed"));
  }
  return pid;
}

struct Run {
  double total_s = 0;
  int64_t completed = 0, failed = 0, open_alerts = 0;
  int bad_exits = 0;  // worker processes that did not exit 0 on SIGTERM
};

Run RunFleet(const std::string& vigil, const std::string& admin, const std::string& root,
             int tenants, int processes, int concurrency, int64_t coalesce_ms) {
  const std::string name = "fleet_" + std::to_string(processes);
  CreateDatabase(admin, name);
  const std::string url = DatabaseUrl(admin, name);
  auto clock = NewSystemClock();
  auto db = OpenPostgresDb(url);
  if (!db.ok()) Die("opening " + url, db.status());
  std::vector<std::pair<int64_t, int64_t>> sources;
  for (int t = 0; t < tenants; ++t) {
    const std::string tenant_name = "tenant" + std::to_string(t);
    auto tenant = EnsureTenant(db->get(), tenant_name, clock->NowMs());
    if (!tenant.ok()) Die("tenant", tenant.status());
    auto ds = EnsureDataSource(db->get(), tenant->id, "graph", "graph_json",
                               nlohmann::json{{"dir", root + "/graph/" + tenant_name}}.dump(),
                               clock->NowMs());
    if (!ds.ok()) Die("data source", ds.status());
    sources.emplace_back(tenant->id, ds->id);
  }
  auto queue_db = OpenPostgresDb(url);
  if (!queue_db.ok()) Die("opening the queue", queue_db.status());
  auto queue = OpenLocalQueue(std::move(queue_db).value(), clock.get());
  if (!queue.ok()) Die("opening the queue", queue.status());

  std::vector<pid_t> workers;
  for (int p = 0; p < processes; ++p) {
    workers.push_back(StartWorker(vigil, url, p, concurrency, coalesce_ms));
  }
  const auto start = Steady::now();
  for (const auto& [tenant, source] : sources) {
    Result<TriggeredSync> sync = TriggerSync(db->get(), queue->get(), *clock, tenant, source, {});
    if (!sync.ok()) Die("trigger", sync.status());
  }
  Run run;
  const bench::FleetCounts counts =
      bench::WaitForFleet(queue->get(), 2 * tenants, "bench_distributed");
  run.total_s = std::chrono::duration<double>(Steady::now() - start).count();
  run.completed = counts.completed;
  run.failed = counts.failed;
  if (run.failed > 0) bench::ReportFailedJobs(queue->get(), "bench_distributed");
  for (pid_t pid : workers) kill(pid, SIGTERM);
  for (pid_t pid : workers) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "bench_distributed: worker process %d ended with wait status %d\n",
                   static_cast<int>(pid), status);
      ++run.bad_exits;
    }
  }
  run.open_alerts = *(*db)->QueryInt("SELECT COUNT(*) FROM alerts WHERE state = 'open'").value();
  return run;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  std::string vigil_binary;
  std::string admin = std::getenv("VIGIL_BENCH_PG") ? std::getenv("VIGIL_BENCH_PG") : "";
  int tenants = 1000, users = 50, concurrency = 2;
  int64_t coalesce_ms = 2000;
  std::vector<int> processes = {1, 2, 3};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--vigil") vigil_binary = value;
    else if (flag == "--pg") admin = value;
    else if (flag == "--tenants") tenants = std::stoi(value);
    else if (flag == "--users") users = std::stoi(value);
    else if (flag == "--processes") processes = ParseList(value);
    else if (flag == "--concurrency") concurrency = std::stoi(value);
    else if (flag == "--coalesce") coalesce_ms = std::stoll(value);
    else {
      std::fprintf(stderr, "usage: bench_distributed --vigil PATH [--pg ADMIN_URL] [--tenants T] "
                           "[--users U] [--processes 1,2,3] [--concurrency C] [--coalesce MS]\n");
      return 2;
    }
  }
  if (vigil_binary.empty() || admin.empty()) {
    std::fprintf(stderr, "bench_distributed: --vigil and --pg (or VIGIL_BENCH_PG) are required; "
                         "bench/scripts/with_postgres.sh provides a server\n");
    return 2;
  }
  SetLogLevel(LogLevel::kWarn);
  const std::string root =
      std::filesystem::temp_directory_path().string() + "/vigil-bench-distributed";
  std::filesystem::remove_all(root);
  std::fprintf(stderr, "writing %d tenants of %d users...\n", tenants, users);
  for (int t = 0; t < tenants; ++t) {
    SyntheticOptions options;
    options.seed = static_cast<uint64_t>(t + 1);
    options.users = users;
    options.tenant_name = "tenant" + std::to_string(t);
    options.now = NewSystemClock()->NowMs();
    Status written =
        WriteGraphDirectory(GenerateTenant(options), root + "/graph/tenant" + std::to_string(t));
    if (!written.ok()) Die("writing tenant " + std::to_string(t), written);
  }
  std::string list;
  for (int p : processes) list += (list.empty() ? "" : ",") + std::to_string(p);
  std::printf("command: bench_distributed --tenants %d --users %d --processes %s --concurrency %d "
              "--coalesce %lld (vigil worker --poll 50ms, local queue in PostgreSQL)\n\n",
              tenants, users, list.c_str(), concurrency, static_cast<long long>(coalesce_ms));
  std::printf("| tenants x users | worker processes x concurrency | total wall | completed jobs "
              "| completed jobs/s | failed jobs | open alerts |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  int64_t failed = 0;
  int bad_exits = 0;
  for (int p : processes) {
    Run run = RunFleet(vigil_binary, admin, root, tenants, p, concurrency, coalesce_ms);
    std::printf("| %d x %d | %d x %d | %.2f s | %lld | %.0f | %lld | %lld |\n", tenants, users, p,
                concurrency, run.total_s, static_cast<long long>(run.completed),
                run.completed / run.total_s, static_cast<long long>(run.failed),
                static_cast<long long>(run.open_alerts));
    std::fflush(stdout);
    failed += run.failed;
    bad_exits += run.bad_exits;
  }
  std::filesystem::remove_all(root);
  if (failed > 0 || bad_exits > 0) {
    std::fprintf(stderr, "bench_distributed: %lld job(s) failed, %d worker process(es) did not "
                         "exit 0\n",
                 static_cast<long long>(failed), bad_exits);
    return 1;
  }
  return 0;
}
