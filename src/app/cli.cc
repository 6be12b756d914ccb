#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/cli_commands.h"

namespace vigil {
namespace {

constexpr const char* kAbout =
    "vigil keeps an MSP's view of its customers' Microsoft 365 security posture true:\n"
    "it syncs each tenant, analyzes one consistent snapshot, and keeps alerts that are\n"
    "open exactly while their finding exists, with every change in their history.\n\n"
    "Exit status: 0 success, 1 the operation failed, 2 bad usage.";

// Parses argv, which runs the command it names (its callback); returns that
// command's exit status, 0 after printing help, or 2 after a usage error.
int ParseAndRun(CLI::App& app, int argc, const char* const* argv, const CommandContext& cli) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    cli.out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    cli.out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      cli.out << app.help();
      return kExitOk;
    }
    cli.err << "vigil: " << e.what() << "\n";
    cli.err << "Run 'vigil --help' for usage.\n";
    return kExitUsage;
  }
  return cli.status;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{kAbout, "vigil"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show help for every command");
  CommandContext cli(out, err);
  AddSyncCommand(app, &cli);
  AddAlertsCommand(app, &cli);
  AddHistoryCommand(app, &cli);
  AddTraceCommand(app, &cli);
  AddGenerateCommand(app, &cli);
  AddPrefsCommand(app, &cli);
  AddRulesCommand(app, &cli);
  AddRolloutCommand(app, &cli);
  AddDemoCommand(app, &cli);
  AddServeCommand(app, &cli);
  AddWorkerCommand(app, &cli);
  AddMigrateCommand(app, &cli);
  AddHealthCommand(app, &cli);
  AddTriggerCommand(app, &cli);
  AddJobsCommand(app, &cli);
  AddEventsCommand(app, &cli);
  AddScheduleCommand(app, &cli);
  AddQueueCommand(app, &cli);
  AddKeyCommand(app, &cli);
  AddSourceCommand(app, &cli);
  AddSourcesCommand(app, &cli);
  AddTokenCommand(app, &cli);
  AddTokensCommand(app, &cli);
  AddWebhookCommand(app, &cli);
  AddChannelCommand(app, &cli);
  AddChannelsCommand(app, &cli);
  AddNotificationsCommand(app, &cli);
  return ParseAndRun(app, argc, argv, cli);
}

}  // namespace vigil
