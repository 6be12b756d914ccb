#include "queue/queue_reconciler.h"

#include <algorithm>

#include "observe/log.h"
#include "queue/job_outbox.h"

namespace vigil {

QueueReconciler::QueueReconciler(std::unique_ptr<Db> db, Queue* target, const Clock* clock,
                                 QueueReconcilerOptions options)
    : db_(std::move(db)), target_(target), clock_(clock), options_(options) {}

QueueReconciler::~QueueReconciler() { Stop(); }

Result<ReconcileQueueSummary> QueueReconciler::Pass() {
  ReconcileQueueSummary summary;
  const TimeMs now = clock_->NowMs();
  const std::string& queue = target_->name();
  int64_t after = 0;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<OutboxJob> rows,
                           ListUnfinishedOutboxJobs(db_.get(), queue, now - options_.grace_ms,
                                                    now, after, options_.batch));
    for (const OutboxJob& row : rows) {
      after = row.id;
      ++summary.checked;
      Result<JobInfo> info = target_->Get(row.job_id);
      if (info.ok()) {
        if (info->state == JobState::kCompleted || info->state == JobState::kFailed) {
          VIGIL_ASSIGN_OR_RETURN(
              bool marked,
              MarkOutboxFinished(db_.get(), queue, row.job_id,
                                 info->state == JobState::kCompleted ? "completed" : "failed",
                                 clock_->NowMs()));
          if (marked) ++summary.finished;
        }
        continue;
      }
      if (info.status().code() != Code::kNotFound) {
        return info.status().Prefixed("reconciling job " + row.job_id);
      }
      JobOptions options = row.options;
      options.delay_ms = std::max<int64_t>(0, row.created_at + row.options.delay_ms - now);
      VIGIL_ASSIGN_OR_RETURN(AddResult added, target_->Add(row.name, row.payload, options));
      ++summary.restored;
      Log(LogLevel::kInfo, "queue.restored",
          {{"job", row.job_id}, {"name", row.name},
           {"why", row.relayed_at ? "the queue lost it" : "it was never relayed"},
           {"added", added.added ? "yes" : "no"}});
    }
    if (static_cast<int>(rows.size()) < options_.batch) break;
  }
  return summary;
}

void QueueReconciler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void QueueReconciler::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void QueueReconciler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QueueReconciler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    notified_ = false;
    lock.unlock();
    Result<ReconcileQueueSummary> pass = Pass();
    if (!pass.ok()) {
      Log(LogLevel::kWarn, "queue.reconcile_failed", {{"error", pass.status().message()}});
    } else if (pass->restored > 0 || pass->finished > 0) {
      Log(LogLevel::kInfo, "queue.reconciled",
          {{"checked", pass->checked}, {"restored", pass->restored},
           {"finished", pass->finished}});
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                 [this] { return stopping_ || notified_; });
  }
}

}  // namespace vigil
