// Helpers for tests that run a real server (redis-server, nats-server) as a
// child process on 127.0.0.1: finding the binary, picking a free port,
// spawning and stopping. Tests only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace vigil::testing {

// The path of executable `name` on PATH, then in /usr/bin, /usr/sbin and
// /usr/local/bin; NotFound naming `install_hint` when it is in none.
Result<std::string> FindServerBinary(const std::string& name, const std::string& install_hint);

// A port on 127.0.0.1 that was free a moment ago (the kernel's pick); 0 when
// none could be had.
int FreeLoopbackPort();

// Starts argv[0] with `argv`; its pid. With `user` set and this process
// running as root, the child runs as that user (PostgreSQL refuses root);
// otherwise as this process's user. stdout and stderr go to `log` when set,
// else to /dev/null; the child is killed when the spawning thread ends.
Result<pid_t> SpawnServer(const std::vector<std::string>& argv, const std::string& user = "",
                          const std::string& log = "");

// Runs argv to its end as SpawnServer would; an error with the exit status
// and `log`'s text when it does not exit 0.
Status RunToEnd(const std::vector<std::string>& argv, const std::string& user,
                const std::string& log);

// True once `pid` has exited (and is reaped).
bool ServerExited(pid_t pid);

// Ends `*pid` (SIGCONT, SIGTERM, then SIGKILL after 5 s), reaps it and sets
// it to -1. Nothing when *pid <= 0.
void StopServer(pid_t* pid);

// Whether something accepts TCP connections on 127.0.0.1:`port`.
bool LoopbackPortAccepts(int port);

// The text of a file ("" when it cannot be read): for a server's log.
std::string ReadServerLog(const std::string& path);

}  // namespace vigil::testing
