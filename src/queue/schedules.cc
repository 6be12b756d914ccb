#include "queue/schedules.h"

#include <cstdio>

#include "common/time.h"

namespace vigil {
namespace {

constexpr int64_t kMinuteMs = 60000;
constexpr int kMinutesPerDay = 24 * 60;

bool InWindow(const OffPeakWindow& w, int minute) {
  if (w.start_min < w.end_min) return minute >= w.start_min && minute < w.end_min;
  return minute >= w.start_min || minute < w.end_min;  // wraps midnight
}

Status ValidateWindow(const OffPeakWindow& w) {
  if (w.start_min < 0 || w.start_min >= kMinutesPerDay || w.end_min < 0 ||
      w.end_min >= kMinutesPerDay || w.start_min == w.end_min) {
    return Status::InvalidArgument("off-peak window " + FormatOffPeakWindow(w) +
                                   " is not a window of the day");
  }
  return Status::Ok();
}

constexpr const char* kColumns =
    "data_source_id, tenant_id, interval_ms, window_start_min, window_end_min, enabled, "
    "next_run_at, last_job_id";

Schedule ReadRow(const Statement& st) {
  Schedule s;
  s.data_source_id = st.Int(0);
  s.tenant_id = st.Int(1);
  s.interval_ms = st.Int(2);
  if (!st.IsNull(3) && !st.IsNull(4)) {
    s.window = OffPeakWindow{static_cast<int>(st.Int(3)), static_cast<int>(st.Int(4))};
  }
  s.enabled = st.Int(5) != 0;
  s.next_run_at = st.Int(6);
  if (!st.IsNull(7)) s.last_job_id = st.String(7);
  return s;
}

Result<std::vector<Schedule>> Query(Db* db, const std::string& sql,
                                    const std::vector<DbValue>& params) {
  VIGIL_ASSIGN_OR_RETURN(auto st, db->Prepare(sql));
  st->BindAll(params);
  std::vector<Schedule> out;
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadRow(*st));
  }
  return out;
}

}  // namespace

Result<OffPeakWindow> ParseOffPeakWindow(std::string_view text) {
  int h1, m1, h2, m2;
  char tail;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
      s.size() != 11 || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || h1 < 0 || h2 < 0 ||
      m1 < 0 || m2 < 0) {
    return Status::InvalidArgument("\"" + s + "\" is not an off-peak window (HH:MM-HH:MM, UTC)");
  }
  OffPeakWindow w{h1 * 60 + m1, h2 * 60 + m2};
  VIGIL_RETURN_IF_ERROR(ValidateWindow(w));
  return w;
}

std::string FormatOffPeakWindow(const OffPeakWindow& w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", w.start_min / 60, w.start_min % 60,
                w.end_min / 60, w.end_min % 60);
  return buf;
}

TimeMs NextInWindow(const std::optional<OffPeakWindow>& window, TimeMs t) {
  if (!window) return t;
  const TimeMs day_start = t - t % kMsPerDay;  // times are after the epoch
  const int minute = static_cast<int>((t - day_start) / kMinuteMs);
  if (InWindow(*window, minute)) return t;
  TimeMs start = day_start + window->start_min * kMinuteMs;
  if (start <= t) start += kMsPerDay;
  return start;
}

TimeMs NextRunAfter(const Schedule& schedule, TimeMs due, TimeMs now) {
  TimeMs next = due + schedule.interval_ms;
  if (next <= now) next += ((now - next) / schedule.interval_ms + 1) * schedule.interval_ms;
  return NextInWindow(schedule.window, next);
}

Status PutSchedule(Db* db, const Schedule& s, TimeMs now) {
  if (s.interval_ms < kMinScheduleIntervalMs) {
    return Status::InvalidArgument("schedule interval must be at least 1m");
  }
  if (s.window) VIGIL_RETURN_IF_ERROR(ValidateWindow(*s.window));
  const DbValue start = s.window ? DbValue(int64_t{s.window->start_min}) : DbValue();
  const DbValue end = s.window ? DbValue(int64_t{s.window->end_min}) : DbValue();
  const DbValue last = s.last_job_id.empty() ? DbValue() : DbValue(s.last_job_id);
  return db->Execute(
      "INSERT INTO schedules (data_source_id, tenant_id, interval_ms, window_start_min, "
      "window_end_min, enabled, next_run_at, last_job_id, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (data_source_id) DO UPDATE SET interval_ms = excluded.interval_ms, "
      "window_start_min = excluded.window_start_min, window_end_min = excluded.window_end_min, "
      "enabled = excluded.enabled, next_run_at = excluded.next_run_at, "
      "updated_at = excluded.updated_at",
      {s.data_source_id, s.tenant_id, s.interval_ms, start, end, int64_t{s.enabled ? 1 : 0},
       s.next_run_at, last, now});
}

Result<bool> CreateScheduleIfMissing(Db* db, const Schedule& schedule, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<Schedule> existing,
                         GetSchedule(db, schedule.data_source_id));
  if (existing) return false;
  VIGIL_RETURN_IF_ERROR(PutSchedule(db, schedule, now));
  return true;
}

Result<std::optional<Schedule>> GetSchedule(Db* db, int64_t data_source_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::vector<Schedule> found,
      Query(db, std::string("SELECT ") + kColumns + " FROM schedules WHERE data_source_id = ?",
            {data_source_id}));
  if (found.empty()) return std::optional<Schedule>();
  return std::optional<Schedule>(found.front());
}

Result<std::vector<Schedule>> ListSchedules(Db* db, int64_t tenant_id) {
  if (tenant_id == 0) {
    return Query(db, std::string("SELECT ") + kColumns + " FROM schedules ORDER BY data_source_id",
                 {});
  }
  return Query(db,
               std::string("SELECT ") + kColumns +
                   " FROM schedules WHERE tenant_id = ? ORDER BY data_source_id",
               {tenant_id});
}

Result<std::vector<Schedule>> DueSchedules(Db* db, TimeMs now, int limit) {
  return Query(db,
               std::string("SELECT ") + kColumns +
                   " FROM schedules WHERE enabled = 1 AND next_run_at <= ? "
                   "ORDER BY next_run_at, data_source_id LIMIT ?",
               {now, int64_t{limit}});
}

Result<bool> AdvanceSchedule(Db* db, int64_t data_source_id, TimeMs due, TimeMs next,
                             const std::string& job_id, TimeMs now) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db->Prepare("UPDATE schedules SET next_run_at = ?, last_job_id = ?, updated_at = ? "
                           "WHERE data_source_id = ? AND next_run_at = ?"));
  st->BindAll({next, job_id, now, data_source_id, due});
  VIGIL_RETURN_IF_ERROR(st->Execute());
  return st->Changes() == 1;
}

}  // namespace vigil
