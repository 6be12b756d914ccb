#include "alerts/open_alert_days.h"

#include <gtest/gtest.h>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "common/time.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

class OpenAlertDaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kT0);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
  }

  // A run of `tenant` at `as_of` whose mfa batch finds users u0..u{n-1}.
  ReconcileSummary Run(int64_t tenant, const std::string& run_id, TimeMs as_of, int n) {
    std::vector<Finding> users;
    for (int i = 0; i < n; ++i) {
      users.push_back(MakeFinding(std::string(kMfaUserNotRegistered), "u" + std::to_string(i)));
    }
    Result<ReconcileSummary> r =
        manager_->Reconcile(MakeRun(tenant, run_id, as_of, {Complete("mfa", users)}));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ReconcileSummary();
  }

  // The table's rows of `tenant`: "day=open", by day.
  std::vector<std::string> Rows(int64_t tenant) {
    Result<std::unique_ptr<Statement>> s =
        db_->Prepare("SELECT day, open FROM open_alert_days WHERE tenant_id = ? ORDER BY day");
    EXPECT_TRUE(s.ok());
    std::vector<std::string> rows;
    if (!s.ok()) return rows;
    (*s)->BindInt(1, tenant);
    while (*(*s)->Step()) rows.push_back((*s)->String(0) + "=" + (*s)->String(1));
    return rows;
  }

  void Put(int64_t tenant, const std::string& day, int64_t open) {
    ASSERT_TRUE(db_->Execute("INSERT INTO open_alert_days (tenant_id, day, open) VALUES (?, ?, ?)",
                             {tenant, day, open})
                    .ok());
  }

  static std::vector<int64_t> Counts(const std::vector<OpenAlertDay>& trend) {
    std::vector<int64_t> out;
    for (const OpenAlertDay& d : trend) out.push_back(d.open);
    return out;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

TEST_F(OpenAlertDaysTest, UtcDayIsTheDateOfTheTimeInUtc) {
  EXPECT_EQ(UtcDay(kT0), "2026-01-01");
  EXPECT_EQ(UtcDay(kT0 + kDay - 1), "2026-01-01");
  EXPECT_EQ(UtcDay(kT0 - 1), "2025-12-31");
}

// The reconcile records the tenant's open alerts after each run that
// records a batch, as the count of its analysis clock's UTC day; the day's
// last run wins, and a run recorded already changes nothing.
TEST_F(OpenAlertDaysTest, EachRecordedRunSetsItsDaysCount) {
  Run(contoso_, "r1", kT0 + 3600 * 1000, 5);
  EXPECT_EQ(Rows(contoso_), std::vector<std::string>{"2026-01-01=5"});
  Run(contoso_, "r2", kT0 + 7200 * 1000, 3);  // resolves 2 the same day
  EXPECT_EQ(Rows(contoso_), std::vector<std::string>{"2026-01-01=3"});
  Run(contoso_, "r3", kT0 + 2 * kDay, 4);
  EXPECT_EQ(Rows(contoso_), (std::vector<std::string>{"2026-01-01=3", "2026-01-03=4"}));
  EXPECT_TRUE(Rows(fabrikam_).empty());
  // A duplicate of r3 records nothing, its day's count included.
  ASSERT_TRUE(db_->Execute("DELETE FROM open_alert_days").ok());
  Result<ReconcileSummary> again =
      manager_->Reconcile(MakeRun(contoso_, "r3", kT0 + 2 * kDay, {Complete("mfa")}));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(Rows(contoso_).empty());
  // A failed batch is recorded: the day gets the count, which it leaves as it was.
  ASSERT_TRUE(manager_
                  ->Reconcile(MakeRun(contoso_, "r4", kT0 + 3 * kDay,
                                      {NotComplete("mfa", BatchStatus::kFailed, "down")}))
                  .ok());
  EXPECT_EQ(Rows(contoso_), std::vector<std::string>{"2026-01-04=4"});
}

TEST_F(OpenAlertDaysTest, TheTrendFillsDaysWithoutARowWithTheLastEarlierCount) {
  const TimeMs today = kT0 + 40 * kDay + 5000;  // 2026-02-10
  Put(contoso_, "2026-01-05", 7);               // before the window
  Put(contoso_, "2026-01-13", 9);               // the window's second day
  Put(contoso_, "2026-02-01", 2);
  Put(fabrikam_, "2026-02-10", 4);  // today only
  Result<std::map<int64_t, std::vector<OpenAlertDay>>> trends =
      LoadOpenAlertTrend(db_.get(), 0, today, 30);
  ASSERT_TRUE(trends.ok()) << trends.status().ToString();
  ASSERT_EQ(trends->size(), 2u);
  const std::vector<OpenAlertDay>& c = trends->at(contoso_);
  ASSERT_EQ(c.size(), 30u);
  EXPECT_EQ(c.front().day, "2026-01-12");
  EXPECT_EQ(c.back().day, "2026-02-10");
  std::vector<int64_t> expected(30, 9);
  expected[0] = 7;
  for (int i = 20; i < 30; ++i) expected[i] = 2;  // from 2026-02-01
  EXPECT_EQ(Counts(c), expected);
  std::vector<int64_t> fabrikam(30, 0);
  fabrikam[29] = 4;
  EXPECT_EQ(Counts(trends->at(fabrikam_)), fabrikam);

  Result<std::map<int64_t, std::vector<OpenAlertDay>>> one =
      LoadOpenAlertTrend(db_.get(), fabrikam_, today, 30);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(Counts(one->at(fabrikam_)), fabrikam);
  // A tenant without rows is absent; its trend is EmptyTrend's.
  const int64_t empty = AddTenant(db_.get(), "empty");
  EXPECT_TRUE(LoadOpenAlertTrend(db_.get(), empty, today, 30)->empty());
  const std::vector<OpenAlertDay> zeros = EmptyTrend(today, 30);
  EXPECT_EQ(Counts(zeros), std::vector<int64_t>(30, 0));
  EXPECT_EQ(zeros.front().day, "2026-01-12");
}

TEST_F(OpenAlertDaysTest, TheTrendOfEveryTenantIsOneStatement) {
  for (int t = 0; t < 20; ++t) {
    const int64_t id = AddTenant(db_.get(), "t" + std::to_string(t));
    Put(id, "2026-01-01", t);
  }
  const uint64_t before = db_->statements_executed();
  Result<std::map<int64_t, std::vector<OpenAlertDay>>> trends =
      LoadOpenAlertTrend(db_.get(), 0, kT0 + 10 * kDay, 30);
  ASSERT_TRUE(trends.ok());
  EXPECT_EQ(db_->statements_executed() - before, 1u);
  EXPECT_EQ(trends->size(), 20u);
}

}  // namespace
}  // namespace vigil
