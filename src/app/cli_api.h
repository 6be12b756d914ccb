// The CLI's HTTP API commands (`token create`, `token revoke`, `tokens`,
// `webhook secret`), added to the app by RunCli (cli.cc). The Run functions
// are in api_commands.h.
#pragma once

#include <iosfwd>

namespace CLI {
class App;
}

namespace vigil {

// Adds `token` (with `create` and `revoke`), `tokens` and `webhook` (with
// `secret`); each callback stores its exit status in *status. The flags'
// storage is owned by the callbacks (so by `app`).
void AddApiCommands(CLI::App* app, int* status, std::ostream& out, std::ostream& err);

}  // namespace vigil
