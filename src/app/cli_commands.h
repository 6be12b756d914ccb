// The commands of `vigil`, one file each: cmd_<name>.cc holds a command (or
// a command group such as `queue add|work|stats`) whole: the Add function
// below, which registers it with CLI11 (its name, help, flags and their
// checks, and a callback that runs it), and the Run function that does the
// work (declared with its option struct in commands.h, queue_commands.h,
// source_commands.h or api_commands.h, so tests can call it directly).
// RunCli (cli.cc) is the list of Add calls, in the order `vigil --help`
// shows the commands.
//
// Each Add function binds the flags to an option struct it allocates and
// hands to the callback (so `app` owns it); the callback stores the Run
// function's exit status in `cli->status`. `app` and `cli` must outlive
// parsing. Not thread-safe (one parse per App).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <type_traits>
#include <utility>

#include "app/cli_support.h"  // kDbHelp, the help of every --db flag
#include "app/commands.h"     // kExitOk, kExitFailed, kExitUsage

namespace vigil {

// Where the command that runs writes (results to `out`, errors to `err`)
// and the exit status it leaves behind.
struct CommandContext {
  CommandContext(std::ostream& out_stream, std::ostream& err_stream)
      : out(out_stream), err(err_stream) {}
  std::ostream& out;
  std::ostream& err;
  int status = kExitOk;
};

// The help text of --now (sync, demo).
inline constexpr const char* kNowHelp =
    "pin the analysis clock to this ISO 8601 time, e.g. 2026-11-28T00:00:00Z";

// The footer of the commands that need the secret key (key, source).
inline constexpr const char* kSecretKeyFooter =
    "The secret key seals client secrets before they are stored (libsodium secretbox).\n"
    "vigil reads it from VIGIL_SECRET_KEY (the key itself: 64 hex digits or base64 of\n"
    "32 bytes) or else from the file VIGIL_SECRET_KEY_FILE names, which must be readable\n"
    "by its owner only (mode 0600). Make one with `vigil key generate --out FILE`, then\n"
    "set VIGIL_SECRET_KEY_FILE=FILE wherever vigil runs (serve, worker, source add).\n"
    "Keep a copy: secrets sealed with a lost key must be added again.";

// Makes `command` run `run(*flags, cli->out, cli->err)` when it is the
// command parsed, leaving the exit status in `cli->status`. The callback
// keeps `flags` (the storage the options were bound to) alive.
template <typename Flags>
void OnRun(CLI::App* command, std::shared_ptr<Flags> flags, CommandContext* cli,
           std::type_identity_t<int (*)(const Flags&, std::ostream&, std::ostream&)> run) {
  command->callback([flags = std::move(flags), cli, run] {
    cli->status = run(*flags, cli->out, cli->err);
  });
}

void AddSyncCommand(CLI::App& app, CommandContext* cli);      // cmd_sync.cc
void AddAlertsCommand(CLI::App& app, CommandContext* cli);    // cmd_alerts.cc
void AddHistoryCommand(CLI::App& app, CommandContext* cli);   // cmd_alerts.cc
void AddTraceCommand(CLI::App& app, CommandContext* cli);     // cmd_trace.cc
void AddGenerateCommand(CLI::App& app, CommandContext* cli);  // cmd_generate.cc
void AddPrefsCommand(CLI::App& app, CommandContext* cli);     // cmd_prefs.cc
void AddRulesCommand(CLI::App& app, CommandContext* cli);     // cmd_rules.cc
void AddRolloutCommand(CLI::App& app, CommandContext* cli);   // cmd_rollout.cc
void AddDemoCommand(CLI::App& app, CommandContext* cli);      // cmd_demo.cc
void AddServeCommand(CLI::App& app, CommandContext* cli);     // cmd_serve.cc
void AddWorkerCommand(CLI::App& app, CommandContext* cli);    // cmd_serve.cc
void AddMigrateCommand(CLI::App& app, CommandContext* cli);   // cmd_migrate.cc
void AddHealthCommand(CLI::App& app, CommandContext* cli);    // cmd_health.cc
void AddTriggerCommand(CLI::App& app, CommandContext* cli);   // cmd_trigger.cc
void AddJobsCommand(CLI::App& app, CommandContext* cli);      // cmd_jobs.cc
void AddEventsCommand(CLI::App& app, CommandContext* cli);    // cmd_events.cc: events tail
void AddScheduleCommand(CLI::App& app, CommandContext* cli);  // cmd_schedule.cc
void AddQueueCommand(CLI::App& app, CommandContext* cli);     // cmd_queue.cc: add, work, stats
void AddKeyCommand(CLI::App& app, CommandContext* cli);       // cmd_key.cc: key generate
// cmd_source.cc: source add, and (cmd_source_check.cc) source test.
void AddSourceCommand(CLI::App& app, CommandContext* cli);
void AddSourceTestCommand(CLI::App& source, CommandContext* cli);  // under `source`
void AddSourcesCommand(CLI::App& app, CommandContext* cli);   // cmd_source.cc
void AddTokenCommand(CLI::App& app, CommandContext* cli);     // cmd_token.cc: create, revoke
void AddTokensCommand(CLI::App& app, CommandContext* cli);    // cmd_token.cc
void AddWebhookCommand(CLI::App& app, CommandContext* cli);   // cmd_webhook.cc: webhook secret
void AddChannelCommand(CLI::App& app, CommandContext* cli);   // cmd_channel.cc: add, remove, test
void AddChannelsCommand(CLI::App& app, CommandContext* cli);  // cmd_channels.cc
void AddNotificationsCommand(CLI::App& app, CommandContext* cli);  // cmd_notifications.cc

}  // namespace vigil
