#include "pipeline/pruner.h"

#include <chrono>

#include "events/outbox.h"
#include "notify/notification_store.h"
#include "observe/log.h"
#include "queue/job_retention.h"

namespace vigil {

Pruner::Pruner(std::unique_ptr<Db> db, const Clock* clock, PrunerOptions options)
    : db_(std::move(db)), clock_(clock), options_(std::move(options)) {}

Pruner::~Pruner() { Stop(); }

Result<PruneSummary> Pruner::Pass() {
  const TimeMs cutoff = clock_->NowMs() - options_.retention_ms;
  PruneSummary summary;
  VIGIL_ASSIGN_OR_RETURN(PrunedJobs jobs, PruneFinishedJobs(db_.get(), options_.queue, cutoff));
  summary.jobs = jobs.jobs;
  summary.outbox = jobs.outbox;
  VIGIL_ASSIGN_OR_RETURN(summary.events, PrunePublishedEvents(db_.get(), cutoff));
  VIGIL_ASSIGN_OR_RETURN(summary.deliveries, PruneDeliveries(db_.get(), cutoff));
  return summary;
}

void Pruner::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Pruner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Pruner::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<PruneSummary> pass = Pass();
    if (!pass.ok()) {
      Log(LogLevel::kWarn, "prune.failed", {{"error", pass.status().message()}});
    } else if (pass->jobs + pass->outbox + pass->events > 0) {
      Log(LogLevel::kInfo, "pruned",
          {{"jobs", pass->jobs}, {"job_outbox", pass->outbox}, {"events", pass->events}});
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                 [this] { return stopping_; });
  }
}

}  // namespace vigil
