// The CLI's data-source commands (`key generate`, `source add`, `sources`),
// added to the app by RunCli (cli.cc). The Run functions are in
// source_commands.h.
#pragma once

#include <iosfwd>

namespace CLI {
class App;
}

namespace vigil {

// Adds `key`, `source` and `sources` with their subcommands; each callback
// stores its exit status in *status. The flags' storage is owned by the
// callbacks (so by `app`). `source` requires a subcommand; more are added to
// app->get_subcommand("source").
void AddSourceCommands(CLI::App* app, int* status, std::ostream& out, std::ostream& err);

}  // namespace vigil
