#include "queue/plain_worker.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace vigil {
namespace {

// How long a worker thread pauses after a failed Take before the next one.
constexpr std::chrono::milliseconds kTakeErrorPause(200);

}  // namespace

PlainWorker::PlainWorker(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
                         const Clock* clock)
    : WorkerCore(queue, std::move(make_handler), std::move(options), clock) {}

PlainWorker::~PlainWorker() { Shutdown(); }

void PlainWorker::StartThreads() {
  for (int i = 0; i < options_.concurrency; ++i) {
    threads_.emplace_back(&PlainWorker::RunThread, this, i, handlers_[i].get());
  }
}

void PlainWorker::RunThread(int index, JobHandler* handler) {
  const std::string owner = options_.name + "/" + std::to_string(index);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    Result<std::optional<Job>> taken =
        queue_->Take(owner, options_.lease_ms, options_.take_wait_ms);
    if (!taken.ok()) {
      std::unique_lock<std::mutex> lock(mu_);
      ++stats_.errors;
      cv_.wait_for(lock, kTakeErrorPause, [&] { return stopping_; });
      continue;
    }
    if (!taken->has_value()) continue;
    const Job& job = **taken;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Hold(job);
      ++in_flight_;
    }
    Finished(job, Report(job, RunHandler(handler, job)));
    {
      std::lock_guard<std::mutex> lock(mu_);
      Forget(job);
      --in_flight_;
    }
    cv_.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++exited_;
  }
  cv_.notify_all();
}

}  // namespace vigil
