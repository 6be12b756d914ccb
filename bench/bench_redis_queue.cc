// The Redis queue benchmark (issues 4 and 17): what ships, measured from
// outside. `vigil queue work` (the binary, with default flags unless
// --vigil-args says otherwise) and Node BullMQ (a child process,
// bench/node/bullmq_bench.js) run side by side against one redis-server
// that this program starts on a free loopback port.
//   throughput: N no-op jobs added first (1,000 per bulk call on both
//               sides), then a worker with concurrency 1 and 50 runs them.
//               vigil: `vigil queue work --handler echo --concurrency C`
//               as a child process, timed from its spawn (process start,
//               connecting and loading the scripts included) until Redis's
//               completed set holds all N (polled every millisecond).
//               BullMQ: from its Worker's creation until the N-th
//               "completed" event. A fresh queue per run; completed jobs
//               are kept (as both do by default).
//   latency:    an idle worker (concurrency 1), L sequential jobs: add one,
//               wait for it to finish, pause 2 ms. vigil, from outside: the
//               job's "active" event (taken: its handler starts next) and
//               its "completed" event, read from BullMQ's events stream
//               with XREAD BLOCK; BullMQ: its processor's start, inside
//               the Node process. The add's round trip is part of all.
// The flags vigil ran with, and the prefetch its log line reports, head
// the table.
//
// Usage: bench_redis_queue [--jobs N] [--latency-jobs L] [--vigil PATH]
//                          [--vigil-args "ARGS"] [--no-node] [--node-dir DIR]
// PATH defaults to the vigil beside this program; ARGS are added to `queue
// work` (e.g. "--prefetch 0"). DIR (default: bench-node beside this
// program) receives bullmq 5.81.5 by `npm ci` from bench/node/package-lock.json
// when it is not there yet. Prints one Markdown table.
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "queue/redis_connection.h"
#include "queue/redis_queue.h"

extern char** environ;

namespace vigil {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s = Status::Ok()) {
  std::fprintf(stderr, "bench_redis_queue: %s%s%s\n", what.c_str(), s.ok() ? "" : ": ",
               s.ok() ? "" : s.ToString().c_str());
  std::exit(1);
}

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// A redis-server child on a free port in a temporary directory.
class Server {
 public:
  Server() {
    char tmpl[] = "/tmp/bench-redis-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) Die("mkdtemp");
    dir_ = tmpl;
    for (int tries = 0; tries < 5 && pid_ < 0; ++tries) {
      port_ = 20000 + static_cast<int>((getpid() * 7919 + tries * 104729) % 40000);
      std::string port = std::to_string(port_);
      pid_t pid = fork();
      if (pid < 0) Die("fork");
      if (pid == 0) {
        if (freopen((dir_ + "/redis.log").c_str(), "w", stdout) == nullptr) _exit(127);
        execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", dir_.c_str(), nullptr);
        _exit(127);
      }
      RedisEndpoint e;
      e.port = port_;
      for (int i = 0; i < 250; ++i) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) break;  // the port was taken
        auto c = RedisConnection::Connect(e, 1000, 1000);
        if (c.ok() && (*c)->Command({"PING"}).ok()) {
          pid_ = pid;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (pid_ < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    if (pid_ < 0) Die("redis-server did not start (is it installed?)");
  }
  ~Server() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    fs::remove_all(dir_);
  }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

std::unique_ptr<Queue> Open(const Server& server, const std::string& name, const Clock* clock) {
  RedisQueueOptions o;
  o.url = server.url();
  o.name = name;
  auto q = OpenRedisQueue(o, clock);
  if (!q.ok()) Die("open queue " + name, q.status());
  return std::move(q).value();
}

std::unique_ptr<RedisConnection> Connect(const Server& server) {
  RedisEndpoint e;
  e.port = server.port();
  auto c = RedisConnection::Connect(e, 1000, 0);
  if (!c.ok()) Die("connect", c.status());
  return std::move(c).value();
}

struct Throughput {
  double jobs_per_s = 0;
  double add_per_s = 0;
  double redis_us_per_job = 0;   // the server's CPU time while the worker ran, per job
  double worker_us_per_job = 0;  // the worker process's CPU time, per job
};

// The server's CPU time so far (INFO cpu: used_cpu_user + used_cpu_sys), in s.
double RedisCpuSeconds(const Server& server) {
  auto r = Connect(server)->Command({"INFO", "cpu"});
  if (!r.ok()) Die("INFO cpu", r.status());
  double total = 0;
  for (const char* field : {"used_cpu_user:", "used_cpu_sys:"}) {
    std::string text = r->AsString();
    size_t at = text.find(field);
    if (at == std::string::npos) Die(std::string("INFO cpu has no ") + field);
    total += std::atof(text.c_str() + at + std::strlen(field));
  }
  return total;
}

// `vigil queue work` as a child process, its log (stderr) in a file.
class WorkProcess {
 public:
  WorkProcess(const std::string& vigil, const std::vector<std::string>& args,
              const std::string& log) {
    std::vector<std::string> storage = {vigil, "queue", "work"};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, vigil.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      Die("spawn " + vigil);
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~WorkProcess() { Stop(); }
  // Its CPU time so far (user + system), in s.
  double CpuSeconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i >= 14) ticks += std::atof(f.c_str());  // utime, stime
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  // SIGTERM (drain), then waits; exits the bench when it fails.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("vigil queue work did not exit 0");
  }

 private:
  pid_t pid_ = -1;
};

// What vigil's "queue.work.started" log line says of a run: its prefetch.
std::string StartedPrefetch(const std::string& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"queue.work.started\"") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("prefetch")) return j["prefetch"].dump();
  }
  return "?";
}

struct VigilRun {
  std::string vigil;                   // the binary
  std::vector<std::string> extra;      // flags added to `queue work`
  std::string dir;                     // for the logs
  std::string prefetch = "?";          // as its log reported it
};

std::vector<std::string> WorkArgs(const Server& server, const std::string& queue, int concurrency,
                                  const VigilRun& run) {
  std::vector<std::string> args = {"--redis",   server.url(), "--queue",       queue,
                                   "--handler", "echo",       "--concurrency", std::to_string(concurrency),
                                   "--name",    "bench"};
  args.insert(args.end(), run.extra.begin(), run.extra.end());
  return args;
}

Throughput VigilThroughput(const Server& server, int jobs, int concurrency, VigilRun* run,
                           const Clock* clock) {
  const std::string name = "vigil-tp-" + std::to_string(concurrency);
  auto queue = Open(server, name, clock);
  // Added 1,000 per AddBulk, as the Node side adds 1,000 per addBulk.
  Steady::time_point add_start = Steady::now();
  for (int i = 0; i < jobs; i += 1000) {
    std::vector<JobToQueue> batch;
    for (int j = i; j < std::min(jobs, i + 1000); ++j) {
      batch.push_back({"noop", "{\"n\":" + std::to_string(j) + "}", {}});
    }
    auto added = queue->AddBulk(batch);
    if (!added.ok()) Die("add", added.status());
  }
  double add_s = Ms(Steady::now() - add_start) / 1000;

  auto poll = Connect(server);
  const std::string completed_key = "bull:" + name + ":completed";
  const std::string log = run->dir + "/work-" + std::to_string(concurrency) + ".log";
  double cpu_before = RedisCpuSeconds(server);
  Steady::time_point start = Steady::now();
  WorkProcess work(run->vigil, WorkArgs(server, name, concurrency, *run), log);
  for (;;) {
    auto n = poll->Command({"ZCARD", completed_key});
    if (!n.ok()) Die("ZCARD", n.status());
    if (n->AsInt() >= jobs) break;
    if (Ms(Steady::now() - start) > 600000) Die("vigil queue work did not finish in 10 min");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Steady::time_point end = Steady::now();
  double own_s = work.CpuSeconds();
  double cpu_s = RedisCpuSeconds(server) - cpu_before;
  work.Stop();
  run->prefetch = StartedPrefetch(log);
  return {jobs / (Ms(end - start) / 1000), jobs / add_s, cpu_s * 1e6 / jobs, own_s * 1e6 / jobs};
}

struct Latency {
  double p50_ms = 0;
  double p99_ms = 0;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(p / 100 * sorted.size()))) - 1;
  return sorted[std::min(rank, sorted.size() - 1)];
}

Latency Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {Percentile(samples, 50), Percentile(samples, 99)};
}

// Enqueue -> the job's "active" event (taken) and -> its "completed" event,
// with an idle `vigil queue work --concurrency 1`, seen from outside.
std::pair<Latency, Latency> VigilLatency(const Server& server, int count, const VigilRun& run,
                                         const Clock* clock) {
  const std::string name = "vigil-lat";
  auto queue = Open(server, name, clock);
  auto events = Connect(server);
  const std::string stream = "bull:" + name + ":events";
  WorkProcess work(run.vigil, WorkArgs(server, name, 1, run), run.dir + "/work-latency.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // started, blocked on the marker
  std::string last_id = "0-0";
  std::vector<double> active, completed;
  for (int i = 0; i < count; ++i) {
    Steady::time_point t0 = Steady::now();
    auto added = queue->Add("noop", "{\"n\":" + std::to_string(i) + "}", {});
    if (!added.ok()) Die("add", added.status());
    std::optional<Steady::time_point> taken;
    for (bool done = false; !done;) {
      auto r = events->Command({"XREAD", "BLOCK", "10000", "STREAMS", stream, last_id});
      if (!r.ok() || r->is_nil()) Die("no event within 10 s", r.status());
      const Steady::time_point now = Steady::now();
      for (const RedisReply& entry : r->at(0).at(1).elements) {
        last_id = entry.at(0).AsString();
        const RedisReply& fields = entry.at(1);
        std::string event, job;
        for (size_t f = 0; f + 1 < fields.elements.size(); f += 2) {
          if (fields.at(f).AsString() == "event") event = fields.at(f + 1).AsString();
          if (fields.at(f).AsString() == "jobId") job = fields.at(f + 1).AsString();
        }
        if (job != added->job_id) continue;
        if (event == "active" && !taken) taken = now;
        if (event == "completed") done = true;
      }
      if (done) {
        if (!taken) Die("no active event for job " + added->job_id);
        active.push_back(Ms(*taken - t0));
        completed.push_back(Ms(now - t0));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  work.Stop();
  return {Summarize(active), Summarize(completed)};
}

// The directory of this source file's bench/node.
// The build names this file relative to the build directory, where this
// program lives: resolved against it, the bench runs from any directory.
fs::path g_program_dir;
fs::path NodeSourceDir() {
  const fs::path source = fs::path(__FILE__).parent_path() / "node";
  return source.is_absolute() ? source : (g_program_dir / source).lexically_normal();
}

// Installs bullmq into `dir` unless the same lock file is there already.
void InstallNode(const fs::path& dir) {
  fs::path src = NodeSourceDir();
  fs::create_directories(dir);
  auto read = [](const fs::path& p) {
    std::string out;
    if (FILE* f = std::fopen(p.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  };
  if (fs::exists(dir / "node_modules" / "bullmq") &&
      read(dir / "package-lock.json") == read(src / "package-lock.json")) {
    return;
  }
  for (const char* f : {"package.json", "package-lock.json"}) {
    fs::copy_file(src / f, dir / f, fs::copy_options::overwrite_existing);
  }
  std::string cmd = "cd '" + dir.string() + "' && npm ci --no-audit --no-fund --loglevel=error >&2";
  if (std::system(cmd.c_str()) != 0) Die("npm ci in " + dir.string() + " failed");
}

struct NodeResult {
  Throughput throughput;
  Latency latency;
};

NodeResult RunNode(const fs::path& node_dir, int port, int jobs, int concurrency, int latency_jobs) {
  std::string cmd = "NODE_PATH='" + (node_dir / "node_modules").string() + "' node '" +
                    (NodeSourceDir() / "bullmq_bench.js").string() + "' --port " +
                    std::to_string(port) + " --jobs " + std::to_string(jobs) + " --concurrency " +
                    std::to_string(concurrency) + " --latency-jobs " + std::to_string(latency_jobs);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) Die("popen " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) Die("node failed: " + cmd);
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  if (!j.is_object()) Die("node printed no JSON: " + out);
  NodeResult r;
  r.throughput = {j.value("jobs_per_s", 0.0), j.value("add_per_s", 0.0),
                  j.value("redis_us_per_job", 0.0), j.value("worker_us_per_job", 0.0)};
  if (j["p50_ms"].is_number()) r.latency = {j["p50_ms"].get<double>(), j["p99_ms"].get<double>()};
  return r;
}

std::string Fmt(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

struct VigilResults {
  Throughput v1, v50;
  Latency active, completed;
};

void PrintTable(const Server& server, int jobs, const VigilRun& run, const std::string& vigil_args,
                bool with_node, const VigilResults& v, const NodeResult& n1, const NodeResult& n50) {
  const Throughput& v1 = v.v1;
  const Throughput& v50 = v.v50;
  const Latency& active = v.active;
  const Latency& completed = v.completed;
  auto row = [&](const char* what, double v, double n, const char* format, bool higher_better) {
    std::string ratio = "";
    if (with_node && v > 0 && n > 0) ratio = Fmt(higher_better ? v / n : n / v, "%.1f×");
    std::printf("| %s | %s | %s | %s |\n", what, Fmt(v, format).c_str(),
                with_node && n > 0 ? Fmt(n, format).c_str() : "-", ratio.c_str());
  };
  std::printf("\nRedis queue, %d no-op jobs, one redis-server (%s)\n", jobs, server.url().c_str());
  std::printf("vigil: `vigil queue work --handler echo --concurrency C%s%s` (%s; prefetch %s as "
              "its log reports), a child process timed from its spawn\n",
              vigil_args.empty() ? "" : " ", vigil_args.c_str(),
              vigil_args.empty() ? "default flags" : "flags as given", run.prefetch.c_str());
  std::printf("BullMQ: `new Worker(name, async () => null, {concurrency: C})`, defaults\n\n");
  std::printf("| measure | vigil | BullMQ 5.81.5 (Node) | vigil advantage |\n|---|---|---|---|\n");
  row("jobs/s processed, concurrency 1", v1.jobs_per_s, n1.throughput.jobs_per_s, "%.0f", true);
  row("jobs/s processed, concurrency 50", v50.jobs_per_s, n50.throughput.jobs_per_s, "%.0f", true);
  row("Redis CPU per job processed, concurrency 1 (µs)", v1.redis_us_per_job,
      n1.throughput.redis_us_per_job, "%.1f", false);
  row("Redis CPU per job processed, concurrency 50 (µs)", v50.redis_us_per_job,
      n50.throughput.redis_us_per_job, "%.1f", false);
  row("worker process CPU per job, concurrency 1 (µs)", v1.worker_us_per_job,
      n1.throughput.worker_us_per_job, "%.1f", false);
  row("worker process CPU per job, concurrency 50 (µs)", v50.worker_us_per_job,
      n50.throughput.worker_us_per_job, "%.1f", false);
  row("enqueue → start p50, idle worker (ms; vigil: its active event)", active.p50_ms,
      n1.latency.p50_ms, "%.3f", false);
  row("enqueue → start p99, idle worker (ms; vigil: its active event)", active.p99_ms,
      n1.latency.p99_ms, "%.3f", false);
  row("enqueue → completed event p99, idle worker (ms; vigil only)", completed.p99_ms, 0, "%.3f",
      false);
  row("jobs/s added (AddBulk / addBulk, 1,000 per call)", v1.add_per_s, n1.throughput.add_per_s, "%.0f", true);
}

int Main(int argc, char** argv) {
  int jobs = 20000;
  int latency_jobs = 2000;
  bool with_node = true;
  const fs::path here = fs::absolute(fs::path(argv[0])).parent_path();
  g_program_dir = here;
  fs::path node_dir = here / "bench-node";
  VigilRun run;
  run.vigil = (here / "vigil").string();
  std::string vigil_args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--jobs" && i + 1 < argc) {
      jobs = std::atoi(argv[++i]);
    } else if (a == "--latency-jobs" && i + 1 < argc) {
      latency_jobs = std::atoi(argv[++i]);
    } else if (a == "--node-dir" && i + 1 < argc) {
      node_dir = argv[++i];
    } else if (a == "--vigil" && i + 1 < argc) {
      run.vigil = argv[++i];
    } else if (a == "--vigil-args" && i + 1 < argc) {
      vigil_args = argv[++i];
      std::istringstream words(vigil_args);
      for (std::string w; words >> w;) run.extra.push_back(w);
    } else if (a == "--no-node") {
      with_node = false;
    } else {
      std::fprintf(stderr,
                   "usage: bench_redis_queue [--jobs N] [--latency-jobs L] [--vigil PATH] "
                   "[--vigil-args \"ARGS\"] [--no-node] [--node-dir DIR]\n");
      return 2;
    }
  }
  if (jobs <= 0 || latency_jobs <= 0) Die("--jobs and --latency-jobs must be > 0");
  if (access(run.vigil.c_str(), X_OK) != 0) Die("no vigil binary at " + run.vigil + " (--vigil)");
  if (with_node) InstallNode(node_dir);
  std::unique_ptr<Clock> clock = NewSystemClock();
  Server server;
  run.dir = server.dir();
  std::fprintf(stderr, "redis-server on port %d\n", server.port());

  Throughput v1 = VigilThroughput(server, jobs, 1, &run, clock.get());
  std::fprintf(stderr, "vigil c=1: %.0f jobs/s, CPU per job: redis %.1f us, worker %.1f us\n",
               v1.jobs_per_s, v1.redis_us_per_job, v1.worker_us_per_job);
  Throughput v50 = VigilThroughput(server, jobs, 50, &run, clock.get());
  std::fprintf(stderr, "vigil c=50: %.0f jobs/s, CPU per job: redis %.1f us, worker %.1f us\n",
               v50.jobs_per_s, v50.redis_us_per_job, v50.worker_us_per_job);
  auto [active, completed] = VigilLatency(server, latency_jobs, run, clock.get());
  std::fprintf(stderr, "vigil latency: active p50 %.3f ms p99 %.3f ms, completed p50 %.3f p99 %.3f\n",
               active.p50_ms, active.p99_ms, completed.p50_ms, completed.p99_ms);
  NodeResult n1, n50;
  if (with_node) {
    n1 = RunNode(node_dir, server.port(), jobs, 1, latency_jobs);
    std::fprintf(stderr, "bullmq c=1: %.0f jobs/s\n", n1.throughput.jobs_per_s);
    n50 = RunNode(node_dir, server.port(), jobs, 50, 0);
    std::fprintf(stderr, "bullmq c=50: %.0f jobs/s\n", n50.throughput.jobs_per_s);
  }

  // BENCH_REDIS_STATS=1: the server's INFO (CPU, time per command) to stderr, for profiling.
  if (std::getenv("BENCH_REDIS_STATS") != nullptr) {
    auto r = Connect(server)->Command({"INFO", "all"});
    if (r.ok()) std::fprintf(stderr, "%s\n", r->AsString().c_str());
  }
  PrintTable(server, jobs, run, vigil_args, with_node, {v1, v50, active, completed}, n1, n50);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) { return vigil::Main(argc, argv); }
