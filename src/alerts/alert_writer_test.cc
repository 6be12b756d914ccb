// AlertWriter's multi-row writes: one statement per kAlertRowsPerStatement
// alerts, ids handed back for every new alert, and guarded transitions: a
// write that assumes a state one of its alerts is no longer in fails naming
// it, so no history row can record a transition into the state an alert
// already has (the caller rolls back what the statement did change).
#include "alerts/alert_writer.h"

#include <gtest/gtest.h>

#include "alerts/alert_test_support.h"

namespace vigil {
namespace {

using alerts_test::AddTenant;
using alerts_test::DumpTables;
using alerts_test::kT0;
using alerts_test::OpenTestDb;

class AlertWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    tenant_ = AddTenant(db_.get(), "contoso");
    writer_ = std::make_unique<AlertWriter>(db_.get(), tenant_, stamp_);
  }

  // Opens alerts for subjects u0..u<n-1>; returns their ids in that order.
  std::vector<int64_t> Open(int n) {
    subjects_.clear();
    for (int i = 0; i < n; ++i) subjects_.push_back("u" + std::to_string(i));
    std::vector<NewAlert> alerts;
    for (const std::string& subject : subjects_) {
      NewAlert a;
      a.analysis_type = "mfa";
      a.type = "mfa.user_not_registered";
      a.subject = subject;
      a.tag = "mfa:missing";
      a.content = content_;
      alerts.push_back(a);
    }
    Status s = writer_->InsertOpen(&alerts);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::vector<int64_t> ids;
    for (const NewAlert& a : alerts) ids.push_back(a.id);
    return ids;
  }

  int64_t IdOf(const std::string& subject) {
    Result<std::optional<int64_t>> id =
        db_->QueryInt("SELECT id FROM alerts WHERE subject = ?", {subject});
    EXPECT_TRUE(id.ok() && id->has_value());
    return id.ok() && id->has_value() ? **id : -1;
  }

  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
  std::unique_ptr<AlertWriter> writer_;
  std::vector<std::string> subjects_;
  const AlertContent content_{"u@contoso.example", "medium", "{}", "d0"};
  const ChangeStamp stamp_{kT0, kT0, "trace-1", "run-1", {}};
};

TEST_F(AlertWriterTest, InsertsAlertsInChunksAndHandsBackEveryId) {
  const uint64_t before = db_->statements_executed();
  const int n = 2 * kAlertRowsPerStatement + 1;
  std::vector<int64_t> ids = Open(n);
  EXPECT_EQ(db_->statements_executed() - before, 3u);
  ASSERT_EQ(ids.size(), static_cast<size_t>(n));
  for (int i : {0, kAlertRowsPerStatement, n - 1}) {
    EXPECT_EQ(ids[i], IdOf(subjects_[i])) << subjects_[i];
  }
  std::vector<int64_t> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST_F(AlertWriterTest, ResolvingAnAlertThatIsNotOpenFailsAndChangesNothing) {
  const int64_t id = Open(1)[0];
  ASSERT_TRUE(writer_->SetResolved({id}).ok());
  const std::string before = DumpTables(db_.get());
  Status again = writer_->SetResolved({id});
  EXPECT_EQ(again.code(), Code::kInternal);
  EXPECT_EQ(again.message(), "alert " + std::to_string(id) +
                                 " is no longer open: changed by another writer during the"
                                 " reconcile");
  EXPECT_EQ(DumpTables(db_.get()), before);
}

TEST_F(AlertWriterTest, AMultiRowTransitionFailsNamingTheAlertItCouldNotChange) {
  // Two chunks; one alert of the second is resolved already.
  std::vector<int64_t> ids = Open(kAlertRowsPerStatement + 3);
  const int64_t gone = ids[kAlertRowsPerStatement + 1];
  ASSERT_TRUE(writer_->SetResolved({gone}).ok());
  const std::string before = DumpTables(db_.get());
  {
    Transaction tx(db_.get());
    ASSERT_TRUE(tx.status().ok());
    Status s = writer_->SetResolved(ids);
    EXPECT_EQ(s.code(), Code::kInternal);
    EXPECT_EQ(s.message(), "alert " + std::to_string(gone) +
                               " is no longer open: changed by another writer during the"
                               " reconcile");
  }  // rolled back, as AlertManager does
  EXPECT_EQ(DumpTables(db_.get()), before);
  ids.erase(ids.begin() + kAlertRowsPerStatement + 1);
  const uint64_t statements = db_->statements_executed();
  ASSERT_TRUE(writer_->SetResolved(ids).ok());
  EXPECT_EQ(db_->statements_executed() - statements, 2u);
}

TEST_F(AlertWriterTest, ReopeningNeedsAResolvedAlertAndUpdatingAnOpenOne) {
  std::vector<int64_t> ids = Open(3);
  const AlertContent changed{"u@contoso.example", "high", "{\"n\":1}", "d1"};
  std::vector<ContentChange> all;
  for (int64_t id : ids) all.push_back(ContentChange{id, changed});
  ASSERT_TRUE(writer_->SetResolved({ids[1]}).ok());
  {
    Transaction tx(db_.get());
    Status reopen = writer_->SetOpen("resolved", all);
    EXPECT_EQ(reopen.code(), Code::kInternal);
    EXPECT_EQ(reopen.message(), "alert " + std::to_string(ids[0]) +
                                    " is no longer resolved: changed by another writer during"
                                    " the reconcile");
  }
  {
    Transaction tx(db_.get());
    Status update = writer_->SetOpen("open", all);
    EXPECT_EQ(update.message(), "alert " + std::to_string(ids[1]) +
                                    " is no longer open: changed by another writer during the"
                                    " reconcile");
  }
  ASSERT_TRUE(writer_->SetOpen("open", {all[0], all[2]}).ok());  // updates
  ASSERT_TRUE(writer_->SetOpen("resolved", {all[1]}).ok());      // a reopen
  Result<std::optional<int64_t>> high = db_->QueryInt(
      "SELECT COUNT(*) FROM alerts WHERE state = 'open' AND severity = 'high' AND"
      " details = '{\"n\":1}' AND details_digest = 'd1' AND resolved_at IS NULL");
  ASSERT_TRUE(high.ok());
  EXPECT_EQ(**high, 3);
}

TEST_F(AlertWriterTest, ResolvedHistoryCopiesEachAlertsContent) {
  std::vector<int64_t> ids = Open(2);
  ASSERT_TRUE(writer_->SetResolved(ids).ok());
  ASSERT_TRUE(writer_->AppendResolvedHistory({{ids[1], "excluded"}, {ids[0], "gone"}}).ok());
  Result<std::optional<int64_t>> rows = db_->QueryInt(
      "SELECT COUNT(*) FROM alert_history WHERE transition = 'resolved' AND from_state = 'open'"
      " AND to_state = 'resolved' AND severity = 'medium' AND details_digest = 'd0' AND"
      " run_id = 'run-1'");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(**rows, 2);
  // Each row has its own reason, and the rows follow the alert ids.
  Result<std::unique_ptr<Statement>> reasons = db_->Prepare(
      "SELECT alert_id, reason FROM alert_history WHERE transition = 'resolved' ORDER BY id");
  ASSERT_TRUE(reasons.ok());
  std::vector<std::pair<int64_t, std::string>> got;
  while (*(*reasons)->Step()) got.emplace_back((*reasons)->Int(0), (*reasons)->String(1));
  EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{{ids[0], "gone"},
                                                                {ids[1], "excluded"}}));
  Status missing = writer_->AppendResolvedHistory({{ids[0], "gone"}, {ids[1] + 1000, "gone"}});
  EXPECT_EQ(missing.code(), Code::kInternal);
  EXPECT_EQ(missing.message(), "recording the resolve of 2 alerts: 1 of them do not exist");
}

}  // namespace
}  // namespace vigil
