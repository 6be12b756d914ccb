// Scenario tests of AlertManager: what a user sees in alerts, history and
// tags after a sequence of analysis runs.
#include "alerts/alert_manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "alerts/alert_manager_fixture.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "alerts/alert_writer.h"
#include "alerts/analysis_ledger.h"
#include "analysis/alert_types.h"
#include "common/hash.h"
#include "events/outbox.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

TEST_F(AlertManagerTest, AlertLifecycleOpenUpdateResolveReopen) {
  const std::string kType(kMfaUserNotRegistered);
  ReconcileSummary s1 = Apply(
      MakeRun(contoso_, "run-1", kT0,
              {Complete("mfa", {MakeFinding(kType, "u1", Severity::kMedium, R"({"upn":"u1"})")})}));
  ASSERT_EQ(s1.batches.size(), 1u);
  EXPECT_EQ(s1.batches[0].outcome, BatchOutcome::kApplied);
  EXPECT_EQ(s1.opened, 1);
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso"),
            std::vector<std::string>{"mfa.user_not_registered u1 medium"});
  AlertRow a = Alert(kType, "u1");
  EXPECT_EQ(a.state, "open");
  EXPECT_EQ(a.first_seen, kT0);
  EXPECT_EQ(a.last_seen, kT0);
  EXPECT_EQ(a.resolved_at, std::nullopt);
  EXPECT_EQ(a.details_digest, HashHex(R"({"upn":"u1"})"));
  EXPECT_EQ(a.tag, "mfa:missing");
  EXPECT_EQ(a.last_trace_id, "trace-run-1");
  EXPECT_EQ(a.updated_at, kT0 + 1000 * kDay);

  ReconcileSummary s2 = Apply(
      MakeRun(contoso_, "run-2", kT0 + kDay,
              {Complete("mfa", {MakeFinding(kType, "u1", Severity::kHigh, R"({"upn":"u1"})")})}));
  EXPECT_EQ(s2.updated, 1);
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso"),
            std::vector<std::string>{"mfa.user_not_registered u1 high"});

  ReconcileSummary s3 = Apply(MakeRun(contoso_, "run-3", kT0 + 2 * kDay, {Complete("mfa")}));
  EXPECT_EQ(s3.resolved, 1);
  EXPECT_TRUE(OpenAlerts(db_.get(), "contoso").empty());
  a = Alert(kType, "u1");
  EXPECT_EQ(a.state, "resolved");
  EXPECT_EQ(a.resolved_at, kT0 + 2 * kDay);
  EXPECT_EQ(a.last_seen, kT0 + kDay);

  ReconcileSummary s4 = Apply(
      MakeRun(contoso_, "run-4", kT0 + 3 * kDay,
              {Complete("mfa", {MakeFinding(kType, "u1", Severity::kHigh, R"({"upn":"u1"})")})}));
  EXPECT_EQ(s4.reopened, 1);
  a = Alert(kType, "u1");
  EXPECT_EQ(a.state, "open");
  EXPECT_EQ(a.first_seen, kT0);
  EXPECT_EQ(a.resolved_at, std::nullopt);
  EXPECT_EQ(a.last_seen, kT0 + 3 * kDay);

  std::vector<HistoryRow> h = History(a.id);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].transition, "opened");
  EXPECT_EQ(h[0].from_state, std::nullopt);
  EXPECT_EQ(h[0].to_state, "open");
  EXPECT_EQ(h[0].reason, "finding appeared");
  EXPECT_EQ(h[0].at, kT0);
  EXPECT_EQ(h[0].run_id, "run-1");
  EXPECT_EQ(h[0].trace_id, "trace-run-1");
  EXPECT_EQ(h[1].transition, "updated");
  EXPECT_EQ(h[1].reason, "severity changed from medium to high");
  EXPECT_EQ(h[1].severity, "high");
  EXPECT_EQ(h[2].transition, "resolved");
  EXPECT_EQ(h[2].from_state, "open");
  EXPECT_EQ(h[2].to_state, "resolved");
  EXPECT_EQ(h[2].reason, "finding no longer present in complete batch");
  EXPECT_EQ(h[2].severity, "high");
  EXPECT_EQ(h[2].details, R"({"upn":"u1"})");
  EXPECT_EQ(h[3].transition, "reopened");
  EXPECT_EQ(h[3].reason, "finding reappeared");
  EXPECT_EQ(h[3].run_id, "run-4");
}

TEST_F(AlertManagerTest, DetailsChangesAreUpdatesWithTheirReason) {
  const std::string kType(kLicenseDisabledUser);
  Apply(MakeRun(
      contoso_, "run-1", kT0,
      {Complete("license", {MakeFinding(kType, "sku1", Severity::kLow, R"({"users":["a"]})")})}));
  ReconcileSummary s = Apply(
      MakeRun(contoso_, "run-2", kT0 + kDay,
              {Complete("license",
                        {MakeFinding(kType, "sku1", Severity::kLow, R"({"users":["a","b"]})")})}));
  EXPECT_EQ(s.updated, 1);
  Apply(MakeRun(contoso_, "run-3", kT0 + 2 * kDay,
                {Complete("license",
                          {MakeFinding(kType, "sku1", Severity::kMedium, R"({"users":["b"]})")})}));
  std::vector<HistoryRow> h = History(Alert(kType, "sku1").id);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].reason, "details changed");
  EXPECT_EQ(h[1].details, R"({"users":["a","b"]})");
  EXPECT_EQ(h[2].reason, "severity changed from low to medium; details changed");
  EXPECT_EQ(Alert(kType, "sku1").details, R"({"users":["b"]})");
}

TEST_F(AlertManagerTest, UnchangedFindingsMoveLastSeenWithoutHistory) {
  const std::string kType(kStaleUser);
  Apply(MakeRun(contoso_, "run-1", kT0, {Complete("stale", {MakeFinding(kType, "u1")})}));
  Finding renamed = MakeFinding(kType, "u1");
  renamed.subject_name = "renamed@contoso.example";
  ReconcileSummary s =
      Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {Complete("stale", {renamed})}));
  EXPECT_EQ(s.unchanged, 1);
  EXPECT_TRUE(s.changes.empty());
  AlertRow a = Alert(kType, "u1");
  EXPECT_EQ(a.last_seen, kT0 + kDay);
  EXPECT_EQ(a.first_seen, kT0);
  EXPECT_EQ(a.subject_name, "renamed@contoso.example");
  EXPECT_EQ(History(a.id).size(), 1u);
}

TEST_F(AlertManagerTest, FailedAndIncompleteBatchesChangeNothingButTheLedger) {
  Apply(MakeRun(contoso_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                  MakeFinding(std::string(kMfaUserNotRegistered), "u2")}),
                 Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}));
  const std::string before = DumpTables(db_.get());
  ReconcileSummary s = Apply(MakeRun(
      contoso_, "run-2", kT0 + kDay,
      {NotComplete("mfa", BatchStatus::kFailed, "mfa analyzer: boom"),
       NotComplete("license", BatchStatus::kIncomplete, "subscribedSkus.json is missing")}));
  ASSERT_EQ(s.batches.size(), 2u);
  EXPECT_EQ(s.batches[0].outcome, BatchOutcome::kNotComplete);
  EXPECT_EQ(s.batches[0].status, BatchStatus::kFailed);
  EXPECT_EQ(s.batches[1].status, BatchStatus::kIncomplete);
  EXPECT_TRUE(s.changes.empty());
  // Alerts, history and tags are as they were; only the ledger moved.
  EXPECT_EQ(WithoutLedger(DumpTables(db_.get())), WithoutLedger(before));
  EXPECT_NE(DumpTables(db_.get()), before);
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso").size(), 3u);
  EXPECT_EQ(Tags(contoso_).size(), 3u);

  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  const LedgerEntry& mfa = ledger->at("mfa");
  EXPECT_EQ(mfa.status, "FAILED");
  EXPECT_EQ(mfa.reason, "mfa analyzer: boom");
  EXPECT_EQ(mfa.run_id, "run-2");
  EXPECT_EQ(mfa.as_of, kT0 + kDay);
  EXPECT_EQ(mfa.last_complete_run_id, "run-1");
  EXPECT_EQ(mfa.last_complete_as_of, kT0);
  const LedgerEntry& license = ledger->at("license");
  EXPECT_EQ(license.status, "INCOMPLETE");
  EXPECT_EQ(license.reason, "subscribedSkus.json is missing");
  EXPECT_EQ(license.last_complete_run_id, "run-1");
}

TEST_F(AlertManagerTest, AnAnalysisOfOlderDataAfterOneOfNewerDataIsStale) {
  // Two analyses raced: the one that loaded the newer data (the tenant's
  // sync 10) reconciled first; the one that loaded sync 9's data arrives
  // after it, with a later analysis clock.
  AnalysisRun newer =
      MakeRun(contoso_, "run-new", kT0,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})});
  newer.data_version = 10;
  Apply(newer);
  const std::string before = DumpTables(db_.get());
  const int64_t events_before = OutboxRows();

  AnalysisRun older =
      MakeRun(contoso_, "run-old", kT0 + kDay,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u2")})});
  older.data_version = 9;
  ReconcileSummary s = Apply(older);
  ASSERT_EQ(s.batches.size(), 1u);
  EXPECT_EQ(s.batches[0].outcome, BatchOutcome::kStale);
  EXPECT_EQ(s.batches[0].reason,
            "analysis of data version 9 is older than the data of the last recorded analysis of "
            "mfa (version 10, run run-new)");
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_EQ(OutboxRows(), events_before);

  // The same data analyzed again later applies as usual.
  AnalysisRun same =
      MakeRun(contoso_, "run-same", kT0 + kDay,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u3")})});
  same.data_version = 10;
  EXPECT_EQ(Apply(same).batches[0].outcome, BatchOutcome::kApplied);
  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("mfa").data_version, 10);
  EXPECT_EQ(ledger->at("mfa").run_id, "run-same");
}

TEST_F(AlertManagerTest, TheLedgerRecordsTheRuleVersionOfEachTypesNewestBatch) {
  Batch stale_v2 = Complete("stale", {});
  stale_v2.rule_version = 2;
  Apply(MakeRun(contoso_, "run-1", kT0, {Complete("mfa", {}), stale_v2}));
  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("mfa").rule_version, 1);
  EXPECT_EQ(ledger->at("stale").rule_version, 2);

  Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {Complete("stale", {})}));  // back to version 1
  ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("stale").rule_version, 1);
}

TEST_F(AlertManagerTest, EveryHistoryRowNamesTheRuleVersionOfTheBatchThatMadeIt) {
  Batch mfa = Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")});
  mfa.rule_version = 2;
  Batch stale = Complete("stale", {MakeFinding(std::string(kStaleUser), "u2")});
  Apply(MakeRun(contoso_, "run-1", kT0, {mfa, stale}));
  // Both resolve in one run: one statement resolves alerts of two types.
  Batch mfa_gone = Complete("mfa", {});
  mfa_gone.rule_version = 2;
  Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {mfa_gone, Complete("stale", {})}));
  Result<std::vector<HistoryRow>> history = TenantHistory(db_.get(), contoso_);
  ASSERT_TRUE(history.ok());
  std::vector<std::string> lines;
  for (const HistoryRow& h : *history) {
    lines.push_back(h.analysis_type + " " + h.transition + " v" + std::to_string(h.rule_version));
  }
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"mfa opened v2", "mfa resolved v2", "stale opened v1",
                                             "stale resolved v1"}));
}

TEST_F(AlertManagerTest, FailedFirstBatchLeavesNoLastCompleteRun) {
  Apply(MakeRun(contoso_, "run-1", kT0, {NotComplete("mfa", BatchStatus::kFailed, "")}));
  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("mfa").reason, "no reason given");
  EXPECT_EQ(ledger->at("mfa").last_complete_run_id, std::nullopt);
  EXPECT_EQ(ledger->at("mfa").last_complete_as_of, std::nullopt);
}

TEST_F(AlertManagerTest, ReapplyingARunChangesNothing) {
  AnalysisRun run1 = MakeRun(
      contoso_, "run-1", kT0,
      {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")}),
       Complete("policy", {MakeFinding(std::string(kPolicyLegacyAuthNotBlocked), "contoso")})});
  Apply(run1);
  const std::string after_first = DumpTables(db_.get());
  const int64_t events_after_first = OutboxRows();
  ReconcileSummary again = Apply(run1);
  EXPECT_EQ(DumpTables(db_.get()), after_first);
  EXPECT_EQ(OutboxRows(), events_after_first);  // no event either
  ASSERT_EQ(again.batches.size(), 2u);
  EXPECT_EQ(again.batches[0].outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(again.batches[0].reason, "run run-1 was already recorded for mfa");
  EXPECT_EQ(again.statements, 1u);  // the ledger read

  // A failed later run does not make the earlier one new again.
  Apply(MakeRun(contoso_, "run-2", kT0 + kDay,
                {NotComplete("mfa", BatchStatus::kFailed, "boom"),
                 NotComplete("policy", BatchStatus::kFailed, "boom")}));
  const std::string after_failed = DumpTables(db_.get());
  const int64_t events_after_failed = OutboxRows();
  ReconcileSummary third = Apply(run1);
  EXPECT_EQ(third.batches[0].outcome, BatchOutcome::kDuplicate);
  EXPECT_EQ(DumpTables(db_.get()), after_failed);

  // Re-delivering the failed run is a no-op too.
  Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {NotComplete("mfa", BatchStatus::kFailed, "x")}));
  EXPECT_EQ(DumpTables(db_.get()), after_failed);
  EXPECT_EQ(OutboxRows(), events_after_failed);
}

TEST_F(AlertManagerTest, StaleRunIsSkipped) {
  Apply(MakeRun(contoso_, "run-new", kT0 + kDay,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})}));
  const std::string before = DumpTables(db_.get());
  const int64_t events_before = OutboxRows();
  ReconcileSummary s = Apply(MakeRun(contoso_, "run-old", kT0, {Complete("mfa")}));
  EXPECT_EQ(DumpTables(db_.get()), before);
  EXPECT_EQ(OutboxRows(), events_before);
  ASSERT_EQ(s.batches.size(), 1u);
  EXPECT_EQ(s.batches[0].outcome, BatchOutcome::kStale);
  EXPECT_EQ(s.batches[0].reason,
            "analysis as of 2026-01-01T00:00:00Z is older than the last complete analysis of "
            "mfa (2026-01-02T00:00:00Z, run run-new)");
  EXPECT_EQ(s.ToString(), "mfa: stale: " + s.batches[0].reason);

  // The same as_of from another run is not stale: it is the newest truth.
  ReconcileSummary same = Apply(MakeRun(contoso_, "run-same", kT0 + kDay, {Complete("mfa")}));
  EXPECT_EQ(same.batches[0].outcome, BatchOutcome::kApplied);
  EXPECT_EQ(same.resolved, 1);
}

TEST_F(AlertManagerTest, OutOfOrderRunsKeepTheNewestRecord) {
  const AnalysisRun run0 = MakeRun(contoso_, "run-0", kT0, {Complete("mfa")});
  const AnalysisRun run2 = MakeRun(contoso_, "run-2", kT0 + 2 * kDay,
                                   {NotComplete("mfa", BatchStatus::kFailed, "provider down")});
  // run-1 was analysed before run-2 but arrives after it: it is the newest
  // complete truth, so it applies; the ledger keeps run-2 as the newest record.
  const AnalysisRun run1 =
      MakeRun(contoso_, "run-1", kT0 + kDay,
              {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")})});
  Apply(run0);
  Apply(run2);
  ReconcileSummary late = Apply(run1);
  EXPECT_EQ(late.batches[0].outcome, BatchOutcome::kApplied);
  EXPECT_EQ(late.opened, 1);
  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("mfa").run_id, "run-2");
  EXPECT_EQ(ledger->at("mfa").status, "FAILED");
  EXPECT_EQ(ledger->at("mfa").last_complete_run_id, "run-1");
  EXPECT_EQ(ledger->at("mfa").last_complete_as_of, kT0 + kDay);

  // Re-delivering any of them changes nothing.
  const std::string before = DumpTables(db_.get());
  for (const AnalysisRun* run : {&run0, &run1, &run2}) {
    ReconcileSummary again = Apply(*run);
    EXPECT_NE(again.batches[0].outcome, BatchOutcome::kApplied) << run->run_id;
  }
  // An older failure than the one recorded is stale news.
  ReconcileSummary old_failure = Apply(MakeRun(
      contoso_, "run-1b", kT0 + kDay + 1, {NotComplete("mfa", BatchStatus::kIncomplete, "x")}));
  EXPECT_EQ(old_failure.batches[0].outcome, BatchOutcome::kStale);
  EXPECT_EQ(old_failure.batches[0].reason,
            "analysis as of 2026-01-02T00:00:00.001Z is older than the last recorded analysis of "
            "mfa (2026-01-03T00:00:00Z, run run-2)");
  EXPECT_EQ(DumpTables(db_.get()), before);
}

TEST_F(AlertManagerTest, ReconcilingOneTypeTouchesOnlyItsRows) {
  for (int64_t tenant : {contoso_, fabrikam_}) {
    Apply(MakeRun(tenant, "run-1-" + std::to_string(tenant), kT0,
                  {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                    MakeFinding(std::string(kMfaUserNotRegistered), "u2")}),
                   Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}));
  }
  const std::string others =
      "NOT (tenant_id = " + std::to_string(contoso_) + " AND analysis_type = 'mfa')";
  const std::string before = DumpTables(db_.get(), others);
  ReconcileSummary s = Apply(MakeRun(
      contoso_, "run-2", kT0 + kDay,
      {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u2", Severity::kHigh),
                        MakeFinding(std::string(kMfaUserNotRegistered), "u3")})}));
  EXPECT_EQ(s.opened, 1);
  EXPECT_EQ(s.updated, 1);
  EXPECT_EQ(s.resolved, 1);
  EXPECT_EQ(DumpTables(db_.get(), others), before);
  EXPECT_TRUE(TenantConsistent(db_.get(), fabrikam_));
}

TEST_F(AlertManagerTest, TagsFollowOpenAlerts) {
  Apply(MakeRun(contoso_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                  MakeFinding(std::string(kMfaNotEnforced), "contoso")}),
                 Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}));
  using TagList = std::vector<std::pair<std::string, std::string>>;
  // mfa.not_enforced is tenant-wide: no entity, no tag.
  EXPECT_EQ(Tags(contoso_), (TagList{{"sku1", "license:unused"}, {"u1", "mfa:missing"}}));
  Apply(MakeRun(contoso_, "run-2", kT0 + kDay,
                {Complete("mfa", {MakeFinding(std::string(kMfaNotEnforced), "contoso")})}));
  EXPECT_EQ(Tags(contoso_), (TagList{{"sku1", "license:unused"}}));
  EXPECT_TRUE(Tags(fabrikam_).empty());
}

// The seed's MFA bug: tags were cleared but alerts persisted. With an
// explicit empty COMPLETE batch both go, together.
TEST_F(AlertManagerTest, EmptyCompleteMfaBatchResolvesAlertsAndClearsTagsTogether) {
  std::vector<Finding> findings;
  for (const char* user : {"alice", "bob", "carol"}) {
    findings.push_back(MakeFinding(std::string(kMfaUserNotRegistered), user));
  }
  findings.push_back(MakeFinding(std::string(kMfaAdminNotRegistered), "dave", Severity::kCritical));
  Apply(MakeRun(contoso_, "run-1", kT0, {Complete("mfa", findings)}));
  using TagList = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(Tags(contoso_), (TagList{{"alice", "mfa:missing"},
                                     {"bob", "mfa:missing"},
                                     {"carol", "mfa:missing"},
                                     {"dave", "mfa:missing"}}));
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso").size(), 4u);

  ReconcileSummary s = Apply(MakeRun(contoso_, "run-2", kT0 + kDay, {Complete("mfa", {})}));
  EXPECT_EQ(s.resolved, 4);
  EXPECT_TRUE(OpenAlerts(db_.get(), "contoso").empty());
  EXPECT_TRUE(Tags(contoso_).empty());
  AlertFilter resolved;
  resolved.state = AlertStateFilter::kResolved;
  Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), resolved);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  for (const AlertRow& a : *rows) EXPECT_EQ(a.resolved_at, kT0 + kDay) << a.subject;
}

TEST_F(AlertManagerTest, InvalidFindingsFailTheirBatchOnly) {
  Apply(MakeRun(contoso_, "run-1", kT0,
                {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")}),
                 Complete("license", {MakeFinding(std::string(kLicenseUnused), "sku1")})}));
  const std::string mfa_before = WithoutLedger(DumpTables(db_.get(), "analysis_type = 'mfa'"));
  ReconcileSummary s =
      Apply(MakeRun(contoso_, "run-2", kT0 + kDay,
                    {Complete("mfa", {MakeFinding(std::string(kLicenseUnused), "sku9")}),
                     Complete("license", {})}));
  ASSERT_EQ(s.batches.size(), 2u);
  EXPECT_EQ(s.batches[0].outcome, BatchOutcome::kNotComplete);
  EXPECT_EQ(s.batches[0].status, BatchStatus::kFailed);
  EXPECT_EQ(s.batches[0].reason,
            "invalid batch: finding 0 (\"license.unused\"): alert type \"license.unused\" "
            "belongs to analysis type \"license\", not \"mfa\"");
  EXPECT_EQ(s.batches[1].outcome, BatchOutcome::kApplied);
  EXPECT_EQ(s.resolved, 1);  // license's sku1 only
  EXPECT_EQ(WithoutLedger(DumpTables(db_.get(), "analysis_type = 'mfa'")), mfa_before);
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso"),
            std::vector<std::string>{"mfa.user_not_registered u1 medium"});

  ReconcileSummary unknown = Apply(MakeRun(contoso_, "run-3", kT0 + 2 * kDay,
                                           {Complete("mfa", {MakeFinding("mfa.bogus", "u1")})}));
  EXPECT_EQ(unknown.batches[0].reason,
            "invalid batch: finding 0 (\"mfa.bogus\"): unknown alert type \"mfa.bogus\"");

  ReconcileSummary dup = Apply(MakeRun(
      contoso_, "run-4", kT0 + 3 * kDay,
      {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                        MakeFinding(std::string(kMfaUserNotRegistered), "u2"),
                        MakeFinding(std::string(kMfaUserNotRegistered), "u1", Severity::kHigh)})}));
  EXPECT_EQ(dup.batches[0].status, BatchStatus::kFailed);
  EXPECT_EQ(dup.batches[0].reason,
            "invalid batch: finding 2 (\"mfa.user_not_registered\"): subject \"u1\" repeats "
            "finding 0");
  EXPECT_EQ(OpenAlerts(db_.get(), "contoso"),
            std::vector<std::string>{"mfa.user_not_registered u1 medium"});
  Result<std::map<std::string, LedgerEntry>> ledger = LoadLedger(db_.get(), contoso_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->at("mfa").status, "FAILED");
  EXPECT_EQ(ledger->at("mfa").reason, dup.batches[0].reason);
  EXPECT_EQ(ledger->at("mfa").last_complete_run_id, "run-1");
}

TEST_F(AlertManagerTest, RejectsMalformedRuns) {
  Result<ReconcileSummary> no_id = manager_->Reconcile(MakeRun(contoso_, "", kT0, {}));
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.status().ToString(), "invalid argument: analysis run without a run id");
  Result<ReconcileSummary> twice =
      manager_->Reconcile(MakeRun(contoso_, "run-1", kT0, {Complete("mfa"), Complete("mfa")}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "run run-1 has two batches of analysis type \"mfa\"");
  EXPECT_EQ(DumpTables(db_.get()), "");
}

TEST_F(AlertManagerTest, StatementCountIsIndependentOfUnchangedAlerts) {
  std::vector<Finding> users;
  for (int i = 0; i < 200; ++i) {
    users.push_back(MakeFinding(std::string(kMfaUserNotRegistered), "u" + std::to_string(i)));
  }
  auto run = [&](const std::string& id, TimeMs as_of, std::vector<Finding> mfa) {
    return MakeRun(contoso_, id, as_of,
                   {Complete("mfa", std::move(mfa)), Complete("license"), Complete("stale"),
                    Complete("privilege"), Complete("policy")});
  };
  ReconcileSummary first = Apply(run("run-1", kT0, users));
  // ledger read + alerts read + one multi-row INSERT of the 200 alerts + one
  // of their history rows + last_seen + 2 tags + ledger upsert + the day's
  // open count + 201 events (200 alert.opened, analysis.completed) in one
  // multi-row INSERT
  EXPECT_EQ(first.statements, 1u + 1u + 1u + 1u + 1u + 2u + 1u + 1u + 1u);
  EXPECT_EQ(NewEvents().size(), 201u);
  ReconcileSummary steady = Apply(run("run-2", kT0 + kDay, users));
  EXPECT_EQ(steady.unchanged, 200);
  EXPECT_EQ(steady.statements, 6u);
  EXPECT_EQ(NewEvents().size(), 1u);  // analysis.completed
  users.pop_back();
  ReconcileSummary one_gone = Apply(run("run-3", kT0 + 2 * kDay, users));
  EXPECT_EQ(one_gone.resolved, 1);
  // + the resolve, its history row, the preferences and the count of its
  // state changes (flap damping: it existed before the run), 2 tags
  EXPECT_EQ(one_gone.statements, 6u + 1u + 1u + 2u + 2u);
  EXPECT_EQ(NewEvents().size(), 2u);
  // More changes than one statement holds: a statement per
  // kAlertRowsPerStatement alerts of each kind, per kOutboxRowsPerStatement
  // events, nothing per alert.
  std::vector<Finding> many;
  for (int i = 0; i < 600; ++i) {
    many.push_back(MakeFinding(std::string(kMfaUserNotRegistered), "v" + std::to_string(i)));
  }
  ReconcileSummary burst = Apply(run("run-4", kT0 + 3 * kDay, many));
  EXPECT_EQ(burst.opened, 600);
  EXPECT_EQ(burst.resolved, 199);
  auto chunks = [](uint64_t n, uint64_t per) { return (n + per - 1) / per; };
  const uint64_t event_statements = chunks(600 + 199 + 1, kOutboxRowsPerStatement);
  const uint64_t alert_statements = 2 * chunks(600, kAlertRowsPerStatement) +  // rows, history
                                    2 * chunks(199, kAlertRowsPerStatement);   // rows, history
  EXPECT_EQ(alert_statements, 6u);
  // + the preferences and one count of the 199 resolved alerts' state
  // changes, and the day's open count
  EXPECT_EQ(burst.statements,
            1u + 1u + alert_statements + 2u + 1u + 2u + 1u + 1u + event_statements);
}

// A large tenant's first analysis: 80,000 alerts open with statements that
// grow with alerts / rows per statement (issue 17: at most 2,000).
TEST_F(AlertManagerTest, EightyThousandNewAlertsTakeAFewHundredStatements) {
  std::vector<Finding> mfa, stale;
  for (int i = 0; i < 24000; ++i) {
    mfa.push_back(MakeFinding(std::string(kMfaUserNotRegistered), "m" + std::to_string(i)));
  }
  for (int i = 0; i < 56000; ++i) {
    stale.push_back(MakeFinding(std::string(kStaleUser), "s" + std::to_string(i), Severity::kLow));
  }
  Result<ReconcileSummary> first = manager_->Reconcile(
      MakeRun(contoso_, "run-1", kT0,
              {Complete("mfa", std::move(mfa)), Complete("license"),
               Complete("stale", std::move(stale)), Complete("privilege"), Complete("policy")}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->opened, 80000);
  // ledger read + alerts read + 160 INSERTs of alerts + 160 of history +
  // last_seen + 2 tags + ledger upsert + the day's open count +
  // ceil(80,001 / 256) event INSERTs
  EXPECT_EQ(first->statements, 1u + 1u + 160u + 160u + 1u + 2u + 1u + 1u + 313u);
  EXPECT_LE(first->statements, 2000u);
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM alerts WHERE state = 'open'"), 80000);
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM alert_history"), 80000);
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM entity_tags"), 80000);
  EXPECT_EQ(OutboxRows(), 80001);
  // Every change names the id its alert got.
  std::set<int64_t> ids;
  for (const AlertChange& c : first->changes) ids.insert(c.alert_id);
  EXPECT_EQ(ids.size(), 80000u);
  EXPECT_EQ(ids.count(0), 0u);
}

TEST_F(AlertManagerTest, SummaryReadsAsText) {
  ReconcileSummary s = Apply(MakeRun(
      contoso_, "run-1", kT0,
      {Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1")}),
       NotComplete("license", BatchStatus::kIncomplete, "subscribedSkus.json is missing")}));
  EXPECT_EQ(s.ToString(),
            "mfa: applied (opened 1, updated 0, resolved 0, reopened 0, unchanged 0); "
            "license: not-complete INCOMPLETE: subscribedSkus.json is missing");
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].transition, "opened");
  EXPECT_EQ(s.changes[0].alert_type, "mfa.user_not_registered");
  EXPECT_EQ(s.changes[0].subject, "u1");
  EXPECT_EQ(s.changes[0].severity, "medium");
}

}  // namespace
}  // namespace vigil
