// One analysis per tenant at a time, and never an older snapshot after a
// newer one, on SQLite and on PostgreSQL:
//   - analyses of one tenant racing over changing data (syncs of data A and
//     data B, racing too) always end with the alerts of the newest data, the
//     history of every alert folds into its row, and every alert transition
//     has exactly one event;
//   - the service (four workers, a 1 ms coalescing window) with a data
//     source whose directory is switched from A to B while A's analysis
//     runs, and a second trigger, ends with the alerts of B.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "alerts/alert_test_support.h"
#include "analysis/unified_analyzer.h"
#include "app/database.h"
#include "pipeline/pipeline.h"
#include "app/service.h"
#include "common/ids.h"
#include "context/loader.h"
#include "providers/graph_dir_provider.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/sync_trigger.h"
#include "store/tenants.h"
#include "testing/fixtures.h"
#include "testing/postgres_server.h"

namespace vigil {
namespace {

// An analysis clock that moves on by 1 ms at every reading, from any thread.
class TickingClock : public Clock {
 public:
  explicit TickingClock(TimeMs start) : now_(start) {}
  TimeMs NowMs() const override { return now_.fetch_add(1); }

 private:
  mutable std::atomic<TimeMs> now_;
};

// The open alerts a fresh analysis of what the database holds now would
// leave: the findings of its COMPLETE batches, as OpenAlerts lists them.
std::vector<std::string> FindingsOfStoredData(Db* db, int64_t tenant_id, TimeMs now) {
  DataContextLoader loader(db);
  Result<DataContext> ctx = loader.Load(tenant_id, now);
  EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
  if (!ctx.ok()) return {};
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(*ctx, "check", "check");
  std::vector<std::string> out;
  for (const Batch& b : run.batches) {
    EXPECT_EQ(b.status, BatchStatus::kComplete) << b.analysis_type << ": " << b.reason;
    for (const Finding& f : b.findings) {
      out.push_back(f.alert_type + " " + f.subject + " " + std::string(SeverityName(f.severity)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool NextRow(Statement* stmt) {
  Result<bool> row = stmt->Step();
  EXPECT_TRUE(row.ok()) << row.status().ToString();
  return row.ok() && *row;
}

// Every alert of the tenant has exactly as many alert.* events as history rows.
::testing::AssertionResult OneEventPerTransition(Db* db, int64_t tenant_id) {
  std::map<int64_t, int64_t> events, rows;
  Result<std::unique_ptr<Statement>> stmt = db->Prepare(
      "SELECT payload FROM event_outbox WHERE tenant_id = ? AND type LIKE 'alert.%'");
  if (!stmt.ok()) return ::testing::AssertionFailure() << stmt.status().ToString();
  (*stmt)->BindInt(1, tenant_id);
  while (NextRow(stmt->get())) {
    ++events[nlohmann::json::parse((*stmt)->String(0)).at("alert_id").get<int64_t>()];
  }
  stmt = db->Prepare("SELECT alert_id, COUNT(*) FROM alert_history WHERE tenant_id = ?"
                     " GROUP BY alert_id");
  if (!stmt.ok()) return ::testing::AssertionFailure() << stmt.status().ToString();
  (*stmt)->BindInt(1, tenant_id);
  while (NextRow(stmt->get())) rows[(*stmt)->Int(0)] = (*stmt)->Int(1);
  if (events != rows) {
    return ::testing::AssertionFailure() << events.size() << " alerts have events, "
                                         << rows.size() << " have history, or counts differ";
  }
  return ::testing::AssertionSuccess();
}

class AnalysisRaceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    if (GetParam() == "postgresql") {
      testing::PostgresServer* server = testing::SharedPostgresServer();
      ASSERT_NE(server, nullptr);
      Result<std::string> url = server->NewDatabase();
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      db_flag_ = *url;
    } else {
      db_flag_ = "sqlite:" + dir_ + "/vigil.db";
    }
    db_ = Open();
    ASSERT_NE(db_, nullptr);
  }

  std::unique_ptr<Db> Open() {
    Result<std::unique_ptr<Db>> db = OpenDatabase(db_flag_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Data A (many users without MFA, some stale) and data B (the same users,
  // every one registered, other stale ones) of one tenant.
  void WriteData(int users, TimeMs now) {
    SyntheticOptions a;
    a.users = users;
    a.seed = 11;
    a.now = now;
    a.no_mfa_rate = 0.4;
    a.stale_rate = 0.05;
    SyntheticOptions b = a;
    b.no_mfa_rate = 0;
    b.admin_no_mfa_rate = 0;
    b.stale_rate = 0.2;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(a), dir_ + "/a").ok());
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(b), dir_ + "/b").ok());
  }

  std::string dir_;
  std::string db_flag_;
  std::unique_ptr<Db> db_;
};

TEST_P(AnalysisRaceTest, RacingAnalysesEndWithTheNewestDataAndCleanHistories) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 6;
  WriteData(120, kSyntheticDefaultNow);
  const int64_t tenant = EnsureTenant(db_.get(), "contoso", 0)->id;
  const int64_t source =
      EnsureDataSource(db_.get(), tenant, "graph", "graph_json", "{}", 0)->id;
  const std::unique_ptr<Clock> system_clock = NewSystemClock();
  const Clock& wall = *system_clock;
  TickingClock analysis_clock(kSyntheticDefaultNow);

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<Db> db = Open();
      if (db == nullptr) return ++failures, void();
      std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1u);
      for (int round = 0; round < kRounds; ++round) {
        Trace trace(NewTraceId(), &wall, [&db] { return db->statements_executed(); });
        {
          const std::string data = dir_ + ((rng() % 2) != 0 ? "/a" : "/b");
          std::unique_ptr<Provider> provider = NewGraphDirProvider(data).value();
          SyncOptions options;
          options.force = true;
          SyncOutcome synced =
              RunSync(db.get(), wall, tenant, source, provider.get(), options, &trace);
          if (!synced.status.ok()) {
            ADD_FAILURE() << synced.status.ToString();
            ++failures;
          }
        }
        Result<AnalysisOutcome> analyzed =
            RunAnalysis(db.get(), wall, analysis_clock, tenant, &trace);
        if (!analyzed.ok()) {
          ADD_FAILURE() << analyzed.status().ToString();
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  const std::vector<std::string> expected =
      FindingsOfStoredData(db_.get(), tenant, analysis_clock.NowMs());
  EXPECT_GT(expected.size(), 10u);
  EXPECT_EQ(alerts_test::OpenAlerts(db_.get(), "contoso"), expected);
  EXPECT_TRUE(alerts_test::TenantConsistent(db_.get(), tenant));
  EXPECT_TRUE(OneEventPerTransition(db_.get(), tenant));
}

// The operator's repro: the data source's directory is a symlink, switched
// from A to B while the analysis of A runs, then triggered again.
TEST_P(AnalysisRaceTest, ServeEndsWithTheDataSwitchedToDuringAnAnalysis) {
  const std::unique_ptr<Clock> system_clock = NewSystemClock();
  const Clock& clock = *system_clock;
  WriteData(1500, clock.NowMs());
  const std::string current = dir_ + "/current";
  std::filesystem::create_directory_symlink(dir_ + "/a", current);
  const int64_t tenant = EnsureTenant(db_.get(), "contoso", 0)->id;
  const int64_t source =
      EnsureDataSource(db_.get(), tenant, "graph", "graph_json",
                       nlohmann::json{{"dir", current}}.dump(), 0)
          ->id;

  ServiceOptions options;
  options.db_path = db_flag_;
  options.run_scheduler = false;
  options.log_events = false;
  options.concurrency = 4;
  options.coalesce_window_ms = 1;
  options.poll_ms = 5;
  Result<std::unique_ptr<Service>> service = Service::Start(options, &clock);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  Queue* queue = (*service)->queue();
  TriggerOptions forced;  // B's users are not A's: the deletion guard would refuse B
  forced.force = true;
  ASSERT_TRUE(TriggerSync(db_.get(), queue, clock, tenant, source, forced).ok());

  // As soon as an analysis of A runs: switch to B and trigger again.
  auto analysis_active = [&] {
    ListFilter active;
    active.state = JobState::kActive;
    Result<std::vector<JobInfo>> jobs = queue->List(active);
    if (!jobs.ok()) return false;
    for (const JobInfo& j : *jobs) {
      if (j.name == "analyze") return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!analysis_active() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  std::filesystem::create_directory_symlink(dir_ + "/b", current + ".new");
  std::filesystem::rename(current + ".new", current);
  ASSERT_TRUE(TriggerSync(db_.get(), queue, clock, tenant, source, forced).ok());

  // Drained: both syncs and every analysis they caused have finished.
  auto drained = [&] {
    Result<JobCounts> counts = queue->Counts();
    return counts.ok() && counts->waiting == 0 && counts->delayed == 0 && counts->active == 0 &&
           counts->completed >= 4;
  };
  while (!drained() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(drained());
  (*service)->Stop(5000);
  Result<JobCounts> counts = queue->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->failed, 0);

  const std::vector<std::string> expected =
      FindingsOfStoredData(db_.get(), tenant, clock.NowMs());
  EXPECT_EQ(alerts_test::OpenAlerts(db_.get(), "contoso"), expected);
  for (const std::string& line : expected) {  // B has everyone registered
    EXPECT_EQ(line.find("_not_registered "), std::string::npos) << line;
  }
  EXPECT_TRUE(alerts_test::TenantConsistent(db_.get(), tenant));
  EXPECT_TRUE(OneEventPerTransition(db_.get(), tenant));
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalysisRaceTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace vigil
