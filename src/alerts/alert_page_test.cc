#include "alerts/alert_page.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <set>

#include "alerts/alert_actions.h"
#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "testing/recording_db.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

// contoso: mfa users u0..u9 (u3 and u6 high, u8 and u9 resolved by a second
// run), license sku1 (low) and the users "Carla.Jones" and "x%y_z" (mfa,
// medium); fabrikam: mfa users u0..u4. Operators acted on some: u1 and u4
// of contoso flapping, u2 of contoso and u0 of fabrikam snoozed (u5 of
// contoso snoozed until a time already past), u2 and u7 of contoso
// acknowledged.
class AlertPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kNow);
    AlertManager manager(db_.get(), clock_.get());
    const std::string mfa(kMfaUserNotRegistered);
    std::vector<Finding> users;
    for (int i = 0; i < 10; ++i) {
      users.push_back(MakeFinding(mfa, "u" + std::to_string(i),
                                  i == 3 || i == 6 ? Severity::kHigh : Severity::kMedium));
    }
    const Finding sku = MakeFinding(std::string(kLicenseUnused), "sku1", Severity::kLow);
    Apply(&manager,
          MakeRun(fabrikam_, "f1", kT0,
                  {Complete("mfa", std::vector<Finding>(users.begin(), users.begin() + 5))}));
    Apply(&manager,
          MakeRun(contoso_, "c1", kT0, {Complete("mfa", users), Complete("license", {sku})}));
    users.resize(8);
    users.push_back(MakeFinding(mfa, "Carla.Jones"));
    users.push_back(MakeFinding(mfa, "x%y_z"));
    Apply(&manager, MakeRun(contoso_, "c2", kT0 + 1, {Complete("mfa", users)}));

    for (const char* subject : {"u1", "u4"}) {
      ASSERT_TRUE(
          db_->Execute("UPDATE alerts SET flapping = 1 WHERE id = ?", {AlertId(contoso_, subject)})
              .ok());
    }
    ASSERT_TRUE(SnoozeAlert(db_.get(), AlertId(contoso_, "u2"), kNow + kDay, kNow).ok());
    ASSERT_TRUE(SnoozeAlert(db_.get(), AlertId(fabrikam_, "u0"), kNow + kDay, kNow).ok());
    ASSERT_TRUE(SnoozeAlert(db_.get(), AlertId(contoso_, "u5"), kNow - kDay + 1, kNow - kDay).ok());
    ASSERT_TRUE(AcknowledgeAlert(db_.get(), AlertId(contoso_, "u2"), "ops", kNow).ok());
    ASSERT_TRUE(AcknowledgeAlert(db_.get(), AlertId(contoso_, "u7"), "ops", kNow).ok());
  }

  void Apply(AlertManager* manager, const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager->Reconcile(run);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  int64_t AlertId(int64_t tenant_id, const std::string& subject) {
    Result<std::optional<int64_t>> id = db_->QueryInt(
        "SELECT id FROM alerts WHERE tenant_id = ? AND subject = ?", {tenant_id, subject});
    EXPECT_TRUE(id.ok() && id->has_value()) << subject;
    return id.ok() && id->has_value() ? **id : 0;
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

  // Every page of `query` in turn; the ids in page order, and the number of
  // pages. Each page follows the previous one's next_after_id, is in id
  // order and after it, and its next_after_id is at or after its last alert.
  std::vector<int64_t> AllPages(AlertPageQuery query, int* pages) {
    std::vector<int64_t> ids;
    *pages = 0;
    while (true) {
      Result<AlertPage> page = ListAlertsPage(db_.get(), query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++*pages > 200) break;
      for (const AlertRow& a : page->alerts) {
        EXPECT_GT(a.id, query.after_id);
        EXPECT_TRUE(ids.empty() || a.id > ids.back());
        ids.push_back(a.id);
      }
      if (!page->next_after_id) break;
      EXPECT_GT(*page->next_after_id, query.after_id);
      if (!page->alerts.empty()) {
        EXPECT_GE(*page->next_after_id, page->alerts.back().id);
      }
      query.after_id = *page->next_after_id;
    }
    return ids;
  }

  // Whether `a` matches `q` (the filters alone, read the simple way).
  static bool Matches(const AlertPageQuery& q, const AlertRow& a) {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    auto in = [](const std::vector<std::string>& set, const std::string& v) {
      return set.empty() || std::find(set.begin(), set.end(), v) != set.end();
    };
    const bool snoozed = a.snoozed_until && *a.snoozed_until > q.now;
    const std::string text = lower(q.text);
    return (!q.tenant_id || a.tenant_id == *q.tenant_id) &&
           (q.state == AlertStateFilter::kAll ||
            a.state == (q.state == AlertStateFilter::kOpen ? "open" : "resolved")) &&
           in(q.types, a.type) && in(q.severities, a.severity) &&
           (!q.flapping || a.flapping == *q.flapping) && (!q.snoozed || snoozed == *q.snoozed) &&
           (!q.acknowledged || a.acknowledged_at.has_value() == *q.acknowledged) &&
           (text.empty() || lower(a.subject_name).find(text) != std::string::npos ||
            lower(a.subject).find(text) != std::string::npos);
  }

  static constexpr TimeMs kNow = kT0 + kDay;
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
  ASSERT_EQ(open.size(), 11u);  // 8 users, Carla.Jones, x%y_z and the SKU

  Result<AlertPage> first = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->alerts.size(), 4u);
  EXPECT_EQ(first->alerts.front().id, open[0]);
  EXPECT_EQ(first->alerts.front().tenant, "contoso");
  ASSERT_TRUE(first->next_after_id.has_value());
  EXPECT_EQ(*first->next_after_id, open[3]);

  int pages = 0;
  EXPECT_EQ(AllPages(query, &pages), open);
  EXPECT_EQ(pages, 3);  // 4 + 4 + 3

  // A page that ends exactly at the last alert says so: no empty page follows.
  query.limit = 11;
  Result<AlertPage> whole = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->alerts.size(), 11u);
  EXPECT_FALSE(whole->next_after_id.has_value());
}

TEST_F(AlertPageTest, FiltersByTenantStateTypeAndSeverity) {
  int pages = 0;
  AlertPageQuery every;
  every.state = AlertStateFilter::kAll;
  every.limit = 3;
  EXPECT_EQ(AllPages(every, &pages), IdsWhere([](const AlertRow&) { return true; }));
  EXPECT_EQ(pages, 6);  // 18 alerts

  // Both states of one tenant come merged in id order, page by page.
  AlertPageQuery contoso_all;
  contoso_all.tenant_id = contoso_;
  contoso_all.state = AlertStateFilter::kAll;
  contoso_all.limit = 4;
  EXPECT_EQ(AllPages(contoso_all, &pages),
            IdsWhere([&](const AlertRow& a) { return a.tenant_id == contoso_; }));
  EXPECT_EQ(pages, 4);  // 13 alerts
  contoso_all.severities = {"medium"};
  contoso_all.types = {std::string(kMfaUserNotRegistered)};
  EXPECT_EQ(AllPages(contoso_all, &pages), IdsWhere([&](const AlertRow& a) {
              return a.tenant_id == contoso_ && a.severity == "medium" &&
                     a.type == kMfaUserNotRegistered;
            }));
  EXPECT_EQ(pages, 3);  // u0-u2, u4, u5, u7, Carla.Jones, x%y_z open; u8, u9 resolved

  AlertPageQuery resolved;
  resolved.state = AlertStateFilter::kResolved;
  const std::vector<int64_t> gone = AllPages(resolved, &pages);
  EXPECT_EQ(gone, IdsWhere([](const AlertRow& a) { return a.state == "resolved"; }));
  EXPECT_EQ(gone.size(), 2u);  // u8, u9 of contoso

  AlertPageQuery high;
  high.severities = {"high", "critical"};
  high.tenant_id = fabrikam_;
  EXPECT_EQ(AllPages(high, &pages), IdsWhere([&](const AlertRow& a) {
              return a.tenant_id == fabrikam_ && a.severity == "high";
            }));
  high.tenant_id.reset();
  EXPECT_EQ(AllPages(high, &pages).size(), 3u);  // u3 and u6 of contoso, u3 of fabrikam

  AlertPageQuery sku;
  sku.types = {std::string(kLicenseUnused), std::string(kStaleUser)};
  const std::vector<int64_t> skus = AllPages(sku, &pages);
  ASSERT_EQ(skus.size(), 1u);
  Result<std::optional<AlertRow>> row = GetAlert(db_.get(), skus[0]);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->subject, "sku1");
}

TEST_F(AlertPageTest, FiltersByFlappingSnoozedAndAcknowledged) {
  int pages = 0;
  AlertPageQuery flapping;
  flapping.flapping = true;
  EXPECT_EQ(AllPages(flapping, &pages),
            (std::vector<int64_t>{AlertId(contoso_, "u1"), AlertId(contoso_, "u4")}));
  flapping.flapping = false;
  flapping.tenant_id = contoso_;
  EXPECT_EQ(AllPages(flapping, &pages).size(), 9u);  // 11 open, 2 flapping

  // Snoozed means snoozed beyond now: u5's snooze has ended.
  AlertPageQuery snoozed;
  snoozed.now = kNow;
  snoozed.snoozed = true;
  EXPECT_EQ(AllPages(snoozed, &pages),
            (std::vector<int64_t>{AlertId(fabrikam_, "u0"), AlertId(contoso_, "u2")}));
  snoozed.snoozed = false;
  snoozed.acknowledged = false;
  snoozed.tenant_id = contoso_;
  EXPECT_EQ(AllPages(snoozed, &pages), IdsWhere([&](const AlertRow& a) {
              return a.tenant_id == contoso_ && a.state == "open" && a.subject != "u2" &&
                     a.subject != "u7";
            }));
  snoozed.snoozed.reset();
  snoozed.acknowledged = true;
  EXPECT_EQ(AllPages(snoozed, &pages),
            (std::vector<int64_t>{AlertId(contoso_, "u2"), AlertId(contoso_, "u7")}));
}

TEST_F(AlertPageTest, TextIsACaseInsensitiveSubstringOfTheNameOrSubjectWithWildcardsLiteral) {
  int pages = 0;
  AlertPageQuery query;
  query.text = "CARLA.j";
  EXPECT_EQ(AllPages(query, &pages), std::vector<int64_t>{AlertId(contoso_, "Carla.Jones")});
  // '%' and '_' are themselves, not LIKE's wildcards.
  query.text = "%y_";
  EXPECT_EQ(AllPages(query, &pages), std::vector<int64_t>{AlertId(contoso_, "x%y_z")});
  query.text = "_";
  EXPECT_EQ(AllPages(query, &pages), std::vector<int64_t>{AlertId(contoso_, "x%y_z")});
  // The subject as well as the name: "sku1" names the SKU's subject, and
  // "@contoso" is in every user's name (but not the SKU's subject alone).
  query.text = "sku1";
  query.tenant_id = contoso_;
  EXPECT_EQ(AllPages(query, &pages).size(), 1u);
  query.text = "U3@CONTOSO";
  query.tenant_id.reset();
  EXPECT_EQ(AllPages(query, &pages),
            (std::vector<int64_t>{AlertId(fabrikam_, "u3"), AlertId(contoso_, "u3")}));
  query.text = "nobody";
  EXPECT_TRUE(AllPages(query, &pages).empty());
  EXPECT_EQ(pages, 1);
}

// A filter that matches little examines at most scan_limit candidates per
// page: the page comes back short (here empty) with the last candidate it
// examined as the next page's start, and following the pages finds them all.
TEST_F(AlertPageTest, AFilteredPageExaminesAtMostScanLimitCandidates) {
  const std::vector<int64_t> open = IdsWhere([](const AlertRow& a) { return a.state == "open"; });
  ASSERT_EQ(open.size(), 16u);
  AlertPageQuery query;
  query.text = "x%y";
  query.limit = 2;
  query.scan_limit = 3;
  Result<AlertPage> first = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->alerts.empty());
  EXPECT_EQ(first->next_after_id, open[2]);
  int pages = 0;
  EXPECT_EQ(AllPages(query, &pages), std::vector<int64_t>{AlertId(contoso_, "x%y_z")});
  EXPECT_EQ(pages, 6);  // 16 candidates, 3 per page
  // The scan_limit-th candidate is itself a match: it is on the page, and
  // the next page starts after it.
  query.scan_limit = 16;
  query.after_id = 0;
  Result<AlertPage> whole = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->alerts.size(), 1u);
  EXPECT_EQ(whole->alerts[0].id, open[15]);
  EXPECT_EQ(whole->next_after_id, open[15]);
  query.after_id = open[15];
  whole = ListAlertsPage(db_.get(), query);
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->alerts.empty());
  EXPECT_FALSE(whole->next_after_id.has_value());
}

// Many combinations of every filter, page size and scan limit: following
// the pages gives exactly the alerts that match, in id order.
TEST_F(AlertPageTest, EveryCombinationOfFiltersPagesToExactlyItsMatches) {
  std::mt19937 random(19);
  auto pick = [&random](auto options) { return options[random() % options.size()]; };
  using Flag = std::optional<bool>;
  const std::vector<Flag> flags = {std::nullopt, true, false};
  for (int i = 0; i < 300; ++i) {
    AlertPageQuery q;
    q.now = kNow;
    q.tenant_id = pick(std::vector<std::optional<int64_t>>{std::nullopt, contoso_, fabrikam_});
    q.state = pick(std::vector<AlertStateFilter>{
        AlertStateFilter::kOpen, AlertStateFilter::kResolved, AlertStateFilter::kAll});
    q.types = pick(std::vector<std::vector<std::string>>{
        {}, {std::string(kMfaUserNotRegistered)}, {std::string(kLicenseUnused), "stale.user"}});
    q.severities = pick(std::vector<std::vector<std::string>>{{}, {"high"}, {"low", "medium"}});
    q.flapping = pick(flags);
    q.snoozed = pick(flags);
    q.acknowledged = pick(flags);
    q.text = pick(std::vector<std::string>{"", "", "U1", "contoso.EXAMPLE", "_", "zzz"});
    q.limit = pick(std::vector<int>{1, 2, 3, 5, 100});
    q.scan_limit = q.limit + pick(std::vector<int>{0, 1, 3, 10000});
    SCOPED_TRACE("query " + std::to_string(i));
    int pages = 0;
    EXPECT_EQ(AllPages(q, &pages), IdsWhere([&](const AlertRow& a) { return Matches(q, a); }));
  }
}

TEST_F(AlertPageTest, OnePageIsOneStatementWhateverItsPositionAndFilters) {
  AlertPageQuery query;
  query.state = AlertStateFilter::kAll;
  query.limit = 2;
  for (std::optional<int64_t> tenant :
       {std::optional<int64_t>(), std::optional<int64_t>(contoso_)}) {
    for (const std::string text : {"", "u"}) {
      query.tenant_id = tenant;
      query.text = text;
      for (int64_t after : {int64_t{0}, int64_t{8}, int64_t{1000}}) {
        query.after_id = after;
        const uint64_t before = db_->statements_executed();
        Result<AlertPage> page = ListAlertsPage(db_.get(), query);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        EXPECT_EQ(db_->statements_executed() - before, 1u) << "after " << after;
      }
    }
  }
}

// SQLite's plan of each kind of page walks an index range (or the alerts
// by id), never sorts every alert and never reads a whole index.
TEST_F(AlertPageTest, EachKindOfPageWalksItsIndexOnSqlite) {
  if (db_->dialect() != "sqlite") GTEST_SKIP() << "SQLite's plans";
  struct Case {
    std::string name;
    AlertPageQuery query;
    std::string index;
  };
  std::vector<Case> cases(8);
  cases[0] = {"every tenant", {}, "INDEX alerts_by_state_id (state=? AND id>?)"};
  cases[1] = {"a tenant", {}, "INDEX alerts_by_tenant_state_id (tenant_id=? AND state=? AND id>?)"};
  cases[1].query.tenant_id = contoso_;
  cases[2] = {"flapping", {}, "INDEX alerts_flapping_by_state_id (state=? AND id>?"};
  cases[2].query.flapping = true;
  cases[3] = {"types", {}, "INDEX alerts_by_state_id (state=? AND id>?"};
  cases[3].query.types = {"mfa.user_not_registered", "mfa.not_enforced"};
  cases[4] = {"text", {}, "INDEX alerts_by_state_id (state=? AND id>?"};
  cases[4].query.text = "carla";
  cases[5] = {"not snoozed or acknowledged", {}, "INDEX alerts_by_state_id (state=? AND id>?"};
  cases[5].query.snoozed = false;
  cases[5].query.acknowledged = false;
  cases[6] = {
      "a tenant's text", {}, "INDEX alerts_by_tenant_state_id (tenant_id=? AND state=? AND id>?"};
  cases[6].query.tenant_id = contoso_;
  cases[6].query.text = "u";
  cases[7] = {"every state", {}, "INTEGER PRIMARY KEY (rowid>?"};
  cases[7].query.state = AlertStateFilter::kAll;
  cases[7].query.severities = {"high"};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::RecordingDb recording(db_.get());
    ASSERT_TRUE(ListAlertsPage(&recording, c.query).ok());
    ASSERT_EQ(recording.recorded().size(), 1u);
    Result<std::unique_ptr<Statement>> explain =
        db_->Prepare("EXPLAIN QUERY PLAN " + recording.recorded()[0].sql);
    ASSERT_TRUE(explain.ok()) << explain.status().ToString();
    (*explain)->BindAll(recording.recorded()[0].params);
    std::string plan;
    while (*(*explain)->Step()) plan += (*explain)->String(3) + "\n";
    EXPECT_NE(plan.find("SEARCH a USING " + c.index), std::string::npos) << plan;
    EXPECT_EQ(plan.find("SCAN a"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

TEST_F(AlertPageTest, RefusesALimitBelowOneAScanLimitBelowItAndANegativeAfterId) {
  AlertPageQuery query;
  query.limit = 0;
  Result<AlertPage> page = ListAlertsPage(db_.get(), query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(page.status().message(), "alert page: limit 0 is below 1");
  query.limit = 5;
  query.scan_limit = 4;
  page = ListAlertsPage(db_.get(), query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(), "alert page: scan_limit 4 is below the limit 5");
  query.scan_limit = 5;
  query.after_id = -1;
  page = ListAlertsPage(db_.get(), query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(), "alert page: after_id -1 is negative");
}

}  // namespace
}  // namespace vigil
