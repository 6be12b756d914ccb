// The `vigil` command line: parses argv, runs one command, returns the exit
// status of docs/ARCHITECTURE.md ("Contracts": 0 success, 1 the operation
// failed, 2 bad usage). Output goes to `out`, errors to `err`, so tests run it in-process.
#pragma once

#include <iosfwd>

namespace vigil {

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace vigil
