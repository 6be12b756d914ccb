// The pipeline benchmark of docs/PERFORMANCE.md. Two parts.
//
// 1. Sizes (--users): one synthetic tenant of N users written as a Graph
//    directory, then
//      sync:     graph_json parse + apply (diff, upsert, links)
//      analysis: DataContext load + every analyzer + reconcile (first run,
//                which opens the alerts, and a steady-state rerun)
//    The tenant is generated and written by a process of its own; each size
//    is then measured in a fresh forked process whose high-water mark is
//    reset (/proc/self/clear_refs) just before the sync, so the peak memory
//    is the sync's and the analysis's own, not the generator's.
//    On SQLite the sync runs as `vigil serve` runs it: its connection leaves
//    WAL checkpoints to another connection (store/wal_checkpointer.h); that
//    checkpoint is timed as its own column right after the sync, and the
//    "sync total" column adds it to parse and apply.
//
// 2. Onboarding (--onboarding N, 100,000 by default; 0 skips it): the first
//    `vigil sync` of a tenant whose analysis opens about 0.8 alerts per user
//    (OnboardingTenantOptions), timed from outside, process start to exit,
//    against `python3 -c` loading users.json and
//    userRegistrationDetails.json with json.load, one after the other,
//    --runs times (1 by default: bench/scripts/bench_runs.py repeats whole
//    runs). The vigil binary is --vigil (default: `vigil` beside this
//    program). A run fails unless every analysis type was applied COMPLETE
//    and alerts were opened: a sync that did not take the path it times.
//
// With --pg ADMIN_URL (e.g. under bench/scripts/with_postgres.sh, which sets
// $VIGIL_BENCH_PG) both parts run on a fresh PostgreSQL database per run as
// well (no WAL checkpoint there); the onboarding part runs on SQLite and
// then PostgreSQL.
//
// Usage: bench_pipeline [--users N,N,...] [--onboarding N] [--runs K]
//                       [--vigil PATH] [--dir DIR] [--pg ADMIN_URL]
// Prints a "command:" line with every flag that shapes the figures, then
// Markdown tables.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "alerts/alert_manager.h"
#include "bench_util.h"
#include "analysis/unified_analyzer.h"
#include "common/ids.h"
#include "common/process_memory.h"
#include "common/time.h"
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

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench_pipeline: %s\n", what.c_str());
  std::exit(1);
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

// Resets VmHWM to the current RSS (Linux 4.0+).
void ResetPeakMemory() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  if (!out) Die("cannot reset the high-water mark through /proc/self/clear_refs");
}

// Writes the tenant of `options` as a Graph directory, in a process of its
// own (its memory never touches the measuring process).
void GenerateDirectory(const SyntheticOptions& options, const std::string& dir) {
  const bool ok = RunInChild([&] {
    std::filesystem::remove_all(dir);
    Status s = WriteGraphDirectory(GenerateTenant(options), dir);
    if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return s.ok() ? 0 : 1;
  });
  if (!ok) Die("generating " + dir + " failed");
}

// ---------------------------------------------------------------- sizes

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
  if (!ctx.ok()) Die("load: " + ctx.status().ToString());
  auto t1 = Clock::now();
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(*ctx, NewRunId(), NewTraceId());
  auto t2 = Clock::now();
  AlertManager manager(db, &clock);
  auto summary = manager.Reconcile(run);
  if (!summary.ok()) Die("reconcile: " + summary.status().ToString());
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

// A fresh PostgreSQL database `name` on the server of `pg_admin`
// (".../postgres"); returns its URL.
std::string FreshPostgresDatabase(const std::string& pg_admin, const std::string& name) {
  auto admin = OpenPostgresDb(pg_admin, {.migrate = false});
  if (!admin.ok()) Die(admin.status().ToString());
  (void)(*admin)->ExecScript("DROP DATABASE IF EXISTS " + name);
  if (Status s = (*admin)->ExecScript("CREATE DATABASE " + name); !s.ok()) Die(s.ToString());
  return pg_admin.substr(0, pg_admin.rfind('/') + 1) + name;
}

void RemoveSqlite(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-lock"}) std::filesystem::remove(path + suffix);
}

// A fresh database for `users`: a SQLite file under `root`, or, with
// `pg_admin`, a new PostgreSQL database on that server.
Result<std::unique_ptr<Db>> FreshDatabase(int users, const std::string& root,
                                          const std::string& pg_admin) {
  if (pg_admin.empty()) {
    const std::string db_path = root + "/bench-" + std::to_string(users) + ".db";
    RemoveSqlite(db_path);
    return OpenSqliteDb(db_path);
  }
  return OpenPostgresDb(FreshPostgresDatabase(pg_admin, "bench_" + std::to_string(users)));
}

int RunOne(int users, const std::string& root, const std::string& pg_admin) {
  const std::string dir = root + "/graph-" + std::to_string(users);
  const std::string db_path = root + "/bench-" + std::to_string(users) + ".db";
  const bool sqlite = pg_admin.empty();
  const uint64_t raw_bytes = DirBytes(dir);
  auto clock = NewFixedClock(kSyntheticDefaultNow);
  auto db = FreshDatabase(users, root, pg_admin);
  if (!db.ok()) Die(db.status().ToString());
  auto tenant = EnsureTenant(db->get(), "bench", 0);
  auto ds = EnsureDataSource(db->get(), tenant->id, "graph", "graph_json", "{}", 0);
  std::unique_ptr<WalCheckpointer> checkpointer;  // SQLite only
  if (sqlite) {
    auto checkpoint_db = OpenSqliteDb(db_path);
    if (!checkpoint_db.ok() || !DisableAutoCheckpoint(db->get()).ok()) return 1;
    checkpointer = std::make_unique<WalCheckpointer>(std::move(checkpoint_db).value(), 0);
  }
  ResetPeakMemory();
  const long rss_before = StatusKiB("VmRSS:");

  // Sync: parse + apply.
  auto t0 = Clock::now();
  auto provider = NewGraphDirProvider(dir);
  auto snapshot = (*provider)->Fetch();
  if (!snapshot.ok()) Die("fetch: " + snapshot.status().ToString());
  auto t1 = Clock::now();
  Syncer syncer(db->get(), clock.get());
  auto applied = syncer.Apply(tenant->id, ds->id, std::move(snapshot).value(), {}, "bench");
  if (!applied.ok()) Die("apply: " + applied.status().ToString());
  auto t2 = Clock::now();
  // What the service's checkpointer thread does after the sync; then the
  // analysis runs with SQLite's own checkpoints, as before.
  if (sqlite) {
    if (Status s = checkpointer->CheckpointOnce(); !s.ok()) Die(s.ToString());
  }
  auto t2c = Clock::now();
  if (sqlite && !(*db)->ExecScript("PRAGMA wal_autocheckpoint=1000").ok()) return 1;
  uint64_t entities = 0;
  for (const auto& [kind, c] : applied->kinds) entities += c.created;

  // Analysis: first run opens the alerts; the rerun is the steady state.
  Analysis first = Analyze(db->get(), *clock, tenant->id);
  Analysis steady = Analyze(db->get(), *clock, tenant->id);
  if (first.findings == 0 || first.reconcile_statements <= steady.reconcile_statements) {
    Die("the first analysis of " + std::to_string(users) + " users opened no alert");
  }

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
      "| %7d | %8.1f MB | %6.3f s | %6.3f s | %6.3f s | %6.3f s | %9.0f | %6.3f s | "
      "%6.3f s (%.3f / %.3f / %.3f) | %6.3f s (%.3f / %.3f / %.3f) | %llu | %llu | %zu | "
      "%6.0f B |\n",
      users, raw_bytes / 1e6, Seconds(t0, t1), Seconds(t1, t2), Seconds(t2, t2c),
      Seconds(t0, t2c), users / Seconds(t0, t2c), Seconds(t3, t4), first.seconds, first.load,
      first.analyze, first.reconcile, steady.seconds, steady.load, steady.analyze,
      steady.reconcile, static_cast<unsigned long long>(steady.load_statements),
      static_cast<unsigned long long>(first.reconcile_statements), first.findings, per_entity);
  return 0;
}

void RunSizes(const std::vector<int>& sizes, const std::string& root, const std::string& pg_admin) {
  std::printf(
      "\n| users | Graph JSON | parse | apply | WAL checkpoint (own connection, after) | sync total "
      "(parse + apply + checkpoint) | users/s (sync total) | resync (no change) | first analysis "
      "(load / analyze / reconcile) | steady analysis (load / analyze / reconcile) | load stmts "
      "| first reconcile stmts | findings | peak memory per entity beyond raw input |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int users : sizes) {
    SyntheticOptions options;
    options.users = users;
    options.seed = 42;
    options.tenant_name = "bench";
    GenerateDirectory(options, root + "/graph-" + std::to_string(users));
    if (!RunInChild([&] { return RunOne(users, root, pg_admin); })) {
      Die("the run of " + std::to_string(users) + " users failed");
    }
  }
}

// ----------------------------------------------------------- onboarding

// Runs `argv` with stdout to `out_path` (stderr kept); its wall time from
// fork to exit in seconds, or a negative value when it did not exit 0.
double TimedProcess(const std::vector<std::string>& argv, const std::string& out_path) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(127);
    dup2(fd, 1);
    close(fd);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  auto t1 = Clock::now();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return Seconds(t0, t1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads the two files with json.load and prints how long the loads alone took.
constexpr const char* kPythonLoad =
    "import json, sys, time\n"
    "t = time.perf_counter()\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path) as f:\n"
    "        json.load(f)\n"
    "print(time.perf_counter() - t)\n";

struct PythonRun {
  double process = 0;  // process start to exit
  double load = 0;     // the json.load calls alone, as Python timed them
};

PythonRun RunPython(const std::string& dir, const std::string& root) {
  const std::string out = root + "/python.out";
  PythonRun r;
  r.process = TimedProcess({"python3", "-c", kPythonLoad, dir + "/users.json",
                            dir + "/userRegistrationDetails.json"},
                           out);
  if (r.process < 0) Die("python3 json.load failed");
  r.load = std::stod(ReadFile(out));
  return r;
}

struct VigilRun {
  double seconds = 0;
  uint64_t load_statements = 0, reconcile_statements = 0;
  int opened = 0;
};

VigilRun RunVigilSync(const std::string& vigil, const std::string& db, const std::string& dir,
                      const std::string& root) {
  const std::string out = root + "/vigil.out";
  VigilRun r;
  r.seconds = TimedProcess({vigil, "sync", "--db", db, "--tenant", "onboarding", "--from-dir", dir,
                            "--now", FormatIso8601(kSyntheticDefaultNow), "--json"},
                           out);
  if (r.seconds < 0) Die("vigil sync --db " + db + " failed (see above)");
  nlohmann::json j = nlohmann::json::parse(ReadFile(out));
  const nlohmann::json& a = j.at("analysis");
  r.load_statements = a.at("statements").at("load").get<uint64_t>();
  r.reconcile_statements = a.at("statements").at("reconcile").get<uint64_t>();
  for (const nlohmann::json& b : a.at("batches")) {
    if (b.at("status") != "COMPLETE" || b.value("outcome", "") != "applied") {
      Die("vigil sync --db " + db + ": analysis " + b.at("type").get<std::string>() + " was " +
          b.at("status").get<std::string>() + ", not applied COMPLETE");
    }
    r.opened += b.value("opened", 0);
  }
  if (r.opened == 0) Die("vigil sync --db " + db + " opened no alert: not a first analysis");
  return r;
}

void RunOnboarding(int users, int runs, const std::string& vigil, const std::string& root,
                   const std::string& pg_admin) {
  const std::string dir = root + "/onboarding-" + std::to_string(users);
  SyntheticOptions options = OnboardingTenantOptions(users);
  options.seed = 42;
  options.tenant_name = "onboarding";
  GenerateDirectory(options, dir);
  std::printf(
      "\n| onboarding users | python3 process | python3 json.load alone | vigil sync, SQLite | vigil / json.load "
      "| opened alerts | load stmts | reconcile stmts |%s\n|---:|---:|---:|---:|---:|---:|---:|---:|%s\n",
      pg_admin.empty() ? "" : " vigil sync, PostgreSQL | PostgreSQL / SQLite | PG reconcile stmts |",
      pg_admin.empty() ? "" : "---:|---:|---:|");
  for (int run = 1; run <= runs; ++run) {
    PythonRun p = RunPython(dir, root);
    const std::string db_path = root + "/onboarding.db";
    RemoveSqlite(db_path);
    VigilRun s = RunVigilSync(vigil, db_path, dir, root);
    std::printf("| %7d | %.3f s | %.3f s | %.3f s | %.2f | %d | %llu | %llu |", users, p.process,
                p.load, s.seconds, s.seconds / p.load, s.opened,
                static_cast<unsigned long long>(s.load_statements),
                static_cast<unsigned long long>(s.reconcile_statements));
    if (!pg_admin.empty()) {
      VigilRun g = RunVigilSync(vigil, FreshPostgresDatabase(pg_admin, "onboarding"), dir, root);
      std::printf(" %.3f s | %.2f | %llu |", g.seconds, g.seconds / s.seconds,
                  static_cast<unsigned long long>(g.reconcile_statements));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  vigil::UseOneMallocArena();  // as vigil's main does
  std::vector<int> sizes = {1000, 10000, 100000};
  int onboarding = 100000;
  int runs = 1;
  bool runs_flag = false;
  std::string root = std::filesystem::temp_directory_path().string() + "/vigil-bench";
  std::string pg_admin;  // --pg ADMIN_URL: run on PostgreSQL instead of SQLite
  std::error_code ec;
  std::string vigil =
      (std::filesystem::canonical("/proc/self/exe", ec).parent_path() / "vigil").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--users") {
      sizes.clear();
      std::stringstream ss(argv[i + 1]);
      std::string item;
      while (std::getline(ss, item, ',')) {
        if (std::stoi(item) > 0) sizes.push_back(std::stoi(item));
      }
    } else if (flag == "--onboarding") {
      onboarding = std::stoi(argv[i + 1]);
    } else if (flag == "--runs") {
      runs = std::max(1, std::stoi(argv[i + 1]));
      runs_flag = true;
    } else if (flag == "--vigil") {
      vigil = argv[i + 1];
    } else if (flag == "--dir") {
      root = argv[i + 1];
    } else if (flag == "--pg") {
      pg_admin = argv[i + 1];
    } else if (flag == "--generate") {
      // Writes the onboarding tenant to the directory and exits: the input of
      // a `vigil sync` to profile by hand.
      vigil::SyntheticOptions options = vigil::OnboardingTenantOptions(onboarding);
      options.seed = 42;
      options.tenant_name = "onboarding";
      vigil::GenerateDirectory(options, argv[i + 1]);
      return 0;
    } else {
      std::fprintf(stderr, "bench_pipeline: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::filesystem::create_directories(root);
  std::string users;
  for (int n : sizes) users += (users.empty() ? "" : ",") + std::to_string(n);
  std::printf(
      "command: bench_pipeline --users %s --onboarding %d%s%s (%s; each tenant generated by a "
      "process of its own, peak memory reset by clear_refs just before the sync; onboarding: "
      "OnboardingTenantOptions seed 42, `python3 -c` json.load of users.json and "
      "userRegistrationDetails.json (the process, and the loads alone), then the first `vigil "
      "sync --tenant onboarding --from-dir DIR --now %s --json` on a fresh database, process "
      "start to exit)\n",
      users.empty() ? "0" : users.c_str(), onboarding,
      runs_flag ? (" --runs " + std::to_string(runs)).c_str() : "",
      pg_admin.empty() ? "" : " --pg ADMIN_URL",
      pg_admin.empty()
          ? "SQLite, WAL, synchronous=NORMAL; the sync's connection does not checkpoint, another "
            "connection checkpoints right after it: its own column, counted in the sync total"
          : "PostgreSQL, a fresh database per size and run; the onboarding sync on SQLite, then "
            "PostgreSQL",
      vigil::FormatIso8601(vigil::kSyntheticDefaultNow).c_str());
  if (!sizes.empty()) vigil::RunSizes(sizes, root, pg_admin);
  if (onboarding > 0) vigil::RunOnboarding(onboarding, runs, vigil, root, pg_admin);
  std::filesystem::remove_all(root);
  return 0;
}
