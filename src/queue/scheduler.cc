#include "queue/scheduler.h"

#include "observe/log.h"
#include "queue/schedules.h"
#include "queue/sync_trigger.h"

namespace vigil {

Scheduler::Scheduler(std::unique_ptr<Db> db, Queue* queue, const Clock* clock,
                     SchedulerOptions options)
    : db_(std::move(db)), queue_(queue), clock_(clock), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

Result<TickSummary> Scheduler::Tick() {
  TickSummary summary;
  const TimeMs now = clock_->NowMs();
  VIGIL_ASSIGN_OR_RETURN(std::vector<Schedule> due,
                         DueSchedules(db_.get(), now, options_.max_per_tick));
  summary.due = static_cast<int>(due.size());
  for (const Schedule& schedule : due) {
    TriggerOptions trigger;
    trigger.by = "schedule";
    trigger.job_id = "sync:" + std::to_string(schedule.data_source_id) + ":" +
                     std::to_string(schedule.next_run_at);
    VIGIL_ASSIGN_OR_RETURN(TriggeredSync sync,
                           TriggerSync(db_.get(), queue_, *clock_, schedule.tenant_id,
                                       schedule.data_source_id, trigger));
    (sync.added ? summary.enqueued : summary.duplicate)++;
    const TimeMs next = NextRunAfter(schedule, schedule.next_run_at, now);
    VIGIL_ASSIGN_OR_RETURN(bool moved, AdvanceSchedule(db_.get(), schedule.data_source_id,
                                                       schedule.next_run_at, next, sync.job_id,
                                                       clock_->NowMs()));
    if (sync.added) {
      Log(LogLevel::kInfo, "schedule.enqueued",
          {{"tenant_id", schedule.tenant_id},
           {"data_source_id", schedule.data_source_id},
           {"job", sync.job_id},
           {"trace_id", sync.trace_id},
           {"advanced", moved ? "yes" : "no (another scheduler did)"}});
    }
  }
  return summary;
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<TickSummary> tick = Tick();
    if (!tick.ok()) {
      Log(LogLevel::kError, "schedule.tick_failed", {{"error", tick.status().message()}});
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms), [this] { return stopping_; });
  }
}

}  // namespace vigil
