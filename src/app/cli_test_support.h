// Runs the vigil command line in-process and captures what a user would see
// (tests only).
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "app/cli.h"

namespace vigil::testing {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

// `vigil <args...>`: exit status, stdout, stderr.
inline CliRun Vigil(std::vector<std::string> args) {
  args.insert(args.begin(), "vigil");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int status = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

}  // namespace vigil::testing
