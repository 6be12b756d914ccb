#include "pipeline/rule_rollout.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "alerts/alert_store.h"
#include "common/ids.h"
#include "pipeline/pipeline.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/tenants.h"
#include "testing/directory_provider.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

constexpr TimeMs kStart = 1'795'000'000'000;  // 2026-11-18

class RuleRolloutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenTestDatabase();
    ASSERT_NE(db_, nullptr);
  }

  void AddTenants(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(EnsureTenant(db_.get(), "tenant-" + std::to_string(i), kStart).ok());
    }
  }

  // The tenants holding `version` as candidate of "stale".
  std::set<std::string> WithCandidate(int version) {
    Result<RolloutStatus> status = LoadRolloutStatus(db_.get());
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    std::set<std::string> out;
    for (const RolloutSettingRow& r : status->settings) {
      if (r.analysis_type == "stale" && r.candidate == version) out.insert(r.tenant);
    }
    return out;
  }

  RolloutTarget Percent(int p) {
    RolloutTarget t;
    t.percent = p;
    return t;
  }

  std::unique_ptr<Db> db_;
  testing::FakeClock clock_{kStart};
};

TEST_F(RuleRolloutTest, BucketsAreStableAndInRange) {
  std::set<int> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "tenant-" + std::to_string(i);
    const int bucket = RolloutBucket(name);
    EXPECT_EQ(bucket, RolloutBucket(name));
    EXPECT_GE(bucket, 0);
    EXPECT_LT(bucket, 100);
    seen.insert(bucket);
  }
  EXPECT_EQ(seen.size(), 100u);  // 1,000 names reach every bucket
}

RC_GTEST_FIXTURE_PROP(RuleRolloutTest, PercentagesAreDeterministicAndNested, ()) {
  AddTenants(60);
  const int small = *rc::gen::inRange(1, 100);
  const int large = *rc::gen::inRange(small, 101);
  RC_ASSERT(SetCandidate(db_.get(), clock_, "stale", 2, Percent(small), "test").ok());
  const std::set<std::string> first = WithCandidate(2);
  RC_ASSERT(SetCandidate(db_.get(), clock_, "stale", 2, Percent(large), "test").ok());
  const std::set<std::string> wider = WithCandidate(2);
  RC_ASSERT(std::includes(wider.begin(), wider.end(), first.begin(), first.end()));
  Result<RolloutChange> again = SetCandidate(db_.get(), clock_, "stale", 2, Percent(small), "test");
  RC_ASSERT(again.ok());
  RC_ASSERT(WithCandidate(2) == first);  // the same tenants again; the others cleared
  std::set<std::string> dropped;
  std::set_difference(wider.begin(), wider.end(), first.begin(), first.end(),
                      std::inserter(dropped, dropped.end()));
  RC_ASSERT(std::set<std::string>(again->cleared.begin(), again->cleared.end()) == dropped);
  RC_ASSERT(again->changed.empty());
  for (const std::string& t : first) RC_ASSERT(RolloutBucket(t) < small);
  if (large == 100) RC_ASSERT(wider.size() == 60u);
}

TEST_F(RuleRolloutTest, BadRequestsAreRefusedByNameAndChangeNothing) {
  AddTenants(2);
  RolloutTarget two;
  two.tenants = {"tenant-0", "nope", "tenant-1", "gone"};
  Result<RolloutChange> unknown = Promote(db_.get(), clock_, "stale", 2, two, "test");
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no tenant named \"nope\", \"gone\"");
  EXPECT_EQ(Promote(db_.get(), clock_, "stal", 2, Percent(10), "t").status().message(),
            "unknown analysis type \"stal\" (known: mfa, license, stale, privilege, policy)");
  EXPECT_EQ(SetCandidate(db_.get(), clock_, "stale", 3, Percent(10), "t").status().message(),
            "stale has no version 3 (versions 1-2)");
  EXPECT_EQ(Promote(db_.get(), clock_, "stale", 2, Percent(0), "t").status().message(),
            "percentage 0 is not from 1 to 100");
  RolloutTarget both = Percent(10);
  both.all = true;
  EXPECT_EQ(Promote(db_.get(), clock_, "stale", 2, both, "t").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Promote(db_.get(), clock_, "stale", 2, RolloutTarget{}, "t").status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(LoadRolloutStatus(db_.get())->settings.empty());
}

TEST_F(RuleRolloutTest, PromoteKeepsThePreviousVersionForRollback) {
  AddTenants(3);
  RolloutTarget all;
  all.all = true;
  ASSERT_TRUE(SetCandidate(db_.get(), clock_, "stale", 2, all, "ann").ok());
  RolloutTarget one;
  one.tenants = {"tenant-1"};
  Result<RolloutChange> promoted = Promote(db_.get(), clock_, "stale", 2, one, "bob");
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->changed, (std::vector<std::string>{"tenant-1"}));
  EXPECT_EQ(Promote(db_.get(), clock_, "stale", 2, one, "bob")->unchanged,
            (std::vector<std::string>{"tenant-1"}));

  Result<RolloutStatus> status = LoadRolloutStatus(db_.get());
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->settings.size(), 3u);
  const RolloutSettingRow& t1 = status->settings[1];
  EXPECT_EQ(t1.tenant, "tenant-1");
  EXPECT_EQ(t1.active, 2);
  EXPECT_EQ(t1.previous, 1);
  EXPECT_EQ(t1.candidate, 0);  // the candidate became active
  EXPECT_EQ(t1.updated_by, "bob");
  EXPECT_EQ(status->types[2].analysis_type, "stale");
  EXPECT_EQ(status->types[2].active, (std::vector<std::pair<int, int>>{{1, 2}, {2, 1}}));
  EXPECT_EQ(status->types[2].candidates, 2);

  Result<RolloutChange> back = Rollback(db_.get(), clock_, "stale", {}, "bob");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->changed, (std::vector<std::string>{"tenant-1"}));
  EXPECT_TRUE(Rollback(db_.get(), clock_, "stale", {}, "bob")->changed.empty());
  EXPECT_EQ(LoadRolloutStatus(db_.get())->types[2].active,
            (std::vector<std::pair<int, int>>{{1, 3}}));
}

// Through the pipeline: synthetic tenants, their alerts under version 1,
// promotion of stale v2 and mfa v2, then rollback. The data never changes.
class RolloutPipelineTest : public RuleRolloutTest {
 protected:
  void SetUp() override {
    RuleRolloutTest::SetUp();
    dir_ = testing::NewTempDir();
    for (const std::string name : {"alpha", "bravo"}) {
      SyntheticOptions options;
      options.tenant_name = name;
      options.users = 300;
      options.now = kStart;
      const std::string dir = dir_ + "/" + name;
      ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir).ok());
      DirectorySync s = SyncFromDirectory(db_.get(), clock_, clock_, name, "graph", dir, {},
                                          "test", testing::OpenDirectory);
      ASSERT_TRUE(s.outcome.analysis.has_value()) << s.outcome.analysis_status.message();
      tenants_.push_back(s.tenant_id);
    }
  }

  AnalysisOutcome Analyze(int64_t tenant_id) {
    clock_.Advance(60'000);
    Trace trace(NewTraceId(), &clock_, [this] { return db_->statements_executed(); });
    Result<AnalysisOutcome> outcome = RunAnalysis(db_.get(), clock_, clock_, tenant_id, &trace);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : AnalysisOutcome{};
  }

  // "type subject" of the open alerts of every tenant.
  std::set<std::string> OpenAlerts() {
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), AlertFilter{});
    EXPECT_TRUE(rows.ok());
    std::set<std::string> out;
    for (const AlertRow& a : *rows) {
      out.insert(std::to_string(a.tenant_id) + " " + a.type + " " + a.subject);
    }
    return out;
  }

  std::string dir_;
  std::vector<int64_t> tenants_;
};

TEST_F(RolloutPipelineTest, PromoteThenRollbackReturnsTheOpenAlertsAndNamesTheRuleChange) {
  const std::set<std::string> before = OpenAlerts();
  RolloutTarget all;
  all.all = true;
  ASSERT_TRUE(SetCandidate(db_.get(), clock_, "stale", 2, all, "test").ok());
  AnalysisOutcome shadowed = Analyze(tenants_[0]);
  ASSERT_EQ(shadowed.shadow.size(), 1u);
  EXPECT_TRUE(shadowed.shadow_status.ok());
  const int would_resolve = shadowed.shadow[0].diff.would_resolve;
  EXPECT_GT(would_resolve, 0);  // the generator gives stale users background sign-ins
  EXPECT_EQ(OpenAlerts(), before);  // a shadow run changes no alert

  ASSERT_TRUE(Promote(db_.get(), clock_, "stale", 2, all, "test").ok());
  ASSERT_TRUE(Promote(db_.get(), clock_, "mfa", 2, all, "test").ok());
  for (int64_t t : tenants_) Analyze(t);
  const std::set<std::string> promoted = OpenAlerts();
  EXPECT_NE(promoted, before);
  Result<std::vector<HistoryRow>> history = TenantHistory(db_.get(), tenants_[0]);
  ASSERT_TRUE(history.ok());
  int stale_rule_changes = 0;
  for (const HistoryRow& h : *history) {
    if (h.analysis_type == "stale" && h.reason.rfind("rule_changed (v1 -> v2): ", 0) == 0) {
      EXPECT_EQ(h.rule_version, 2);
      ++stale_rule_changes;
    }
  }
  EXPECT_EQ(stale_rule_changes, would_resolve);  // the diff said what would happen

  ASSERT_TRUE(Rollback(db_.get(), clock_, "stale", {}, "test").ok());
  ASSERT_TRUE(Rollback(db_.get(), clock_, "mfa", {}, "test").ok());
  for (int64_t t : tenants_) Analyze(t);
  EXPECT_EQ(OpenAlerts(), before);
  history = TenantHistory(db_.get(), tenants_[0]);
  int reopened = 0;
  for (const HistoryRow& h : *history) {
    if (h.reason.rfind("rule_changed (v2 -> v1): ", 0) == 0) ++reopened;
  }
  EXPECT_GE(reopened, would_resolve);
}

}  // namespace
}  // namespace vigil
