// The fleet benchmark of docs/PERFORMANCE.md (issue 3): T synthetic tenants
// of U users each, every tenant written as a Graph directory and given a
// graph_json data source; then, timed, one sync of every tenant is triggered
// and `vigil serve`'s service (local queue in SQLite, workers, coalesced
// analyze jobs, outbox relay, WAL checkpoints on their own thread) runs
// until every job has ended. Right after, a checkpoint copies what the WAL
// still holds into the database, timed on its own ("checkpoint after"); the
// throughput counts it: completed jobs / (wall + checkpoint after).
//
// Usage: bench_fleet [--tenants T] [--users U] [--concurrency N,N] [--coalesce MS] [--dir DIR]
// Prints a "command:" line with every flag and a Markdown table, one row per
// concurrency. Failed jobs are a column of their own, not throughput; when
// any job failed, the failed jobs are listed on stderr and the exit status
// is 1 (after every row is printed).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/service.h"
#include "fleet_wait.h"
#include "observe/log.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/local_queue.h"
#include "queue/sync_trigger.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "store/wal_checkpointer.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::vector<int> ParseList(const char* text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  return out;
}

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "bench_fleet: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

struct FleetRun {
  double trigger_s = 0;
  double total_s = 0;
  double checkpoint_s = 0;  // the WAL left when the last job ended
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t open_alerts = 0;
};

FleetRun RunFleet(const std::string& root, int tenants, int concurrency,
                  int64_t coalesce_ms) {
  const std::string path = root + "/fleet-" + std::to_string(concurrency) + ".db";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto clock = NewSystemClock();
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
  if (!db.ok()) Die("opening " + path, db.status());
  std::vector<std::pair<int64_t, int64_t>> sources;  // (tenant, data source)
  for (int t = 0; t < tenants; ++t) {
    const std::string name = "tenant" + std::to_string(t);
    Result<TenantRow> tenant = EnsureTenant(db->get(), name, clock->NowMs());
    if (!tenant.ok()) Die("tenant", tenant.status());
    const std::string dir = root + "/graph/" + name;
    Result<DataSourceRow> ds = EnsureDataSource(db->get(), tenant->id, "graph", "graph_json",
                                                nlohmann::json{{"dir", dir}}.dump(),
                                                clock->NowMs());
    if (!ds.ok()) Die("data source", ds.status());
    sources.emplace_back(tenant->id, ds->id);
  }

  ServiceOptions options;
  options.db_path = path;
  options.run_scheduler = false;
  options.concurrency = concurrency;
  options.coalesce_window_ms = coalesce_ms;
  options.log_events = false;
  Result<std::unique_ptr<Service>> service = Service::Start(options, clock.get());
  if (!service.ok()) Die("starting the service", service.status());
  Queue* queue = (*service)->queue();

  FleetRun run;
  const auto start = Steady::now();
  for (const auto& [tenant, source] : sources) {
    Result<TriggeredSync> sync = TriggerSync(db->get(), queue, *clock, tenant, source, {});
    if (!sync.ok()) Die("trigger", sync.status());
  }
  run.trigger_s = Seconds(start, Steady::now());
  const bench::FleetCounts counts = bench::WaitForFleet(queue, 2 * tenants, "bench_fleet");
  run.total_s = Seconds(start, Steady::now());
  run.completed = counts.completed;
  run.failed = counts.failed;
  {
    Result<std::unique_ptr<Db>> other = OpenSqliteDb(path);
    if (!other.ok()) Die("opening " + path, other.status());
    WalCheckpointer checkpointer(std::move(other).value(), 1000);
    const auto before = Steady::now();
    Status done = checkpointer.CheckpointOnce();
    if (!done.ok()) Die("checkpoint after the run", done);
    run.checkpoint_s = Seconds(before, Steady::now());
  }
  if (run.failed > 0) bench::ReportFailedJobs(queue, "bench_fleet");
  (*service)->Stop(10000);
  run.open_alerts = *(*db)->QueryInt("SELECT COUNT(*) FROM alerts WHERE state = 'open'").value();
  return run;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  int tenants = 1000, users = 50;
  int64_t coalesce_ms = 2000;
  std::vector<int> concurrency = {2, 4};
  std::string root = std::filesystem::temp_directory_path().string() + "/vigil-bench-fleet";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tenants")) tenants = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--users")) users = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--concurrency")) concurrency = ParseList(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--coalesce")) coalesce_ms = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) root = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_fleet [--tenants T] [--users U] [--concurrency N,N] "
                           "[--coalesce MS] [--dir DIR]\n");
      return 2;
    }
  }
  SetLogLevel(LogLevel::kWarn);
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/graph");
  std::fprintf(stderr, "writing %d tenants of %d users...\n", tenants, users);
  for (int t = 0; t < tenants; ++t) {
    SyntheticOptions options;
    options.seed = static_cast<uint64_t>(t + 1);
    options.users = users;
    options.tenant_name = "tenant" + std::to_string(t);
    options.now = NewSystemClock()->NowMs();  // sign-in ages relative to today
    Status written =
        WriteGraphDirectory(GenerateTenant(options), root + "/graph/tenant" + std::to_string(t));
    if (!written.ok()) Die("writing tenant " + std::to_string(t), written);
  }
  std::string list;
  for (int c : concurrency) list += (list.empty() ? "" : ",") + std::to_string(c);
  std::printf("command: bench_fleet --tenants %d --users %d --concurrency %s --coalesce %lld "
              "(vigil serve's service: local queue in SQLite, no prefetch, WAL checkpoints on "
              "their own thread every %lld ms)\n\n",
              tenants, users, list.c_str(), static_cast<long long>(coalesce_ms),
              static_cast<long long>(ServiceOptions().checkpoint_ms));
  std::printf("| tenants x users | concurrency | coalesce window | trigger all | total wall "
              "| checkpoint after | completed jobs | completed jobs/s | failed jobs "
              "| open alerts |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  int64_t failed = 0;
  for (int c : concurrency) {
    FleetRun run = RunFleet(root, tenants, c, coalesce_ms);
    std::printf("| %d x %d | %d | %.1f s | %.2f s | %.2f s | %.3f s | %lld | %.0f | %lld "
                "| %lld |\n",
                tenants, users, c, coalesce_ms / 1000.0, run.trigger_s, run.total_s,
                run.checkpoint_s, static_cast<long long>(run.completed),
                run.completed / (run.total_s + run.checkpoint_s),
                static_cast<long long>(run.failed), static_cast<long long>(run.open_alerts));
    std::fflush(stdout);
    failed += run.failed;
  }
  std::filesystem::remove_all(root);
  if (failed > 0) {
    std::fprintf(stderr, "bench_fleet: %lld job(s) failed\n", static_cast<long long>(failed));
    return 1;
  }
  return 0;
}
