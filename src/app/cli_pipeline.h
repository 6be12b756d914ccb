// The CLI's job-pipeline commands (serve, worker, trigger, jobs, schedule, health,
// events tail),
// added to the app by RunCli (cli.cc).
#pragma once

#include <iosfwd>

#include "app/commands.h"

namespace CLI {
class App;
}

namespace vigil {

// The flags' storage; must outlive parsing and the callbacks.
struct PipelineCommandArgs {
  ServeCommand serve;
  ServeCommand worker;
  TriggerCommand trigger;
  JobsCommand jobs;
  ScheduleCommand schedule;
  HealthCommand health;
  MigrateCommand migrate;
  EventsTailCommand events_tail;
};

// Adds the subcommands; each callback stores its exit status in *status.
void AddPipelineCommands(CLI::App* app, PipelineCommandArgs* args, int* status, std::ostream& out,
                         std::ostream& err);

}  // namespace vigil
