// The job-pipeline commands as a user runs them: trigger, jobs, schedule,
// and the usage errors of serve (which never starts on bad flags).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli.h"
#include "app/cli_test_support.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

class CliPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    SyntheticOptions options;
    options.users = 20;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir_ + "/graph").ok());
    CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", dir_ + "/graph"});
    ASSERT_EQ(sync.status, 0) << sync.err;
    EXPECT_NE(sync.out.find("scheduled: every 1h under `vigil serve`"), std::string::npos)
        << sync.out;
  }
  std::string dir_, db_;
};

TEST_F(CliPipelineTest, TriggerQueuesASyncThatJobsListsWithItsTrace) {
  CliRun trigger = Vigil({"trigger", "--db", db_, "--tenant", "contoso", "--json"});
  ASSERT_EQ(trigger.status, 0) << trigger.err;
  nlohmann::json queued = nlohmann::json::parse(trigger.out);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0]["source"], "graph");
  const std::string trace_id = queued[0]["trace_id"];
  EXPECT_EQ(trace_id.size(), 32u);

  CliRun jobs = Vigil({"jobs", "--db", db_, "--tenant", "contoso", "--json"});
  ASSERT_EQ(jobs.status, 0) << jobs.err;
  nlohmann::json listed = nlohmann::json::parse(jobs.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["name"], "sync");
  EXPECT_EQ(listed[0]["state"], "waiting");
  EXPECT_EQ(listed[0]["tenant"], "contoso");
  EXPECT_EQ(listed[0]["trace_id"], trace_id);
  EXPECT_EQ(listed[0]["payload"]["trigger"], "cli");

  // The trace starts at the trigger.
  CliRun trace = Vigil({"trace", "--db", db_, trace_id});
  ASSERT_EQ(trace.status, 0) << trace.err;
  EXPECT_NE(trace.out.find("trigger  by=cli"), std::string::npos) << trace.out;

  EXPECT_EQ(Vigil({"jobs", "--db", db_, "--state", "failed"}).out, "no jobs\n");
}

TEST_F(CliPipelineTest, ScheduleShowsAndChangesTheInterval) {
  CliRun shown = Vigil({"schedule", "--db", db_, "--tenant", "contoso", "--json"});
  ASSERT_EQ(shown.status, 0) << shown.err;
  nlohmann::json before = nlohmann::json::parse(shown.out);
  EXPECT_EQ(before[0]["every"], "1h");
  EXPECT_TRUE(before[0]["window"].is_null());

  CliRun changed = Vigil({"schedule", "--db", db_, "--tenant", "contoso", "--every", "15m",
                          "--window", "22:00-06:00", "--json"});
  ASSERT_EQ(changed.status, 0) << changed.err;
  nlohmann::json after = nlohmann::json::parse(changed.out);
  EXPECT_EQ(after[0]["every"], "15m");
  EXPECT_EQ(after[0]["window"], "22:00-06:00");
  // The next run lies inside the window.
  const TimeMs next = *ParseIso8601(after[0]["next_run_at"].get<std::string>());
  const int minute = static_cast<int>((next % kMsPerDay) / 60000);
  EXPECT_TRUE(minute >= 22 * 60 || minute < 6 * 60) << after.dump();

  CliRun off = Vigil({"schedule", "--db", db_, "--tenant", "contoso", "--disable"});
  ASSERT_EQ(off.status, 0) << off.err;
  EXPECT_NE(off.out.find("22:00-06:00"), std::string::npos) << off.out;
  EXPECT_NE(off.out.find(" no "), std::string::npos) << off.out;
}

TEST_F(CliPipelineTest, BadFlagsAndUnknownNamesSayWhat) {
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"trigger", "--db", db_, "--tenant", "nobody"}, 1, "vigil: no tenant named \"nobody\"\n"},
      {{"trigger", "--db", db_, "--tenant", "contoso", "--source", "other"},
       1,
       "vigil: tenant \"contoso\" has no data source named \"other\"\n"},
      {{"jobs", "--db", db_, "--state", "sleeping"},
       2,
       "vigil: --state: \"sleeping\" is not a job state (waiting, delayed, active, completed, "
       "failed)\n"},
      {{"schedule", "--db", db_, "--tenant", "contoso", "--every", "10s"},
       2,
       "vigil: --every: schedule interval must be at least 1m\n"},
      {{"schedule", "--db", db_, "--tenant", "contoso", "--every", "soon"},
       2,
       "vigil: --every: \"soon\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)\n"},
      {{"schedule", "--db", db_, "--tenant", "contoso", "--window", "25:00-01:00"},
       2,
       "vigil: --window: \"25:00-01:00\" is not an off-peak window (HH:MM-HH:MM, UTC)\n"},
      {{"schedule", "--db", db_, "--tenant", "contoso", "--enable", "--disable"},
       2,
       "vigil: --enable and --disable exclude each other\n"},
      {{"serve", "--db", db_, "--lease", "forever"},
       2,
       "vigil: --lease: \"forever\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)\n"},
      {{"serve", "--db", db_, "--retain", "forever"},
       2,
       "vigil: --retain: \"forever\" is not a duration (e.g. 500ms, 90s, 15m, 1h, 7d)\n"},
      {{"serve", "--db", db_, "--log-level", "loud"},
       2,
       "vigil: --log-level: \"loud\" is not debug, info, warn or error\n"},
  };
  for (const Case& c : cases) {
    CliRun r = Vigil(c.args);
    EXPECT_EQ(r.status, c.status) << c.args[0] << " " << r.err;
    EXPECT_EQ(r.err, c.err);
  }
  // Nothing was queued by the failed commands.
  EXPECT_EQ(Vigil({"jobs", "--db", db_}).out, "no jobs\n");
}

TEST_F(CliPipelineTest, HelpNamesThePipelineCommands) {
  CliRun r = Vigil({"--help"});
  ASSERT_EQ(r.status, 0);
  for (const char* cmd : {"serve", "worker", "trigger", "jobs", "schedule"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
  CliRun serve = Vigil({"serve", "--help"});
  EXPECT_NE(serve.out.find("--drain"), std::string::npos) << serve.out;
  EXPECT_NE(serve.out.find("SIGTERM"), std::string::npos) << serve.out;
  EXPECT_NE(serve.out.find("--prefetch"), std::string::npos) << serve.out;
}

TEST_F(CliPipelineTest, APrefetchBelowZeroIsAUsageError) {
  for (const char* cmd : {"serve", "worker"}) {
    CliRun bad = Vigil({cmd, "--db", db_, "--redis", "redis://127.0.0.1:1", "--prefetch", "-1"});
    EXPECT_EQ(bad.status, 2) << cmd;
    EXPECT_NE(bad.err.find("--prefetch"), std::string::npos) << bad.err;
  }
}

}  // namespace
}  // namespace vigil
