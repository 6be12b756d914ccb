#include "pipeline/job_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/local_queue.h"
#include "queue/pending_syncs.h"
#include "queue/pipeline_jobs.h"
#include "queue/sync_trigger.h"
#include "store/span_store.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/directory_provider.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/forwarding_queue.h"

namespace vigil {
namespace {

using testing::Count;

constexpr int64_t kWindowMs = 2000;
constexpr TimeMs kStart = 1'795'000'000'000;  // 2026-11-18

class JobHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    path_ = dir_ + "/vigil.db";
    graph_ = dir_ + "/graph";
    SyntheticOptions options;
    options.users = 40;
    options.now = kStart;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph_).ok());
    db_ = Open();
    tenant_id_ = EnsureTenant(db_.get(), "contoso", kStart)->id;
    source_id_ = EnsureDataSource(db_.get(), tenant_id_, "graph", "graph_json",
                                  nlohmann::json{{"dir", graph_}}.dump(), kStart)
                     ->id;
    queue_ = OpenLocalQueue(Open(), &clock_).value();
    // As the service runs it: the analysis job commits with the sync.
    context_.db_pool = &pool_;
    context_.queue = queue_.get();
    context_.clock = &clock_;
    context_.open_provider = testing::OpenDirectorySource;
    context_.coalesce_window_ms = kWindowMs;
    context_.add_in_transaction = [](Db* db, const JobToAdd& job, TimeMs now) {
      return AddLocalJob(db, "vigil", job.name, job.payload, job.options, now);
    };
    Reopen();
  }

  // A new handler for context_.
  void Reopen() {
    Result<std::unique_ptr<JobHandler>> handler = PipelineJobHandler::Open(context_);
    ASSERT_TRUE(handler.ok()) << handler.status().message();
    handler_ = std::move(handler).value();
  }

  std::unique_ptr<Db> Open() { return OpenSqliteDb(path_).value(); }

  std::string Trigger() {
    Result<TriggeredSync> t =
        TriggerSync(db_.get(), queue_.get(), clock_, tenant_id_, source_id_, {});
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t->trace_id;
  }

  // Takes the next due job, runs it, completes or fails it; returns its result.
  Result<std::string> RunNext(std::string* name = nullptr) {
    Result<std::optional<Job>> job = queue_->Take("test", 30000, 0);
    EXPECT_TRUE(job.ok() && job->has_value()) << "no due job";
    if (!job.ok() || !job->has_value()) return Status::NotFound("no due job");
    if (name) *name = (*job)->name;
    Result<std::string> result = handler_->Run(**job);
    if (result.ok()) {
      EXPECT_TRUE(queue_->Complete(**job, *result).ok());
    } else {
      EXPECT_TRUE(queue_->Fail(**job, result.status().message()).ok());
    }
    return result;
  }

  std::multiset<std::string> SpanNames(const std::string& trace_id) {
    std::multiset<std::string> names;
    const std::vector<SpanRecord> spans = LoadTrace(db_.get(), trace_id).value();
    for (const SpanRecord& s : spans) names.insert(s.name);
    return names;
  }

  testing::FakeClock clock_{kStart};
  std::string dir_, path_, graph_;
  std::unique_ptr<Db> db_;
  int64_t tenant_id_ = 0, source_id_ = 0;
  std::unique_ptr<Queue> queue_;
  DbPool pool_{[this]() -> Result<std::unique_ptr<Db>> { return OpenSqliteDb(path_); }};
  PipelineContext context_;
  std::unique_ptr<JobHandler> handler_;
};

// A queue whose Add cannot reach its backend (Redis down): the hand-over
// after the sync's commit fails.
class FakeUnreachableQueue : public testing::ForwardingQueue {
 public:
  using ForwardingQueue::ForwardingQueue;
  Result<AddResult> Add(std::string_view, std::string_view, const JobOptions&) override {
    return Status::Unavailable("redis 127.0.0.1:1: connection refused");
  }
};

TEST_F(JobHandlerTest, OpenRefusesAContextMissingAPart) {
  PipelineContext context = context_;
  context.open_provider = nullptr;
  Result<std::unique_ptr<JobHandler>> handler = PipelineJobHandler::Open(context);
  ASSERT_FALSE(handler.ok());
  EXPECT_EQ(handler.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(handler.status().message(),
            "pipeline job handler: db_pool, queue, clock and open_provider are required");
}

TEST_F(JobHandlerTest, JobsRunOnOnePooledConnectionWhateverTheHandlerCount) {
  std::unique_ptr<JobHandler> second = PipelineJobHandler::Open(context_).value();
  Trigger();
  ASSERT_TRUE(RunNext().ok());
  clock_.Advance(kWindowMs);
  Result<std::optional<Job>> analysis = queue_->Take("test", 30000, 0);
  ASSERT_TRUE(analysis.ok() && analysis->has_value());
  ASSERT_TRUE(second->Run(**analysis).ok());
  // Both handlers leased the same connection in turn; it is back in the pool.
  EXPECT_EQ(pool_.stats().opened_total, 1);
  EXPECT_EQ(pool_.stats().idle, 1);
}

TEST_F(JobHandlerTest, AJobWaitingForAConnectionFailsWithThePoolsMessage) {
  DbPoolOptions options;
  options.max_connections = 1;
  options.acquire_timeout_ms = 20;
  DbPool busy([this]() -> Result<std::unique_ptr<Db>> { return OpenSqliteDb(path_); }, options);
  DbLease held = busy.Acquire().value();
  context_.db_pool = &busy;
  Reopen();
  Trigger();
  Result<std::string> sync = RunNext();
  ASSERT_FALSE(sync.ok());
  EXPECT_EQ(sync.status().message(), "database pool: no connection free after 20 ms (1 of 1 in use)");
  context_.db_pool = &pool_;
  Reopen();
}

TEST_F(JobHandlerTest, SyncThenAnalysisCarryOneTraceThroughEverySpan) {
  const std::string trace_id = Trigger();
  std::string name;
  Result<std::string> sync = RunNext(&name);
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  EXPECT_EQ(name, "sync");
  nlohmann::json sync_result = nlohmann::json::parse(*sync);
  EXPECT_EQ(sync_result["coalesced"], false);
  const std::string analyze_job = sync_result["analyze_job"];

  // The analysis waits for the end of the coalescing window.
  EXPECT_EQ(queue_->Get(analyze_job)->state, JobState::kDelayed);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM alerts"), 0);
  clock_.Advance(kWindowMs);
  Result<std::string> analysis = RunNext(&name);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  EXPECT_EQ(name, "analyze");
  const int64_t open = Count(db_.get(), "SELECT COUNT(*) FROM alerts WHERE state = 'open'");
  EXPECT_GT(open, 0);
  EXPECT_EQ(nlohmann::json::parse(*analysis)["opened"].get<int64_t>(), open);

  // Every alert's history names the trace the trigger began.
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM alert_history WHERE trace_id = '" + trace_id +
                                 "'"),
            open);
  const std::multiset<std::string> names = SpanNames(trace_id);
  for (const char* expected :
       {"trigger", "job.sync", "sync", "provider.fetch", "sync.apply", "analyze.enqueue",
        "job.analyze", "analyze", "context.load", "analyze.mfa", "analyze.license",
        "analyze.stale", "analyze.privilege", "analyze.policy", "reconcile"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  EXPECT_EQ(names.count("queue.wait"), 2u);

  // The job spans hang below the trigger.
  std::vector<SpanRecord> spans = LoadTrace(db_.get(), trace_id).value();
  std::map<std::string, std::string> parent_name;
  std::map<std::string, std::string> name_of;
  for (const SpanRecord& s : spans) name_of[s.span_id] = s.name;
  for (const SpanRecord& s : spans) parent_name[s.name] = name_of[s.parent_span_id];
  EXPECT_EQ(parent_name["job.sync"], "trigger");
  EXPECT_EQ(parent_name["job.analyze"], "job.sync");
  EXPECT_EQ(parent_name["reconcile"], "analyze");

  // The sync and the analysis announced themselves in the outbox.
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'sync.completed'"),
            1);
  EXPECT_EQ(
      Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'analysis.completed'"), 1);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'alert.opened' AND "
                             "trace_id = '" + trace_id + "'"),
            open);
}

TEST_F(JobHandlerTest, SyncsOfOneTenantWithinTheWindowShareOneAnalysis) {
  const std::string first = Trigger();
  const std::string second = Trigger();
  nlohmann::json a = nlohmann::json::parse(RunNext().value());
  clock_.Advance(kWindowMs / 4);
  nlohmann::json b = nlohmann::json::parse(RunNext().value());
  EXPECT_EQ(a["coalesced"], false);
  EXPECT_EQ(b["coalesced"], true);
  EXPECT_EQ(a["analyze_job"], b["analyze_job"]);
  EXPECT_EQ(queue_->Counts()->delayed, 1);

  // The second sync's trace says which analysis covers it.
  const std::vector<SpanRecord> spans = LoadTrace(db_.get(), second).value();
  for (const SpanRecord& s : spans) {
    if (s.name != "analyze.enqueue") continue;
    EXPECT_EQ(s.attributes.at("coalesced"), "yes");
    EXPECT_EQ(s.attributes.at("analysis_trace"), first);
  }
  clock_.Advance(kWindowMs);
  ASSERT_TRUE(RunNext().ok());
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM jobs WHERE name = 'analyze'"), 1);
  EXPECT_EQ(
      Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'analysis.completed'"), 1);
  EXPECT_EQ(queue_->Counts()->waiting + queue_->Counts()->delayed, 0);
  // A sync after the window gets an analysis of its own.
  Trigger();
  nlohmann::json c = nlohmann::json::parse(RunNext().value());
  EXPECT_EQ(c["coalesced"], false);
  EXPECT_NE(c["analyze_job"], a["analyze_job"]);
}

// As the service runs it: the analysis waits for its window only while
// another sync of the tenant is queued or running.
TEST_F(JobHandlerTest, ASyncWithNoOtherSyncPendingIsAnalyzedAtOnce) {
  context_.syncs_pending = [](Db* db, int64_t tenant_id, std::string_view job_id) {
    return OtherSyncsPending(db, PendingJobsTable::kLocalQueue, "vigil", tenant_id, job_id);
  };
  Reopen();
  Trigger();
  nlohmann::json sync = nlohmann::json::parse(RunNext().value());
  EXPECT_EQ(sync["analyze_job"], "analyze:" + std::to_string(tenant_id_) + ":sync" +
                                     std::to_string(sync["sync_id"].get<int64_t>()));
  EXPECT_EQ(queue_->Get(sync["analyze_job"].get<std::string>())->state, JobState::kWaiting);
  std::string name;
  ASSERT_TRUE(RunNext(&name).ok());  // due now: no clock advance
  EXPECT_EQ(name, "analyze");
  EXPECT_GT(Count(db_.get(), "SELECT COUNT(*) FROM alerts WHERE state = 'open'"), 0);
}

TEST_F(JobHandlerTest, WhileAnotherSyncIsQueuedTheAnalysisWaitsForTheWindow) {
  context_.syncs_pending = [](Db* db, int64_t tenant_id, std::string_view job_id) {
    return OtherSyncsPending(db, PendingJobsTable::kLocalQueue, "vigil", tenant_id, job_id);
  };
  Reopen();
  Trigger();
  Trigger();
  nlohmann::json first = nlohmann::json::parse(RunNext().value());
  // The second sync is still queued: the first one's analysis is coalesced.
  const std::string window_job = first["analyze_job"];
  EXPECT_EQ(window_job.find(":sync"), std::string::npos) << window_job;
  EXPECT_EQ(queue_->Get(window_job)->state, JobState::kDelayed);
  // The last sync of the burst finds none pending: analyzed at once.
  nlohmann::json second = nlohmann::json::parse(RunNext().value());
  EXPECT_NE(second["analyze_job"].get<std::string>().find(":sync"), std::string::npos);
  std::string name;
  ASSERT_TRUE(RunNext(&name).ok());
  EXPECT_EQ(name, "analyze");
  EXPECT_EQ(queue_->Counts()->delayed, 1);  // the window's, which runs at its end
}

TEST_F(JobHandlerTest, BadJobsFailWithMessagesThatSayWhy) {
  Job job;
  job.id = "1";
  job.name = "bogus";
  job.payload = "{}";
  EXPECT_EQ(handler_->Run(job).status().message(),
            "unknown job name \"bogus\" (known: sync, analyze)");
  job.name = "sync";
  job.payload = R"({"tenant_id":"x"})";
  EXPECT_EQ(handler_->Run(job).status().message(),
            "sync payload: \"tenant_id\": expected a positive integer");
  job.payload = ToJson(SyncJobPayload{tenant_id_, 999, "t", "", "cli", false});
  EXPECT_EQ(handler_->Run(job).status().message(), "no data source with id 999");
  const int64_t other = EnsureTenant(db_.get(), "fabrikam", kStart)->id;
  job.payload = ToJson(SyncJobPayload{other, source_id_, "t", "", "cli", false});
  EXPECT_EQ(handler_->Run(job).status().message(),
            "data source " + std::to_string(source_id_) + " belongs to tenant " +
                std::to_string(tenant_id_) + ", not " + std::to_string(other));
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM entities"), 0);
}

TEST_F(JobHandlerTest, AFailedSyncIsRecordedAndQueuesNoAnalysis) {
  std::filesystem::remove(graph_ + "/users.json");
  testing::WriteFile(graph_ + "/users.json", "{\"value\": [ {\"id\": 5} ]}");
  const std::string trace_id = Trigger();
  Result<std::string> sync = RunNext();
  ASSERT_FALSE(sync.ok());
  EXPECT_NE(sync.status().message().find("users.json"), std::string::npos)
      << sync.status().message();
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'failed'"), 1);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'sync.failed'"), 1);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM jobs WHERE name = 'analyze'"), 0);
  // The sync job is retried later (attempts left), so it waits with a backoff.
  EXPECT_EQ(queue_->Counts()->delayed, 1);
  EXPECT_EQ(SpanNames(trace_id).count("job.sync"), 1u);
}

TEST_F(JobHandlerTest, TheAnalysisJobCommitsWithTheSyncEvenWhenTheQueueCannotTakeItThen) {
  FakeUnreachableQueue unreachable(queue_.get());
  context_.queue = &unreachable;
  Reopen();
  Trigger();
  Result<std::string> sync = RunNext();
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  // Written by the sync's own transaction, so nothing was lost.
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM jobs WHERE name = 'analyze'"), 1);
  clock_.Advance(kWindowMs);
  std::string name;
  ASSERT_TRUE(RunNext(&name).ok());
  EXPECT_EQ(name, "analyze");
  EXPECT_EQ(
      Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE type = 'analysis.completed'"), 1);
}

TEST_F(JobHandlerTest, ASyncWhoseAnalysisJobCannotBeWrittenIsRolledBack) {
  context_.add_in_transaction = [](Db*, const JobToAdd&, TimeMs) -> Result<AddResult> {
    return Status::Internal("job table locked");
  };
  Reopen();
  Trigger();
  Result<std::string> sync = RunNext();
  ASSERT_FALSE(sync.ok());
  EXPECT_NE(sync.status().message().find("adding the analysis job: job table locked"),
            std::string::npos)
      << sync.status().message();
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM entities"), 0);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM syncs WHERE status = 'succeeded'"), 0);
  EXPECT_EQ(Count(db_.get(), "SELECT COUNT(*) FROM jobs WHERE name = 'analyze'"), 0);
}

}  // namespace
}  // namespace vigil
