// `vigil serve` as a user runs it: a separate process, stopped by signals.
// Covers draining on SIGTERM, bad jobs failing while the worker carries on,
// and durability: kill -9 during a sync, restart, the same alerts as a run
// without the crash.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <set>
#include <thread>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/local_queue.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::Count;
using testing::ReadWholeFile;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::WaitFor;


int CliStatus(std::vector<std::string> args, std::string* out = nullptr) {
  testing::CliRun run = testing::Vigil(std::move(args));
  if (out) *out = run.out + run.err;
  return run.status;
}

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
    dir_ = testing::NewTempDir();
  }

  // A database with tenant contoso and a graph_json data source over a
  // synthetic tenant of `users` users. Returns the database path.
  std::string Prepare(const std::string& name, int users) {
    const std::string graph = dir_ + "/graph-" + std::to_string(users);
    if (!std::ifstream(graph + "/users.json")) {
      SyntheticOptions options;
      options.users = users;
      options.now = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      EXPECT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph).ok());
    }
    const std::string path = dir_ + "/" + name + ".db";
    auto db = OpenSqliteDb(path).value();
    const int64_t tenant = EnsureTenant(db.get(), "contoso", 1)->id;
    EXPECT_TRUE(EnsureDataSource(db.get(), tenant, "graph", "graph_json",
                                 nlohmann::json{{"dir", graph}}.dump(), 1)
                    .ok());
    return path;
  }

  static int64_t Query(const std::string& path, const std::string& sql) {
    auto db = OpenSqliteDb(path).value();
    return Count(db.get(), sql);
  }

  static bool AllJobsDone(const std::string& path) {
    return Query(path, "SELECT COUNT(*) FROM jobs WHERE state IN ('waiting', 'active')") == 0 &&
           Query(path, "SELECT COUNT(*) FROM jobs") > 0;
  }

  // (type, subject, state, severity) of every alert, sorted.
  static std::vector<std::string> AlertKeys(const std::string& path) {
    auto db = OpenSqliteDb(path).value();
    auto st = db->Prepare(
                    "SELECT type || '|' || subject || '|' || state || '|' || severity FROM alerts "
                    "ORDER BY 1")
                  .value();
    std::vector<std::string> keys;
    while (st->Step().value()) keys.push_back(st->String(0));
    return keys;
  }

  std::vector<std::string> ServeArgs(const std::string& db) {
    // The HTTP API on a free port: serve's HTTP server runs (and stops on
    // SIGTERM) in every test here, and parallel tests never share a port.
    return {"serve", "--db",   db,     "--coalesce", "100ms", "--lease",
            "2s",    "--poll", "50ms", "--http",     "127.0.0.1:0"};
  }

  std::string dir_;
};

TEST_F(ServeProcessTest, CoalesceZeroAnalyzesEverySyncAtOnce) {
  const std::string db = Prepare("at-once", 40);
  std::vector<std::string> args = ServeArgs(db);
  ASSERT_EQ(args[3], "--coalesce");
  args[4] = "0";
  const std::string log = dir_ + "/at-once.log";
  VigilProcess serve(args, log);
  ASSERT_EQ(CliStatus({"trigger", "--db", db, "--tenant", "contoso"}), 0);
  ASSERT_TRUE(WaitFor([&] {
    return Query(db, "SELECT COUNT(*) FROM jobs WHERE name = 'analyze' AND state = 'completed'") >
           0;
  }, 60)) << ReadWholeFile(log);
  // Its own id, due when the sync finished: no window waited for.
  EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM jobs WHERE name = 'analyze' AND job_id LIKE"
                      " 'analyze:%:sync%' AND run_at <= created_at"),
            1);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

TEST_F(ServeProcessTest, RunsScheduledSyncsTracesThemAndDrainsOnSigterm) {
  const std::string db = Prepare("drain", 60);
  // A new schedule is due at once: serve's scheduler enqueues its sync.
  ASSERT_EQ(CliStatus({"schedule", "--db", db, "--tenant", "contoso", "--every", "1h"}), 0);
  // Bad jobs: an unknown name and a malformed payload fail after their
  // attempts; the worker carries on.
  {
    auto clock = NewSystemClock();
    auto queue = OpenLocalQueue(OpenSqliteDb(db).value(), clock.get()).value();
    JobOptions twice;
    twice.attempts = 2;
    twice.backoff = {Backoff::Type::kFixed, 10};
    ASSERT_TRUE(queue->Add("bogus", "{}", twice).ok());
    ASSERT_TRUE(queue->Add("sync", R"({"tenant_id": "one"})", twice).ok());
  }
  const std::string log = dir_ + "/drain.log";
  VigilProcess serve(ServeArgs(db), log);
  ASSERT_TRUE(WaitFor([&] { return AllJobsDone(db); }, 60)) << ReadWholeFile(log);
  EXPECT_GT(Query(db, "SELECT COUNT(*) FROM alerts WHERE state = 'open'"), 0);

  std::string jobs;
  ASSERT_EQ(CliStatus({"jobs", "--db", db, "--state", "failed", "--json"}, &jobs), 0);
  nlohmann::json failed = nlohmann::json::parse(jobs);
  ASSERT_EQ(failed.size(), 2u) << jobs;
  std::set<std::string> errors;
  for (const auto& j : failed) {
    EXPECT_EQ(j["attempts_made"], 2);
    errors.insert(j["error"].get<std::string>());
  }
  EXPECT_EQ(errors.count("unknown job name \"bogus\" (known: sync, analyze)"), 1u) << jobs;
  EXPECT_EQ(errors.count("sync payload: \"tenant_id\": expected a positive integer"), 1u) << jobs;

  // Still working after the bad jobs.
  ASSERT_EQ(CliStatus({"trigger", "--db", db, "--tenant", "contoso"}), 0);
  ASSERT_TRUE(WaitFor([&] { return AllJobsDone(db); }, 60)) << ReadWholeFile(log);
  EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 2);

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);

  // The scheduled sync's trace holds every stage, down to the events going out.
  std::string scheduled;
  ASSERT_EQ(CliStatus({"jobs", "--db", db, "--json", "--limit", "1000"}, &scheduled), 0);
  std::string trace_id;
  for (const auto& j : nlohmann::json::parse(scheduled)) {
    if (j["payload"].is_object() && j["payload"].value("trigger", "") == "schedule") {
      trace_id = j["trace_id"];
    }
  }
  ASSERT_FALSE(trace_id.empty()) << scheduled;
  std::string trace;
  ASSERT_EQ(CliStatus({"trace", "--db", db, trace_id, "--json"}, &trace), 0);
  std::multiset<std::string> names;
  for (const auto& span : nlohmann::json::parse(trace)) names.insert(span["name"]);
  for (const char* expected :
       {"trigger", "job.sync", "sync", "provider.fetch", "sync.apply", "analyze.enqueue",
        "job.analyze", "context.load", "analyze.mfa", "analyze.policy", "reconcile",
        "event.publish"}) {
    EXPECT_GE(names.count(expected), 1u) << expected << "\n" << trace;
  }
  EXPECT_EQ(names.count("queue.wait"), 2u) << trace;

  const std::string text = ReadWholeFile(log);
  EXPECT_NE(text.find("\"event\":\"serve.draining\",\"signal\":\"SIGTERM\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"event\":\"serve.stopped\""), std::string::npos) << text;
}

TEST_F(ServeProcessTest, AWorkerProcessSharesTheQueueAndEachJobRunsOnce) {
  const std::string db = Prepare("shared", 200);
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(CliStatus({"trigger", "--db", db, "--tenant", "contoso"}), 0);
  }
  VigilProcess serve(
      {"serve", "--db", db, "--concurrency", "1", "--coalesce", "100ms", "--poll", "20ms",
       "--http", "127.0.0.1:0"},
      dir_ + "/shared-serve.log");
  VigilProcess worker(
      {"worker", "--db", db, "--concurrency", "1", "--coalesce", "100ms", "--poll", "20ms"},
      dir_ + "/shared-worker.log");
  ASSERT_TRUE(WaitFor([&] { return AllJobsDone(db); }, 60)) << ReadWholeFile(dir_ + "/shared-worker.log");
  EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM jobs WHERE name = 'sync' AND state = 'completed' "
                      "AND attempts_made = 1"),
            6);
  EXPECT_EQ(Query(db, "SELECT COUNT(*) FROM syncs"), 6);
  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(30), 0) << ReadWholeFile(dir_ + "/shared-worker.log");
  EXPECT_NE(ReadWholeFile(dir_ + "/shared-worker.log").find("\"event\":\"worker.stopped\""),
            std::string::npos);
  serve.Signal(SIGINT);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(dir_ + "/shared-serve.log");
}

TEST_F(ServeProcessTest, KillNineDuringASyncThenRestartGivesTheSameAlerts) {
  constexpr int kUsers = 30000;  // a sync long enough to be killed in
  // Reference: the same tenant with no crash.
  const std::string clean = Prepare("clean", kUsers);
  ASSERT_EQ(CliStatus({"trigger", "--db", clean, "--tenant", "contoso"}), 0);
  {
    VigilProcess serve(ServeArgs(clean), dir_ + "/clean.log");
    ASSERT_TRUE(WaitFor([&] { return AllJobsDone(clean); }, 120)) << ReadWholeFile(dir_ + "/clean.log");
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(60), 0);
  }

  const std::string crashed = Prepare("crashed", kUsers);
  ASSERT_EQ(CliStatus({"trigger", "--db", crashed, "--tenant", "contoso"}), 0);
  {
    VigilProcess serve(ServeArgs(crashed), dir_ + "/crash.log");
    ASSERT_TRUE(WaitFor(
        [&] {
          return Query(crashed,
                       "SELECT COUNT(*) FROM jobs WHERE name = 'sync' AND state = 'active'") == 1;
        },
        60));
    serve.Signal(SIGKILL);
    EXPECT_EQ(serve.Wait(10), -1);  // killed, not exited
  }
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM jobs WHERE state = 'completed'"), 0);
  {
    VigilProcess serve(ServeArgs(crashed), dir_ + "/restart.log");
    ASSERT_TRUE(WaitFor([&] { return AllJobsDone(crashed); }, 120))
        << ReadWholeFile(dir_ + "/restart.log");
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(60), 0);
  }
  // The sync job ran again after its lease expired, and completed.
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM jobs WHERE name = 'sync' AND state = "
                           "'completed' AND stalled_count = 1"),
            1);
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM jobs WHERE state = 'failed'"), 0);

  const std::vector<std::string> expected = AlertKeys(clean);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(AlertKeys(crashed), expected);
  // No duplicate alert, no duplicate history.
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM alert_history"),
            Query(clean, "SELECT COUNT(*) FROM alert_history"));
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM alert_history"),
            Query(crashed, "SELECT COUNT(*) FROM alerts"));
  EXPECT_EQ(Query(crashed, "SELECT COUNT(*) FROM entities WHERE deleted_at IS NULL"),
            Query(clean, "SELECT COUNT(*) FROM entities WHERE deleted_at IS NULL"));
}

}  // namespace
}  // namespace vigil
