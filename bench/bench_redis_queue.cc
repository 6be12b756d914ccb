// The Redis queue benchmark of issue 4: vigil's Redis backend (in-process,
// queue/redis_queue.h + queue/worker.h) and Node BullMQ (a child process,
// bench/node/bullmq_bench.js) side by side against one redis-server that
// this program starts on a free loopback port.
//   throughput: N no-op jobs added first (1,000 per bulk call on both
//               sides), then a worker with concurrency 1
//               and 50 runs them; jobs/s from the worker's start until the
//               N-th completion. A fresh queue per run; completed jobs are
//               kept (as both do by default).
//   latency:    enqueue -> handler start with an idle worker (concurrency
//               1), over L sequential jobs: add one, note when its handler
//               starts, wait for its completion, pause 2 ms. The add's own
//               round trip is part of it, on both sides.
//
// vigil's workers run with WorkerOptions::prefetch P (default 100): one
// feeder thread completes and takes in batches (Queue::CompleteAndTake, one
// script per batch); --prefetch 0 gives one round trip per job.
//
// Usage: bench_redis_queue [--jobs N] [--latency-jobs L] [--prefetch P]
//                          [--no-node] [--node-dir DIR]
// DIR (default: bench-node beside this program) receives bullmq 5.81.5 by
// `npm ci` from bench/node/package-lock.json when it is not there yet.
// Prints one Markdown table.
#include <signal.h>
#include <sys/resource.h>
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
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "queue/redis_connection.h"
#include "queue/redis_queue.h"
#include "queue/worker.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s = Status::Ok()) {
  std::fprintf(stderr, "bench_redis_queue: %s%s%s\n", what.c_str(), s.ok() ? "" : ": ",
               s.ok() ? "" : s.ToString().c_str());
  std::exit(1);
}

// WorkerOptions::prefetch of vigil's workers (0: each worker thread takes
// and completes its own jobs).
constexpr int kDefaultPrefetch = 100;

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

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

class NoopHandler : public JobHandler {
 public:
  explicit NoopHandler(std::function<void()> on_start) : on_start_(std::move(on_start)) {}
  Result<std::string> Run(const Job&) override {
    if (on_start_) on_start_();
    return std::string("null");
  }

 private:
  std::function<void()> on_start_;
};

std::unique_ptr<Queue> Open(const Server& server, const std::string& name, const Clock* clock) {
  RedisQueueOptions o;
  o.url = server.url();
  o.name = name;
  auto q = OpenRedisQueue(o, clock);
  if (!q.ok()) Die("open queue " + name, q.status());
  return std::move(q).value();
}

struct Throughput {
  double jobs_per_s = 0;
  double add_per_s = 0;
  double redis_us_per_job = 0;   // the server's CPU time while the worker ran, per job
  double worker_us_per_job = 0;  // the worker process's CPU time meanwhile, per job
};

// This process's CPU time so far (user + system), in s.
double ProcessCpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// The server's CPU time so far (INFO cpu: used_cpu_user + used_cpu_sys), in s.
double RedisCpuSeconds(const Server& server) {
  RedisEndpoint e;
  e.port = server.port();
  auto c = RedisConnection::Connect(e, 1000, 10000);
  if (!c.ok()) Die("connect for INFO", c.status());
  auto r = (*c)->Command({"INFO", "cpu"});
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

Throughput VigilThroughput(const Server& server, int jobs, int concurrency, int prefetch,
                           const Clock* clock) {
  auto queue = Open(server, "vigil-tp-" + std::to_string(concurrency), clock);
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

  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  Steady::time_point end;
  WorkerOptions o;
  o.name = "bench";
  o.concurrency = concurrency;
  o.prefetch = prefetch;
  o.on_finished = [&](const Job&, RunEnd, const Status& s) {
    if (!s.ok()) Die("job", s);
    std::lock_guard<std::mutex> lock(mu);
    if (++done == jobs) {
      end = Steady::now();
      cv.notify_all();
    }
  };
  Worker worker(
      queue.get(), [] { return Result<std::unique_ptr<JobHandler>>(std::make_unique<NoopHandler>(nullptr)); },
      o, clock);
  double cpu_before = RedisCpuSeconds(server);
  double own_before = ProcessCpuSeconds();
  Steady::time_point start = Steady::now();
  Status s = worker.Start();
  if (!s.ok()) Die("start worker", s);
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == jobs; });
  }
  double own_s = ProcessCpuSeconds() - own_before;
  double cpu_s = RedisCpuSeconds(server) - cpu_before;
  worker.Stop(5000);
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

Latency VigilLatency(const Server& server, int count, int prefetch, const Clock* clock) {
  auto queue = Open(server, "vigil-lat", clock);
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Steady::time_point> started;
  bool finished = false;
  WorkerOptions o;
  o.name = "bench-latency";
  o.concurrency = 1;
  o.prefetch = prefetch;
  o.take_wait_ms = 60000;
  o.on_finished = [&](const Job&, RunEnd, const Status&) {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
    cv.notify_all();
  };
  Worker worker(
      queue.get(),
      [&] {
        return Result<std::unique_ptr<JobHandler>>(std::make_unique<NoopHandler>([&] {
          Steady::time_point now = Steady::now();
          std::lock_guard<std::mutex> lock(mu);
          started = now;
          cv.notify_all();
        }));
      },
      o, clock);
  Status s = worker.Start();
  if (!s.ok()) Die("start worker", s);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it block on the marker
  std::vector<double> samples;
  for (int i = 0; i < count; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      started.reset();
      finished = false;
    }
    Steady::time_point t0 = Steady::now();
    auto added = queue->Add("noop", "{\"n\":" + std::to_string(i) + "}", {});
    if (!added.ok()) Die("add", added.status());
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return finished; });
    samples.push_back(Ms(*started - t0));
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  worker.Stop(5000);
  std::sort(samples.begin(), samples.end());
  return {Percentile(samples, 50), Percentile(samples, 99)};
}

// The directory of this source file's bench/node.
fs::path NodeSourceDir() { return fs::path(__FILE__).parent_path() / "node"; }

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

int Main(int argc, char** argv) {
  int jobs = 20000;
  int latency_jobs = 2000;
  bool with_node = true;
  int prefetch = kDefaultPrefetch;
  fs::path node_dir = fs::absolute(fs::path(argv[0])).parent_path() / "bench-node";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--jobs" && i + 1 < argc) {
      jobs = std::atoi(argv[++i]);
    } else if (a == "--latency-jobs" && i + 1 < argc) {
      latency_jobs = std::atoi(argv[++i]);
    } else if (a == "--node-dir" && i + 1 < argc) {
      node_dir = argv[++i];
    } else if (a == "--prefetch" && i + 1 < argc) {
      prefetch = std::atoi(argv[++i]);
    } else if (a == "--no-node") {
      with_node = false;
    } else {
      std::fprintf(stderr,
                   "usage: bench_redis_queue [--jobs N] [--latency-jobs L] [--prefetch P] [--no-node] "
                   "[--node-dir DIR]\n");
      return 2;
    }
  }
  if (jobs <= 0 || latency_jobs <= 0) Die("--jobs and --latency-jobs must be > 0");
  if (prefetch < 0) Die("--prefetch must be >= 0");
  if (with_node) InstallNode(node_dir);
  std::unique_ptr<Clock> clock = NewSystemClock();
  Server server;
  std::fprintf(stderr, "redis-server on port %d\n", server.port());

  Throughput v1 = VigilThroughput(server, jobs, 1, prefetch, clock.get());
  std::fprintf(stderr, "vigil c=1: %.0f jobs/s, CPU per job: redis %.1f us, worker %.1f us\n",
               v1.jobs_per_s, v1.redis_us_per_job, v1.worker_us_per_job);
  Throughput v50 = VigilThroughput(server, jobs, 50, prefetch, clock.get());
  std::fprintf(stderr, "vigil c=50: %.0f jobs/s, CPU per job: redis %.1f us, worker %.1f us\n",
               v50.jobs_per_s, v50.redis_us_per_job, v50.worker_us_per_job);
  Latency vl = VigilLatency(server, latency_jobs, prefetch, clock.get());
  std::fprintf(stderr, "vigil latency p50 %.3f ms p99 %.3f ms\n", vl.p50_ms, vl.p99_ms);
  NodeResult n1, n50;
  if (with_node) {
    n1 = RunNode(node_dir, server.port(), jobs, 1, latency_jobs);
    std::fprintf(stderr, "bullmq c=1: %.0f jobs/s\n", n1.throughput.jobs_per_s);
    n50 = RunNode(node_dir, server.port(), jobs, 50, 0);
    std::fprintf(stderr, "bullmq c=50: %.0f jobs/s\n", n50.throughput.jobs_per_s);
  }

  // BENCH_REDIS_STATS=1: the server's INFO (CPU, time per command) to stderr, for profiling.
  if (std::getenv("BENCH_REDIS_STATS") != nullptr) {
    RedisEndpoint e;
    e.port = server.port();
    auto c = RedisConnection::Connect(e, 1000, 10000);
    if (c.ok()) {
      auto r = (*c)->Command({"INFO", "all"});
      if (r.ok()) std::fprintf(stderr, "%s\n", r->AsString().c_str());
    }
  }
  auto row = [&](const char* what, double v, double n, const char* format, bool higher_better) {
    std::string ratio = "";
    if (with_node && v > 0 && n > 0) ratio = Fmt(higher_better ? v / n : n / v, "%.1f×");
    std::printf("| %s | %s | %s | %s |\n", what, Fmt(v, format).c_str(),
                with_node ? Fmt(n, format).c_str() : "-", ratio.c_str());
  };
  std::printf("\nRedis queue, %d no-op jobs, one redis-server (%s)\n\n", jobs, server.url().c_str());
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
  row("enqueue → start p50, idle worker (ms)", vl.p50_ms, n1.latency.p50_ms, "%.3f", false);
  row("enqueue → start p99, idle worker (ms)", vl.p99_ms, n1.latency.p99_ms, "%.3f", false);
  row("jobs/s added (AddBulk / addBulk, 1,000 per call)", v1.add_per_s, n1.throughput.add_per_s, "%.0f", true);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) { return vigil::Main(argc, argv); }
