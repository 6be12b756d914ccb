#include "alerts/alert_page.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

// contoso: mfa users u0..u9 (u3 and u6 high, u8 and u9 resolved by a second
// run) and license sku1 (low); fabrikam: mfa users u0..u4.
class AlertPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kT0 + kDay);
    AlertManager manager(db_.get(), clock_.get());
    const std::string mfa(kMfaUserNotRegistered);
    std::vector<Finding> users;
    for (int i = 0; i < 10; ++i) {
      users.push_back(MakeFinding(mfa, "u" + std::to_string(i),
                                  i == 3 || i == 6 ? Severity::kHigh : Severity::kMedium));
    }
    const Finding sku = MakeFinding(std::string(kLicenseUnused), "sku1", Severity::kLow);
    Apply(&manager,
          MakeRun(contoso_, "c1", kT0, {Complete("mfa", users), Complete("license", {sku})}));
    Apply(&manager,
          MakeRun(fabrikam_, "f1", kT0,
                  {Complete("mfa", std::vector<Finding>(users.begin(), users.begin() + 5))}));
    users.resize(8);
    Apply(&manager, MakeRun(contoso_, "c2", kT0 + 1, {Complete("mfa", users)}));
  }

  void Apply(AlertManager* manager, const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager->Reconcile(run);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  // The ids of every alert for which `keep` holds, in id order.
  template <typename Keep>
  std::vector<int64_t> IdsWhere(Keep keep) {
    AlertFilter all;
    all.state = AlertStateFilter::kAll;
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), all);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<int64_t> ids;
    if (!rows.ok()) return ids;
    for (const AlertRow& a : *rows) {
      if (keep(a)) ids.push_back(a.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // Every page of `query` in turn; the ids in page order, and the number of pages.
  std::vector<int64_t> AllPages(AlertPageQuery query, int* pages) {
    std::vector<int64_t> ids;
    *pages = 0;
    while (true) {
      Result<AlertPage> page = ListAlertsPage(db_.get(), query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++*pages > 100) break;
      for (const AlertRow& a : page->alerts) ids.push_back(a.id);
      if (!page->next_after_id) break;
      EXPECT_EQ(*page->next_after_id, page->alerts.back().id);
      query.after_id = *page->next_after_id;
    }
    return ids;
  }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

TEST_F(AlertPageTest, PagesFollowEachOtherByIdUntilTheLastHasNoNext) {
  AlertPageQuery query;
  query.tenant_id = contoso_;
  query.limit = 4;
  const std::vector<int64_t> open =
      IdsWhere([&](const AlertRow& a) { return a.tenant_id == contoso_ && a.state == "open"; });
  ASSERT_EQ(open.size(), 9u);  // 8 users and the SKU

  Result<AlertPage> first = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->alerts.size(), 4u);
  EXPECT_EQ(first->alerts.front().id, open[0]);
  EXPECT_EQ(first->alerts.front().tenant, "contoso");
  ASSERT_TRUE(first->next_after_id.has_value());
  EXPECT_EQ(*first->next_after_id, open[3]);

  int pages = 0;
  EXPECT_EQ(AllPages(query, &pages), open);
  EXPECT_EQ(pages, 3);  // 4 + 4 + 1

  // A page that ends exactly at the last alert says so: no empty page follows.
  query.limit = 9;
  Result<AlertPage> whole = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->alerts.size(), 9u);
  EXPECT_FALSE(whole->next_after_id.has_value());
}

TEST_F(AlertPageTest, FiltersByTenantStateTypeAndSeverity) {
  int pages = 0;
  AlertPageQuery every;
  every.state = AlertStateFilter::kAll;
  every.limit = 3;
  EXPECT_EQ(AllPages(every, &pages), IdsWhere([](const AlertRow&) { return true; }));
  EXPECT_EQ(pages, 6);  // 16 alerts

  // Both states of one tenant come merged in id order, page by page.
  AlertPageQuery contoso_all;
  contoso_all.tenant_id = contoso_;
  contoso_all.state = AlertStateFilter::kAll;
  contoso_all.limit = 4;
  EXPECT_EQ(AllPages(contoso_all, &pages),
            IdsWhere([&](const AlertRow& a) { return a.tenant_id == contoso_; }));
  EXPECT_EQ(pages, 3);  // 11 alerts
  contoso_all.severity = "medium";
  contoso_all.type = std::string(kMfaUserNotRegistered);
  EXPECT_EQ(AllPages(contoso_all, &pages), IdsWhere([&](const AlertRow& a) {
              return a.tenant_id == contoso_ && a.severity == "medium" &&
                     a.type == *contoso_all.type;
            }));
  EXPECT_EQ(pages, 2);  // u0-u2, u4, u5, u7 open; u8, u9 resolved

  AlertPageQuery resolved;
  resolved.state = AlertStateFilter::kResolved;
  const std::vector<int64_t> gone = AllPages(resolved, &pages);
  EXPECT_EQ(gone, IdsWhere([](const AlertRow& a) { return a.state == "resolved"; }));
  EXPECT_EQ(gone.size(), 2u);  // u8, u9 of contoso

  AlertPageQuery high;
  high.severity = "high";
  high.tenant_id = fabrikam_;
  EXPECT_EQ(AllPages(high, &pages), IdsWhere([&](const AlertRow& a) {
              return a.tenant_id == fabrikam_ && a.severity == "high";
            }));
  high.tenant_id.reset();
  EXPECT_EQ(AllPages(high, &pages).size(), 3u);  // u3 and u6 of contoso, u3 of fabrikam

  AlertPageQuery sku;
  sku.type = std::string(kLicenseUnused);
  const std::vector<int64_t> skus = AllPages(sku, &pages);
  ASSERT_EQ(skus.size(), 1u);
  Result<std::optional<AlertRow>> row = GetAlert(db_.get(), skus[0]);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->subject, "sku1");
}

TEST_F(AlertPageTest, OnePageIsOneStatementWhateverItsPosition) {
  AlertPageQuery query;
  query.state = AlertStateFilter::kAll;
  query.limit = 2;
  for (std::optional<int64_t> tenant :
       {std::optional<int64_t>(), std::optional<int64_t>(contoso_)}) {
    query.tenant_id = tenant;
    for (int64_t after : {int64_t{0}, int64_t{8}, int64_t{1000}}) {
      query.after_id = after;
      const uint64_t before = db_->statements_executed();
      Result<AlertPage> page = ListAlertsPage(db_.get(), query);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_EQ(db_->statements_executed() - before, 1u) << "after " << after;
    }
  }
}

TEST_F(AlertPageTest, RefusesALimitBelowOneAndANegativeAfterId) {
  AlertPageQuery query;
  query.limit = 0;
  Result<AlertPage> page = ListAlertsPage(db_.get(), query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(page.status().message(), "alert page: limit 0 is below 1");
  query.limit = 1;
  query.after_id = -1;
  page = ListAlertsPage(db_.get(), query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(), "alert page: after_id -1 is negative");
}

}  // namespace
}  // namespace vigil
