// The pipeline benchmark of docs/PERFORMANCE.md: one synthetic tenant of N
// users written as a Graph directory, then
//   sync:     graph_json parse + apply (diff, upsert, links) into SQLite
//   analysis: DataContext load + every analyzer + reconcile (first run, which
//             opens the alerts, and a steady-state rerun, which changes none)
// Each size runs in a forked child, so peak memory (VmHWM) is its own.
// The sync runs as `vigil serve` runs it: its connection leaves WAL
// checkpoints to another connection (store/wal_checkpointer.h); that
// checkpoint is timed on its own right after the sync, before the analysis.
//
// With --pg ADMIN_URL (e.g. under bench/scripts/with_postgres.sh, which sets
// $VIGIL_BENCH_PG) the same runs go to a fresh PostgreSQL database per size
// (no WAL checkpoint there).
//
// Usage: bench_pipeline [--users N,N,...] [--dir DIR] [--pg ADMIN_URL]
// Prints one Markdown table row per size.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "analysis/unified_analyzer.h"
#include "common/ids.h"
#include "common/process_memory.h"
#include "context/loader.h"
#include "providers/graph_dir_provider.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/postgres_db.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "store/wal_checkpointer.h"
#include "sync/syncer.h"

namespace vigil {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A line of /proc/self/status in KiB ("VmHWM", "VmRSS").
long StatusKiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key) + 1));
  }
  return -1;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) total += e.file_size();
  return total;
}

struct Analysis {
  double seconds = 0;
  double load = 0, analyze = 0, reconcile = 0;
  uint64_t load_statements = 0, reconcile_statements = 0;
  size_t findings = 0;
};

Analysis Analyze(Db* db, const vigil::Clock& clock, int64_t tenant_id) {
  Analysis a;
  auto t0 = Clock::now();
  DataContextLoader loader(db);
  auto ctx = loader.Load(tenant_id, clock.NowMs());
  if (!ctx.ok()) {
    std::fprintf(stderr, "load: %s\n", ctx.status().ToString().c_str());
    std::exit(1);
  }
  auto t1 = Clock::now();
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(*ctx, NewRunId(), NewTraceId());
  auto t2 = Clock::now();
  AlertManager manager(db, &clock);
  auto summary = manager.Reconcile(run);
  if (!summary.ok()) {
    std::fprintf(stderr, "reconcile: %s\n", summary.status().ToString().c_str());
    std::exit(1);
  }
  auto t3 = Clock::now();
  a.load = Seconds(t0, t1);
  a.analyze = Seconds(t1, t2);
  a.reconcile = Seconds(t2, t3);
  a.seconds = Seconds(t0, t3);
  a.load_statements = loader.last_statements();
  a.reconcile_statements = summary->statements;
  for (const Batch& b : run.batches) a.findings += b.findings.size();
  return a;
}

// A fresh database for `users`: a SQLite file under `root`, or, with
// `pg_admin` (".../postgres"), a new PostgreSQL database on that server.
Result<std::unique_ptr<Db>> FreshDatabase(int users, const std::string& root,
                                          const std::string& pg_admin) {
  if (pg_admin.empty()) {
    const std::string db_path = root + "/bench-" + std::to_string(users) + ".db";
    std::filesystem::remove(db_path);
    std::filesystem::remove(db_path + "-wal");
    std::filesystem::remove(db_path + "-shm");
    return OpenSqliteDb(db_path);
  }
  const std::string name = "bench_" + std::to_string(users);
  VIGIL_ASSIGN_OR_RETURN(auto admin, OpenPostgresDb(pg_admin, {.migrate = false}));
  (void)admin->ExecScript("DROP DATABASE IF EXISTS " + name);
  VIGIL_RETURN_IF_ERROR(admin->ExecScript("CREATE DATABASE " + name));
  return OpenPostgresDb(pg_admin.substr(0, pg_admin.rfind('/') + 1) + name);
}

int RunOne(int users, const std::string& root, const std::string& pg_admin) {
  const std::string dir = root + "/graph-" + std::to_string(users);
  const std::string db_path = root + "/bench-" + std::to_string(users) + ".db";
  const bool sqlite = pg_admin.empty();

  SyntheticOptions options;
  options.users = users;
  options.seed = 42;
  options.tenant_name = "bench";
  {
    Snapshot generated = GenerateTenant(options);
    if (Status s = WriteGraphDirectory(generated, dir); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  const uint64_t raw_bytes = DirBytes(dir);
  auto clock = NewFixedClock(options.now);
  auto db = FreshDatabase(users, root, pg_admin);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  auto tenant = EnsureTenant(db->get(), "bench", 0);
  auto ds = EnsureDataSource(db->get(), tenant->id, "graph", "graph_json", "{}", 0);
  std::unique_ptr<WalCheckpointer> checkpointer;  // SQLite only
  if (sqlite) {
    auto checkpoint_db = OpenSqliteDb(db_path);
    if (!checkpoint_db.ok() || !DisableAutoCheckpoint(db->get()).ok()) return 1;
    checkpointer = std::make_unique<WalCheckpointer>(std::move(checkpoint_db).value(), 0);
  }
  const long rss_before = StatusKiB("VmRSS:");

  // Sync: parse + apply.
  auto t0 = Clock::now();
  auto provider = NewGraphDirProvider(dir);
  auto snapshot = (*provider)->Fetch();
  if (!snapshot.ok()) {
    std::fprintf(stderr, "fetch: %s\n", snapshot.status().ToString().c_str());
    return 1;
  }
  auto t1 = Clock::now();
  Syncer syncer(db->get(), clock.get());
  auto applied = syncer.Apply(tenant->id, ds->id, std::move(snapshot).value(), {}, "bench");
  if (!applied.ok()) {
    std::fprintf(stderr, "apply: %s\n", applied.status().ToString().c_str());
    return 1;
  }
  auto t2 = Clock::now();
  // What the service's checkpointer thread does after the sync; then the
  // analysis runs with SQLite's own checkpoints, as before.
  if (sqlite) {
    if (Status s = checkpointer->CheckpointOnce(); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  auto t2c = Clock::now();
  if (sqlite && !(*db)->ExecScript("PRAGMA wal_autocheckpoint=1000").ok()) return 1;
  uint64_t entities = 0;
  for (const auto& [kind, c] : applied->kinds) entities += c.created;

  // Analysis: first run opens the alerts; the rerun is the steady state.
  Analysis first = Analyze(db->get(), *clock, tenant->id);
  Analysis steady = Analyze(db->get(), *clock, tenant->id);

  // Resync of the unchanged directory: the diff finds nothing to write.
  auto t3 = Clock::now();
  auto again = (*provider)->Fetch();
  auto reapplied = syncer.Apply(tenant->id, ds->id, std::move(again).value(), {}, "bench");
  auto t4 = Clock::now();
  if (!reapplied.ok()) return 1;

  const SyncSummary::Phases& p = applied->phases;
  std::fprintf(stderr,
               "%d users, first sync phases: parse %.3f s, to_rows %.3f s, plan %.3f s, "
               "entities %.3f s, links %.3f s, commit %.3f s; then checkpoint %.3f s\n",
               users, Seconds(t0, t1), p.to_rows, p.plan, p.entities, p.links, p.commit,
               Seconds(t2, t2c));
  const long peak = StatusKiB("VmHWM:");
  const double per_entity =
      (static_cast<double>(peak - rss_before) * 1024.0 - static_cast<double>(raw_bytes)) /
      static_cast<double>(entities);
  std::printf(
      "| %7d | %8.1f MB | %6.3f s | %6.3f s | %9.0f | %6.3f s | %6.3f s | %6.3f s (%.3f / %.3f / %.3f) | "
      "%llu | %llu | %6.3f s | %zu | %6.0f B |\n",
      users, raw_bytes / 1e6, Seconds(t0, t1), Seconds(t1, t2), users / Seconds(t0, t2),
      Seconds(t2, t2c), Seconds(t3, t4), first.seconds, steady.load, steady.analyze, steady.reconcile,
      static_cast<unsigned long long>(steady.load_statements),
      static_cast<unsigned long long>(first.reconcile_statements), steady.seconds, first.findings,
      per_entity);
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  vigil::UseOneMallocArena();  // as vigil's main does
  std::vector<int> sizes = {1000, 10000, 100000};
  std::string root = std::filesystem::temp_directory_path().string() + "/vigil-bench";
  std::string pg_admin;  // --pg ADMIN_URL: run on PostgreSQL instead of SQLite
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--users") == 0) {
      sizes.clear();
      std::stringstream ss(argv[i + 1]);
      std::string item;
      while (std::getline(ss, item, ',')) sizes.push_back(std::stoi(item));
    } else if (std::strcmp(argv[i], "--dir") == 0) {
      root = argv[i + 1];
    } else if (std::strcmp(argv[i], "--pg") == 0) {
      pg_admin = argv[i + 1];
    }
  }
  std::filesystem::create_directories(root);
  std::printf(
      "| users | Graph JSON | parse | apply | parse+apply users/s | WAL checkpoint (own "
      "connection, after) | resync (no change) | "
      "first analysis | load+analyze+reconcile, steady (load / analyze / reconcile) | "
      "load stmts | first reconcile stmts | steady total | findings | peak memory per entity "
      "beyond raw input |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);
  for (int users : sizes) {
    pid_t pid = fork();
    if (pid == 0) _exit(vigil::RunOne(users, root, pg_admin));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "bench for %d users failed\n", users);
      return 1;
    }
  }
  std::filesystem::remove_all(root);
  return 0;
}
