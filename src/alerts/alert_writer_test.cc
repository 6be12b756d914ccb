// AlertWriter's guarded transitions: a write that assumes a state the alert
// is no longer in changes nothing and fails, so no history row can record a
// transition into the state an alert already has.
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
    writer_ = std::make_unique<AlertWriter>(db_.get());
    Result<int64_t> id = writer_->InsertOpen(tenant_, "mfa", "mfa.user_not_registered", "u1",
                                             std::nullopt, content_, stamp_);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    id_ = *id;
  }

  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
  int64_t id_ = 0;
  std::unique_ptr<AlertWriter> writer_;
  const AlertContent content_{"u1@contoso.example", "medium", "{}", "d0"};
  const ChangeStamp stamp_{kT0, kT0, "trace-1", "run-1"};
};

TEST_F(AlertWriterTest, ResolvingAnAlertThatIsNotOpenFailsAndChangesNothing) {
  ASSERT_TRUE(writer_->SetResolved(id_, stamp_).ok());
  const std::string before = DumpTables(db_.get());
  Status again = writer_->SetResolved(id_, stamp_);
  EXPECT_EQ(again.code(), Code::kInternal);
  EXPECT_EQ(again.message(), "alert " + std::to_string(id_) +
                                 " is no longer open: changed by another writer during the"
                                 " reconcile");
  EXPECT_EQ(DumpTables(db_.get()), before);
}

TEST_F(AlertWriterTest, ReopeningNeedsAResolvedAlertAndUpdatingAnOpenOne) {
  const AlertContent changed{"u1@contoso.example", "high", "{}", "d1"};
  Status reopen = writer_->SetOpen(id_, "resolved", changed, stamp_);
  EXPECT_EQ(reopen.code(), Code::kInternal);
  EXPECT_EQ(reopen.message(), "alert " + std::to_string(id_) +
                                  " is no longer resolved: changed by another writer during the"
                                  " reconcile");
  ASSERT_TRUE(writer_->SetOpen(id_, "open", changed, stamp_).ok());  // an update
  ASSERT_TRUE(writer_->SetResolved(id_, stamp_).ok());
  EXPECT_FALSE(writer_->SetOpen(id_, "open", content_, stamp_).ok());
  EXPECT_TRUE(writer_->SetOpen(id_, "resolved", content_, stamp_).ok());  // a reopen
}

}  // namespace
}  // namespace vigil
