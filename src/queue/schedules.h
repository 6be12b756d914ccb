// Sync schedules: one per data source, stored in table `schedules`. A
// schedule is due when next_run_at <= now; the Scheduler (queue/scheduler.h)
// enqueues its sync job and moves next_run_at on.
//
// The optional off-peak window [start, end) is in minutes after midnight UTC
// and may wrap midnight (22:00-06:00). With a window, runs happen only
// inside it: a run that falls outside moves to the window's next start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct OffPeakWindow {
  int start_min = 0;  // 0..1439
  int end_min = 0;    // 0..1439, != start_min
};

struct Schedule {
  int64_t data_source_id = 0;
  int64_t tenant_id = 0;
  int64_t interval_ms = 3600000;
  std::optional<OffPeakWindow> window;
  bool enabled = true;
  TimeMs next_run_at = 0;
  std::string last_job_id;
};

// The interval of a schedule `vigil sync` gives a new data source.
inline constexpr int64_t kDefaultScheduleIntervalMs = 60 * 60 * 1000;

// The shortest interval a schedule accepts.
inline constexpr int64_t kMinScheduleIntervalMs = 60 * 1000;

// Parses "22:00-06:00". InvalidArgument naming the text otherwise.
Result<OffPeakWindow> ParseOffPeakWindow(std::string_view text);
// "22:00-06:00".
std::string FormatOffPeakWindow(const OffPeakWindow& window);

// `t` when it lies in `window` (or there is none), else the window's next start.
TimeMs NextInWindow(const std::optional<OffPeakWindow>& window, TimeMs t);

// The next run after the run due at `due`, once `now` has come: due +
// interval, skipped forward by whole intervals past `now` (runs missed while
// nothing was running collapse into the one just made), then into the window.
TimeMs NextRunAfter(const Schedule& schedule, TimeMs due, TimeMs now);

// Creates or replaces the schedule of schedule.data_source_id.
// InvalidArgument when the interval is shorter than kMinScheduleIntervalMs or
// the window is malformed.
Status PutSchedule(Db* db, const Schedule& schedule, TimeMs now);

// Creates `schedule` unless its data source has one already. Returns whether
// it was created. Validates as PutSchedule does.
Result<bool> CreateScheduleIfMissing(Db* db, const Schedule& schedule, TimeMs now);

// The schedule of one data source; nullopt when it has none.
Result<std::optional<Schedule>> GetSchedule(Db* db, int64_t data_source_id);

// Every schedule (of one tenant when tenant_id != 0), by data source id.
Result<std::vector<Schedule>> ListSchedules(Db* db, int64_t tenant_id = 0);

// Enabled schedules due at `now`, soonest first, at most `limit`.
Result<std::vector<Schedule>> DueSchedules(Db* db, TimeMs now, int limit);

// Moves a schedule from the run due at `due` to `next` and records the job
// it enqueued. Returns false (and changes nothing) when another scheduler
// moved it first (its next_run_at is no longer `due`).
Result<bool> AdvanceSchedule(Db* db, int64_t data_source_id, TimeMs due, TimeMs next,
                             const std::string& job_id, TimeMs now);

}  // namespace vigil
