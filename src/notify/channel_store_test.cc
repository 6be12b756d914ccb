#include "notify/channel_store.h"

#include <gtest/gtest.h>

#include "alerts/alert_test_support.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

SecretKey Key(char fill) {
  Result<SecretKey> key = SecretKey::Parse(std::string(64, fill), "test");
  return std::move(*key);
}

class ChannelStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenTestDatabase();
    ASSERT_NE(db_, nullptr);
    tenant_ = alerts_test::AddTenant(db_.get(), "contoso");
  }

  ChannelSpec Slack() {
    ChannelSpec spec;
    spec.name = "ops-slack";
    spec.kind = "slack";
    spec.url = "https://hooks.example.invalid/services/T000/B000/very-secret-token";
    spec.route.types = {"mfa.*"};
    spec.route.min_severity = "high";
    spec.route.tenant_ids = {tenant_};
    return spec;
  }

  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
};

TEST_F(ChannelStoreTest, SecretsAreSealedAtRestAndNeverListed) {
  Result<int64_t> id = AddChannel(db_.get(), Slack(), Key('a'), 1000);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<std::unique_ptr<Statement>> st = db_->Prepare("SELECT settings FROM channels");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*(*st)->Step());
  const std::string stored = (*st)->String(0);
  EXPECT_EQ(stored.find("very-secret-token"), std::string::npos) << stored;
  EXPECT_NE(stored.find("sbox1:"), std::string::npos);

  Result<std::vector<ChannelRow>> rows = ListChannels(db_.get());
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const ChannelRow& row = (*rows)[0];
  EXPECT_EQ(row.name, "ops-slack");
  EXPECT_EQ(row.kind, "slack");
  EXPECT_EQ(row.secrets, std::vector<std::string>{"url"});
  EXPECT_EQ(row.route_tenants, std::vector<std::string>{"contoso"});
  EXPECT_EQ(row.route.types, std::vector<std::string>{"mfa.*"});
  EXPECT_EQ(row.route.min_severity, "high");

  Result<ChannelSpec> spec = LoadChannelSpec(db_.get(), "ops-slack", Key('a'));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->url, Slack().url);
  EXPECT_EQ(spec->id, *id);
  Result<ChannelSpec> other = LoadChannelSpec(db_.get(), "ops-slack", Key('b'));
  EXPECT_EQ(other.status().message(),
            "channel \"ops-slack\": url: secret was sealed with another key or is corrupt");
}

TEST_F(ChannelStoreTest, BadInputIsRefusedAndNothingIsStored) {
  ChannelSpec spec = Slack();
  spec.name = "ops slack";
  EXPECT_EQ(AddChannel(db_.get(), spec, Key('a'), 1).status().message(),
            "channel name \"ops slack\": expected 1 to 64 letters, digits, '.', '-' or '_'");
  spec = Slack();
  spec.kind = "carrier-pigeon";
  EXPECT_EQ(AddChannel(db_.get(), spec, Key('a'), 1).status().message(),
            "unknown channel kind \"carrier-pigeon\" (expected webhook, slack, teams, email, "
            "pagerduty or alertmanager)");
  spec = Slack();
  spec.route.changes = {};
  EXPECT_EQ(AddChannel(db_.get(), spec, Key('a'), 1).status().code(), Code::kInvalidArgument);
  spec = Slack();
  spec.route.tenant_ids = {999};
  EXPECT_EQ(AddChannel(db_.get(), spec, Key('a'), 1).status().message(),
            "route: no tenant with id 999");
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM channels"), 0);

  ASSERT_TRUE(AddChannel(db_.get(), Slack(), Key('a'), 1).ok());
  EXPECT_EQ(AddChannel(db_.get(), Slack(), Key('a'), 2).status().message(),
            "channel \"ops-slack\" exists");
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM channels"), 1);
}

TEST_F(ChannelStoreTest, RemovingAChannelDropsWhatItHadNotSentAndKeepsTheLog) {
  Result<int64_t> id = AddChannel(db_.get(), Slack(), Key('a'), 1);
  ASSERT_TRUE(id.ok());
  for (const char* state : {"pending", "sent"}) {
    ASSERT_TRUE(db_->Execute("INSERT INTO notifications (channel_id, tenant_id, alert_id, change,"
                             " idempotency_key, state, at, trace_id, due_at, next_attempt_at)"
                             " VALUES (?, ?, 1, 'opened', ?, ?, 1, 't', 1, 1)",
                             {*id, tenant_, std::string("k-") + state, std::string(state)})
                    .ok());
  }
  ASSERT_TRUE(RemoveChannel(db_.get(), "ops-slack").ok());
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM channels"), 0);
  EXPECT_EQ(testing::Count(db_.get(), "SELECT COUNT(*) FROM notifications"), 1);
  EXPECT_EQ(RemoveChannel(db_.get(), "ops-slack").message(), "no channel \"ops-slack\"");
}

}  // namespace
}  // namespace vigil
