// `vigil rules` as a user runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_test_support.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

TEST(RulesCommandTest, ListsEveryTypeWithItsVersionsAndWhatTheyChanged) {
  CliRun run = Vigil({"rules"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind("mfa\n  v1 (default): Original: a user is registered when", 0), 0u)
      << run.out;
  EXPECT_NE(run.out.find("\n  v2: A user counts as registered only with a method"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\nstale\n  v1 (default): "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\npolicy\n  v1 (default): Original.\n"), std::string::npos) << run.out;
}

TEST(RulesCommandTest, JsonNamesTheLatestAndTheDefaultOfEachType) {
  CliRun run = Vigil({"rules", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const nlohmann::json rules = nlohmann::json::parse(run.out);
  ASSERT_EQ(rules.size(), 5u);
  std::string types;
  for (const nlohmann::json& t : rules) {
    types += t["type"].get<std::string>() + ":" + std::to_string(t["latest"].get<int>()) + " ";
    ASSERT_FALSE(t["versions"].empty());
    EXPECT_EQ(t["versions"][0]["version"], 1);
    EXPECT_EQ(t["versions"][0]["default"], true);
    for (size_t i = 1; i < t["versions"].size(); ++i) {
      EXPECT_EQ(t["versions"][i]["default"], false);
      EXPECT_FALSE(t["versions"][i]["changes"].get<std::string>().empty());
    }
  }
  EXPECT_EQ(types, "mfa:2 license:1 stale:2 privilege:1 policy:1 ");
}

}  // namespace
}  // namespace vigil
