#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "pipeline/source_add.h"
#include "app/table.h"
#include "common/duration.h"
#include "common/time.h"
#include "queue/schedules.h"

namespace vigil {
namespace {

bool Changes(const ScheduleCommand& cmd) {
  return !cmd.every.empty() || !cmd.window.empty() || cmd.no_window || cmd.enable || cmd.disable;
}

// The schedule of `source` with the command's changes applied.
Schedule Changed(const ScheduleCommand& cmd, const DataSourceRow& source,
                 const std::optional<Schedule>& existing, int64_t every_ms,
                 const std::optional<OffPeakWindow>& window, TimeMs now) {
  Schedule s = existing.value_or(Schedule{});
  const bool is_new = !existing;
  if (is_new) {
    s.data_source_id = source.id;
    s.tenant_id = source.tenant_id;
    s.next_run_at = now;
  }
  if (every_ms > 0) {
    // A new interval counts from now (a shorter one should not wait out the old).
    if (!is_new && every_ms != s.interval_ms) s.next_run_at = std::min(s.next_run_at, now + every_ms);
    s.interval_ms = every_ms;
  }
  if (window) s.window = window;
  if (cmd.no_window) s.window.reset();
  if (cmd.enable) s.enabled = true;
  if (cmd.disable) s.enabled = false;
  s.next_run_at = NextInWindow(s.window, s.next_run_at);
  return s;
}

}  // namespace

int RunSchedule(const ScheduleCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.enable && cmd.disable) {
    err << "vigil: --enable and --disable exclude each other\n";
    return kExitUsage;
  }
  if (!cmd.window.empty() && cmd.no_window) {
    err << "vigil: --window and --no-window exclude each other\n";
    return kExitUsage;
  }
  const Result<int64_t> every = ScheduleInterval(cmd.every, "--every");
  if (!every.ok()) {
    err << "vigil: " << every.status().message() << "\n";
    return kExitUsage;
  }
  const int64_t every_ms = *every;
  std::optional<OffPeakWindow> window;
  if (!cmd.window.empty()) {
    Result<OffPeakWindow> parsed = ParseOffPeakWindow(cmd.window);
    if (!parsed.ok()) {
      err << "vigil: --window: " << parsed.status().message() << "\n";
      return kExitUsage;
    }
    window = *parsed;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::optional<std::vector<DataSourceRow>> chosen =
      ChooseDataSourcesOrReport(db.get(), cmd.tenant, cmd.source, err);
  if (!chosen) return kExitFailed;
  const TimeMs now = NewSystemClock()->NowMs();
  std::vector<std::pair<std::string, std::optional<Schedule>>> shown;
  for (const DataSourceRow& source : *chosen) {
    Result<std::optional<Schedule>> existing = GetSchedule(db.get(), source.id);
    Status s = existing.status();
    if (s.ok() && Changes(cmd)) {
      Schedule changed = Changed(cmd, source, *existing, every_ms, window, now);
      s = PutSchedule(db.get(), changed, now);
      if (s.ok()) *existing = changed;
    }
    if (!s.ok()) {
      err << "vigil: " << cmd.tenant << "/" << source.name << ": " << s.message() << "\n";
      return kExitFailed;
    }
    shown.emplace_back(source.name, *existing);
  }
  if (cmd.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [name, s] : shown) {
      if (!s) {
        arr.push_back({{"source", name}, {"schedule", nullptr}});
        continue;
      }
      arr.push_back({{"source", name},
                     {"every", FormatDuration(s->interval_ms)},
                     {"window", s->window ? nlohmann::json(FormatOffPeakWindow(*s->window))
                                          : nlohmann::json(nullptr)},
                     {"enabled", s->enabled},
                     {"next_run_at", FormatIso8601(s->next_run_at)},
                     {"last_job_id", s->last_job_id}});
    }
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  Table table({"SOURCE", "EVERY", "WINDOW (UTC)", "ENABLED", "NEXT RUN", "LAST JOB"});
  for (const auto& [name, s] : shown) {
    if (!s) {
      table.AddRow({name, "-", "-", "no schedule", "-", "-"});
      continue;
    }
    table.AddRow({name, FormatDuration(s->interval_ms),
                  s->window ? FormatOffPeakWindow(*s->window) : "any time",
                  s->enabled ? "yes" : "no", FormatIso8601(s->next_run_at),
                  s->last_job_id.empty() ? "-" : s->last_job_id});
  }
  out << table.Render();
  return kExitOk;
}

void AddScheduleCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<ScheduleCommand>();
  CLI::App* c = app.add_subcommand(
      "schedule",
      "show or change when a tenant's data sources sync (`vigil serve` runs the schedules)");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--tenant", cmd->tenant, "tenant name")->required();
  c->add_option("--source", cmd->source, "only this data source (default: all of them)");
  c->add_option("--every", cmd->every, "sync interval, e.g. 15m, 1h, 1d (at least 1m)");
  c->add_option("--window", cmd->window,
                "sync only inside this off-peak window, HH:MM-HH:MM in UTC (may wrap midnight)");
  c->add_flag("--no-window", cmd->no_window, "sync at any time of day");
  c->add_flag("--enable", cmd->enable, "turn the schedule on");
  c->add_flag("--disable", cmd->disable, "turn the schedule off");
  c->add_flag("--json", cmd->json, "print the schedules as JSON");
  OnRun(c, cmd, cli, RunSchedule);
}

}  // namespace vigil
