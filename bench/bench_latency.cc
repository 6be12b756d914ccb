// The trigger-to-alerts latency benchmark of docs/PERFORMANCE.md (issue 16):
// how long after an operator's `vigil trigger` the tenant's alerts are
// reconciled, with `vigil serve` on its default flags, measured from outside.
//
// Setup (not timed): a synthetic tenant of --users users written as a Graph
// directory and synced once with `vigil sync` into a fresh SQLite database;
// then `vigil serve --db DB --http off` (embedded: the local queue in the
// database), or the same with `--redis URL` on a redis-server the benchmark
// starts on a free loopback port (Redis mode).
//
// Timed, --triggers times per mode: from just before `vigil trigger --db DB
// --tenant T --json [--redis URL]` is started (a process of its own) until
// the `analysis.completed` event of the trace it printed is in the
// database's event outbox (polled every millisecond): the trigger process,
// the queue hand-over, the sync job, the analyze job, the reconcile. One
// trigger at a time, each after the previous one's analysis completed.
//
// Usage: bench_latency --vigil PATH [--users U] [--triggers N] [--modes sqlite,redis]
// Prints one Markdown table row per mode.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "observe/log.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "testing/redis_server.h"

extern char** environ;

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const std::string& why) {
  std::fprintf(stderr, "bench_latency: %s: %s\n", what.c_str(), why.c_str());
  std::exit(1);
}

// Runs `args` to completion; its standard output.
std::string RunCommand(const std::vector<std::string>& args) {
  std::string command;
  for (const std::string& a : args) command += "'" + a + "' ";
  command += "2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) Die("running " + args[0], "popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  if (status != 0) Die("running " + command, "exit status " + std::to_string(status));
  return out;
}

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    Die("starting " + args[0], "posix_spawn failed");
  }
  return pid;
}

struct Figures {
  double median_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

Figures Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    const size_t i = std::min(ms.size() - 1, static_cast<size_t>(q * (ms.size() - 1) + 0.5));
    return ms[i];
  };
  return {at(0.5), at(0.9), at(0.99), ms.back()};
}

// One mode: serve on defaults (plus `extra`), `triggers` timed triggers.
Figures Measure(const std::string& vigil, const std::string& dir, const std::string& graph,
                int triggers, const std::vector<std::string>& extra) {
  const std::string db_path = dir + "/vigil.db";
  std::filesystem::remove(db_path);
  std::filesystem::remove(db_path + "-wal");
  std::filesystem::remove(db_path + "-shm");
  RunCommand({vigil, "sync", "--db", db_path, "--tenant", "contoso", "--from-dir", graph});
  std::vector<std::string> serve = {vigil, "serve", "--db", db_path, "--http", "off",
                                    "--log-level", "error"};
  serve.insert(serve.end(), extra.begin(), extra.end());
  const pid_t server = Spawn(serve);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // started and idle

  auto db = OpenSqliteDb(db_path);
  if (!db.ok()) Die("opening " + db_path, db.status().ToString());
  std::vector<double> latencies;
  for (int i = 0; i < triggers; ++i) {
    std::vector<std::string> trigger = {vigil, "trigger", "--db", db_path, "--tenant", "contoso",
                                        "--json"};
    trigger.insert(trigger.end(), extra.begin(), extra.end());
    const Steady::time_point start = Steady::now();
    const std::string out = RunCommand(trigger);
    // One object per data source triggered; the tenant has one.
    const nlohmann::json printed = nlohmann::json::parse(out, nullptr, false);
    if (!printed.is_array() || printed.size() != 1 || !printed[0].contains("trace_id")) {
      kill(server, SIGTERM);
      Die("vigil trigger --json", "printed " + out);
    }
    const std::string trace_id = printed[0].at("trace_id").get<std::string>();
    const Steady::time_point give_up = start + std::chrono::seconds(60);
    for (;;) {
      Result<std::optional<int64_t>> found = (*db)->QueryInt(
          "SELECT COUNT(*) FROM event_outbox WHERE type = 'analysis.completed' AND trace_id = ?",
          {trace_id});
      if (found.ok() && found->value_or(0) > 0) break;
      if (Steady::now() > give_up) Die("trigger " + trace_id, "no analysis.completed in 60 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  }
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  return Summarize(latencies);
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  std::string vigil_binary;
  int users = 3000, triggers = 50;
  std::vector<std::string> modes = {"sqlite", "redis"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--vigil") vigil_binary = value;
    else if (flag == "--users") users = std::stoi(value);
    else if (flag == "--triggers") triggers = std::stoi(value);
    else if (flag == "--modes") modes = Split(value);
    else {
      std::fprintf(stderr, "usage: bench_latency --vigil PATH [--users U] [--triggers N] "
                           "[--modes sqlite,redis]\n");
      return 2;
    }
  }
  if (vigil_binary.empty() || triggers < 1) {
    std::fprintf(stderr, "bench_latency: --vigil is required and --triggers must be >= 1\n");
    return 2;
  }
  SetLogLevel(LogLevel::kWarn);
  const std::string dir = std::filesystem::temp_directory_path().string() + "/vigil-bench-latency";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SyntheticOptions options;
  options.users = users;
  options.now = NewSystemClock()->NowMs();
  Status written = WriteGraphDirectory(GenerateTenant(options), dir + "/graph");
  if (!written.ok()) Die("writing the tenant", written.ToString());

  std::string mode_list;
  for (const std::string& m : modes) mode_list += (mode_list.empty() ? "" : ",") + m;
  std::printf("command: bench_latency --users %d --triggers %d --modes %s (serve and trigger on "
              "their default flags)\n\n",
              users, triggers, mode_list.c_str());
  std::printf("| serve (default flags) | users | triggers | median | p90 | p99 | max |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string& mode : modes) {
    std::vector<std::string> extra;
    std::unique_ptr<testing::RedisServer> redis;
    if (mode == "redis") {
      auto started = testing::RedisServer::Start();
      if (!started.ok()) Die("starting redis-server", started.status().ToString());
      redis = std::move(started).value();
      extra = {"--redis", redis->url()};
    } else if (mode != "sqlite") {
      Die("--modes", "\"" + mode + "\" is not sqlite or redis");
    }
    Figures f = Measure(vigil_binary, dir, dir + "/graph", triggers, extra);
    std::printf("| %s | %d | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |\n",
                mode == "redis" ? "`--redis`" : "embedded (SQLite)", users, triggers, f.median_ms,
                f.p90_ms, f.p99_ms, f.max_ms);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
