// Runs the vigil command line in-process and captures what a user would see
// (tests only).
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
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

// (type, subject, severity, state) of every alert of `tenant` in `db`, as
// `vigil alerts --json` lists them: for comparing two runs.
using AlertKey = std::tuple<std::string, std::string, std::string, std::string>;
inline std::multiset<AlertKey> AlertKeys(const std::string& db, const std::string& tenant) {
  CliRun run = Vigil({"alerts", "--db", db, "--tenant", tenant, "--state", "all", "--json"});
  EXPECT_EQ(run.status, 0) << run.err;
  std::multiset<AlertKey> keys;
  if (run.status != 0) return keys;
  for (const auto& a : nlohmann::json::parse(run.out)) {
    keys.insert({a["type"].get<std::string>(), a["subject"].get<std::string>(),
                 a["severity"].get<std::string>(), a["state"].get<std::string>()});
  }
  return keys;
}

}  // namespace vigil::testing
