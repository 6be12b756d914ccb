#include "alerts/shadow_reconcile.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

// Every row of the tables a shadow run must never touch: the alert tables
// and the event outbox.
std::string DumpAlertState(Db* db) {
  std::string out = DumpTables(db);
  auto stmt = db->Prepare(
      "SELECT id, tenant_id, type, trace_id, payload, created_at FROM event_outbox ORDER BY id");
  EXPECT_TRUE(stmt.ok());
  while (*(*stmt)->Step()) {
    out += "event_outbox:";
    for (int c = 0; c < 6; ++c) out += " [" + (*stmt)->String(c) + "]";
    out += "\n";
  }
  return out;
}

// The shadow alerts of `tenant_id`: "alert_type subject severity vN" lines.
std::set<std::string> ShadowAlerts(Db* db, int64_t tenant_id) {
  auto stmt = db->Prepare(
      "SELECT alert_type, subject, severity, rule_version FROM shadow_alerts WHERE tenant_id = ?");
  EXPECT_TRUE(stmt.ok());
  (*stmt)->BindInt(1, tenant_id);
  std::set<std::string> out;
  while (*(*stmt)->Step()) {
    out.insert((*stmt)->String(0) + " " + (*stmt)->String(1) + " " + (*stmt)->String(2) + " v" +
               (*stmt)->String(3));
  }
  return out;
}

std::set<std::string> Expected(const Batch& b) {
  std::set<std::string> out;
  for (const Finding& f : b.findings) {
    out.insert(f.alert_type + " " + f.subject + " " + std::string(SeverityName(f.severity)) +
               " v" + std::to_string(b.rule_version));
  }
  return out;
}

class ShadowReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    tenant_ = AddTenant(db_.get(), "contoso");
  }

  // Reconciles `active` for real, then `candidate` in shadow.
  Result<std::vector<ShadowRun>> Run(const std::string& run_id, TimeMs as_of, Batch active,
                                     Batch candidate) {
    AnalysisRun run = MakeRun(tenant_, run_id, as_of, {std::move(active)});
    AlertManager manager(db_.get(), clock_.get());
    Result<ReconcileSummary> summary = manager.Reconcile(run);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    before_shadow_ = DumpAlertState(db_.get());
    candidate.rule_version = 2;
    const uint64_t before = db_->statements_executed();
    Result<std::vector<ShadowRun>> runs =
        ReconcileShadow(db_.get(), *clock_, run, {candidate}, *summary);
    shadow_statements_ = db_->statements_executed() - before;
    return runs;
  }

  std::unique_ptr<Clock> clock_ = NewFixedClock(kT0 + 1000 * kDay);
  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
  std::string before_shadow_;
  uint64_t shadow_statements_ = 0;
};

TEST_F(ShadowReconcileTest, RecordsTheCandidatesFindingsAndTheDiffButNoAlert) {
  Batch active = Complete("stale", {MakeFinding("stale.user", "a", Severity::kLow),
                                    MakeFinding("stale.user", "b", Severity::kLow)});
  Batch candidate = Complete("stale", {MakeFinding("stale.user", "b", Severity::kMedium),
                                       MakeFinding("stale.user", "c", Severity::kLow)});
  Result<std::vector<ShadowRun>> runs = Run("run-1", kT0, active, candidate);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  EXPECT_EQ(DumpAlertState(db_.get()), before_shadow_);
  candidate.rule_version = 2;
  EXPECT_EQ(ShadowAlerts(db_.get(), tenant_), Expected(candidate));
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].diff.would_open, 1);
  EXPECT_EQ((*runs)[0].diff.would_resolve, 1);
  EXPECT_EQ((*runs)[0].diff.would_change_severity, 1);

  Result<std::vector<StoredShadowRun>> stored = LoadShadowRuns(db_.get(), "stale", 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].tenant, "contoso");
  EXPECT_EQ((*stored)[0].run_id, "run-1");
  EXPECT_EQ((*stored)[0].run.candidate_version, 2);
  EXPECT_EQ((*stored)[0].run.diff.would_change_severity, 1);
  ASSERT_EQ((*stored)[0].run.diff.examples.size(), 3u);
  EXPECT_EQ((*stored)[0].run.diff.examples[1].from_severity, "low");
  EXPECT_TRUE(LoadShadowRuns(db_.get(), "mfa", 0)->empty());
}

TEST_F(ShadowReconcileTest, AnIncompleteCandidateKeepsTheLastCompleteShadowState) {
  Batch active = Complete("stale", {MakeFinding("stale.user", "a")});
  Batch candidate = Complete("stale", {MakeFinding("stale.user", "z")});
  ASSERT_TRUE(Run("run-1", kT0, active, candidate).ok());
  Result<std::vector<ShadowRun>> runs =
      Run("run-2", kT0 + kDay, active, NotComplete("stale", BatchStatus::kIncomplete, "no data"));
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].status, "INCOMPLETE");
  EXPECT_EQ((*runs)[0].reason, "no data");
  EXPECT_EQ(ShadowAlerts(db_.get(), tenant_), (std::set<std::string>{"stale.user z medium v2"}));
}

TEST_F(ShadowReconcileTest, NothingIsRecordedWhenTheActiveBatchWasADuplicate) {
  Batch active = Complete("stale", {MakeFinding("stale.user", "a")});
  ASSERT_TRUE(Run("run-1", kT0, active, Complete("stale", {})).ok());
  Result<std::vector<ShadowRun>> again =
      Run("run-1", kT0, active, Complete("stale", {MakeFinding("stale.user", "q")}));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_TRUE(ShadowAlerts(db_.get(), tenant_).empty());
}

TEST_F(ShadowReconcileTest, WritesAreBatched) {
  std::vector<Finding> many;
  for (int i = 0; i < 1200; ++i) many.push_back(MakeFinding("stale.user", "u" + std::to_string(i)));
  Batch active = Complete("stale", {});
  ASSERT_TRUE(Run("run-1", kT0, active, Complete("stale", many)).ok());
  // 1 read, ceil(1200 / 500) upserts, 1 for the run.
  EXPECT_EQ(shadow_statements_, 1u + 3u + 1u);
  ASSERT_TRUE(Run("run-2", kT0 + kDay, active, Complete("stale", many)).ok());
  EXPECT_EQ(shadow_statements_, 1u + 1u);  // nothing changed: the read and the run
  ASSERT_TRUE(Run("run-3", kT0 + 2 * kDay, active, Complete("stale", {})).ok());
  EXPECT_EQ(shadow_statements_, 1u + 3u + 1u);  // 3 deletes
  EXPECT_TRUE(ShadowAlerts(db_.get(), tenant_).empty());
}

// Property: whatever the active and candidate batches, a shadow run leaves
// every alert table and the outbox byte for byte as the reconcile left them,
// and the shadow alerts are the last COMPLETE candidate's findings.
RC_GTEST_FIXTURE_PROP(ShadowReconcileTest, ShadowRunsNeverTouchAlerts, ()) {
  const auto finding = rc::gen::apply(
      [](int subject, int severity) {
        return MakeFinding("stale.user", "s" + std::to_string(subject),
                           static_cast<Severity>(severity));
      },
      rc::gen::inRange(0, 6), rc::gen::inRange(0, 4));
  const auto batch = rc::gen::apply(
      [](std::vector<Finding> findings, bool complete) {
        std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
          return a.subject < b.subject;
        });
        findings.erase(std::unique(findings.begin(), findings.end(),
                                   [](const Finding& a, const Finding& b) {
                                     return a.subject == b.subject;
                                   }),
                       findings.end());
        return complete ? Complete("stale", std::move(findings))
                        : NotComplete("stale", BatchStatus::kFailed, "boom");
      },
      rc::gen::container<std::vector<Finding>>(finding), rc::gen::arbitrary<bool>());
  const int steps = *rc::gen::inRange(1, 6);
  std::optional<std::set<std::string>> shadow;
  for (int i = 0; i < steps; ++i) {
    Batch active = *batch;
    Batch candidate = *batch;
    Result<std::vector<ShadowRun>> runs =
        Run("run-" + std::to_string(i), kT0 + i * kDay, active, candidate);
    RC_ASSERT(runs.ok());
    RC_ASSERT(DumpAlertState(db_.get()) == before_shadow_);
    candidate.rule_version = 2;
    if (candidate.status == BatchStatus::kComplete) shadow = Expected(candidate);
    RC_ASSERT(ShadowAlerts(db_.get(), tenant_) == shadow.value_or(std::set<std::string>{}));
  }
  RC_ASSERT(TenantConsistent(db_.get(), tenant_));
}

}  // namespace
}  // namespace vigil
