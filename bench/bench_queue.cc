// The queue benchmark of docs/PERFORMANCE.md, on a temporary SQLite file
// with the local queue (queue/local_queue.h) and the Worker (queue/worker.h):
//   latency:    enqueue -> handler start with an idle worker (concurrency 1),
//               over N sequential jobs: add one, wait until its handler has
//               started (steady clock), wait until it is completed, repeat.
//   throughput: M no-op jobs added first (the add rate is reported too),
//               then run by a worker at concurrency 1 and 8 until all are
//               completed; a fresh database per concurrency.
// Both with SQLite's checkpoints inside commits and with a background
// checkpointer thread (store/wal_checkpointer.h, every 200 ms), as `vigil
// serve` runs. Either way the WAL may still hold pages when the last job
// completes: right after, one checkpoint copies them into the database,
// timed on its own ("checkpoint after"), and the jobs/s count it: jobs /
// (run + checkpoint after). The Worker runs without prefetch, as serve's.
//
// Usage: bench_queue [--latency-jobs N] [--jobs M] [--dir DIR]
// Prints a "command:" line with every flag and a Markdown table.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "queue/local_queue.h"
#include "queue/worker.h"
#include "store/sqlite_db.h"
#include "store/wal_checkpointer.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_queue: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A queue on a fresh file. With `background_checkpoint` (as `vigil serve`
// runs it) the queue's connection leaves WAL checkpoints to a
// WalCheckpointer thread; without, SQLite checkpoints inside commits.
struct QueueSetup {
  std::unique_ptr<WalCheckpointer> checkpointer;  // declared first: outlives the queue
  std::unique_ptr<Queue> queue;
};

QueueSetup OpenQueue(const std::string& path, const Clock* clock, bool background_checkpoint) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  auto db = OpenSqliteDb(path);
  if (!db.ok()) Die("open " + path, db.status());
  QueueSetup setup;
  if (background_checkpoint) {
    Status off = DisableAutoCheckpoint(db->get());
    if (!off.ok()) Die("auto-checkpoint", off);
    auto other = OpenSqliteDb(path);
    if (!other.ok()) Die("open " + path, other.status());
    setup.checkpointer = std::make_unique<WalCheckpointer>(std::move(other).value(), 200);
    setup.checkpointer->Start();
  }
  auto queue = OpenLocalQueue(std::move(db).value(), clock);
  if (!queue.ok()) Die("open queue", queue.status());
  setup.queue = std::move(queue).value();
  return setup;
}

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

// Counts finished runs; lets the main thread wait for a number of them.
struct Progress {
  std::mutex mu;
  std::condition_variable cv;
  int64_t started = 0;
  int64_t finished = 0;
  Steady::time_point last_start;

  void Start() {
    Steady::time_point now = Steady::now();
    std::lock_guard<std::mutex> lock(mu);
    last_start = now;
    ++started;
    cv.notify_all();
  }
  void Finish() {
    std::lock_guard<std::mutex> lock(mu);
    ++finished;
    cv.notify_all();
  }
};

std::unique_ptr<Worker> StartWorker(Queue* queue, const Clock* clock, int concurrency,
                                    Progress* progress, bool record_start) {
  WorkerOptions options;
  options.name = "bench";
  options.concurrency = concurrency;
  options.on_finished = [progress](const Job&, RunEnd, const Status& s) {
    if (!s.ok()) Die("job", s);
    progress->Finish();
  };
  std::function<void()> on_start;
  if (record_start) on_start = [progress] { progress->Start(); };
  auto worker = std::make_unique<Worker>(
      queue,
      [on_start]() -> Result<std::unique_ptr<JobHandler>> {
        return std::unique_ptr<JobHandler>(new NoopHandler(on_start));
      },
      options, clock);
  Status s = worker->Start();
  if (!s.ok()) Die("start worker", s);
  return worker;
}

struct Latency {
  double p50_us = 0, p99_us = 0, max_us = 0;
};

Latency MeasureLatency(const std::string& path, const Clock* clock, int jobs, bool background) {
  QueueSetup setup = OpenQueue(path, clock, background);
  Queue* queue = setup.queue.get();
  Progress progress;
  std::unique_ptr<Worker> worker = StartWorker(queue, clock, 1, &progress, true);
  // Let the worker reach its waiting Take.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<double> us;
  us.reserve(jobs);
  for (int i = 0; i < jobs; ++i) {
    Steady::time_point added = Steady::now();
    auto r = queue->Add("noop", "{}", JobOptions());
    if (!r.ok()) Die("add", r.status());
    std::unique_lock<std::mutex> lock(progress.mu);
    progress.cv.wait(lock, [&] { return progress.finished == i + 1; });
    us.push_back(std::chrono::duration<double, std::micro>(progress.last_start - added).count());
  }
  worker->Stop(5000);
  std::sort(us.begin(), us.end());
  Latency l;
  l.p50_us = us[us.size() / 2];
  l.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  l.max_us = us.back();
  return l;
}

struct Throughput {
  double adds_per_s = 0;
  double jobs_per_s = 0;     // jobs / (run + checkpoint after)
  double checkpoint_s = 0;   // the WAL left when the last job completed
};

Throughput MeasureThroughput(const std::string& path, const Clock* clock, int jobs,
                             int concurrency, bool background) {
  QueueSetup setup = OpenQueue(path, clock, background);
  Queue* queue = setup.queue.get();
  Throughput t;
  Steady::time_point a = Steady::now();
  for (int i = 0; i < jobs; ++i) {
    auto r = queue->Add("noop", "{}", JobOptions());
    if (!r.ok()) Die("add", r.status());
  }
  Steady::time_point b = Steady::now();
  t.adds_per_s = jobs / Seconds(a, b);
  auto other = OpenSqliteDb(path);
  if (!other.ok()) Die("open " + path, other.status());
  WalCheckpointer after(std::move(other).value(), 1000);  // only CheckpointOnce below
  Progress progress;
  Steady::time_point start = Steady::now();
  std::unique_ptr<Worker> worker = StartWorker(queue, clock, concurrency, &progress, false);
  {
    std::unique_lock<std::mutex> lock(progress.mu);
    progress.cv.wait(lock, [&] { return progress.finished == jobs; });
  }
  Steady::time_point end = Steady::now();
  Status copied = after.CheckpointOnce();
  if (!copied.ok()) Die("checkpoint after the run", copied);
  t.checkpoint_s = Seconds(end, Steady::now());
  t.jobs_per_s = jobs / (Seconds(start, end) + t.checkpoint_s);
  worker->Stop(5000);
  auto counts = queue->Counts();
  if (!counts.ok()) Die("counts", counts.status());
  if (counts->completed != jobs) {
    std::fprintf(stderr, "bench_queue: %lld of %d jobs completed\n",
                 static_cast<long long>(counts->completed), jobs);
    std::exit(1);
  }
  return t;
}

int Main(int argc, char** argv) {
  int latency_jobs = 2000;
  int jobs = 20000;
  std::string dir = std::filesystem::temp_directory_path().string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--latency-jobs") == 0) {
      latency_jobs = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--jobs") == 0) {
      jobs = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--dir") == 0) {
      dir = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: bench_queue [--latency-jobs N] [--jobs M] [--dir DIR]\n");
      return 2;
    }
  }
  if (latency_jobs < 1 || jobs < 1) {
    std::fprintf(stderr, "bench_queue: --latency-jobs and --jobs must be >= 1\n");
    return 2;
  }
  std::unique_ptr<Clock> clock = NewSystemClock();
  const std::string path = dir + "/bench_queue_" + std::to_string(::getpid()) + ".db";

  std::printf("command: bench_queue --latency-jobs %d --jobs %d (local queue in SQLite, Worker "
              "without prefetch)\n\n",
              latency_jobs, jobs);
  std::printf("| WAL checkpoints | enqueue -> handler start p50, idle worker | p99 | max "
              "| jobs/s added, one per call | no-op jobs/s, concurrency 1 | checkpoint after, "
              "concurrency 1 | no-op jobs/s, concurrency 8 | checkpoint after, concurrency 8 |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (bool background : {false, true}) {
    Latency l = MeasureLatency(path, clock.get(), latency_jobs, background);
    Throughput one = MeasureThroughput(path, clock.get(), jobs, 1, background);
    Throughput eight = MeasureThroughput(path, clock.get(), jobs, 8, background);
    std::printf("| %s | %.0f us | %.0f us | %.0f us | %.0f | %.0f | %.3f s | %.0f | %.3f s |\n",
                background ? "background thread every 200 ms (as `vigil serve`)"
                           : "inside commits (SQLite default)",
                l.p50_us, l.p99_us, l.max_us, (one.adds_per_s + eight.adds_per_s) / 2,
                one.jobs_per_s, one.checkpoint_s, eight.jobs_per_s, eight.checkpoint_s);
    std::fflush(stdout);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) { return vigil::Main(argc, argv); }
