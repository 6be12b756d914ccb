#include "store/webhook_store.h"

#include <gtest/gtest.h>

#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1795000000000;
constexpr int64_t kKeep = 600 * 1000;

class WebhookStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<SecretKey> key = SecretKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status().message();
    key_.emplace(std::move(key).value());
  }

  testing::TestTenant t_ = testing::NewTestTenant("contoso");
  Db* db() { return t_.db.get(); }
  std::optional<SecretKey> key_;
};

bool IsLowerHex(const std::string& text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST_F(WebhookStoreTest, ASecretIs64HexDigitsStoredSealedAndLoadsBack) {
  Result<std::string> secret = CreateWebhookSecret(db(), t_.data_source_id, *key_, kNow);
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(secret->size(), 64u);
  EXPECT_TRUE(IsLowerHex(*secret)) << *secret;

  Result<std::optional<int64_t>> clear =
      db()->QueryInt("SELECT COUNT(*) FROM webhook_secrets WHERE secret = ?", {*secret});
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(clear->value_or(-1), 0) << "the secret is stored in clear";
  Result<std::optional<int64_t>> sealed = db()->QueryInt(
      "SELECT COUNT(*) FROM webhook_secrets WHERE secret LIKE 'sbox1:%' AND created_at = ?",
      {kNow});
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->value_or(0), 1);

  Result<std::optional<std::string>> loaded = LoadWebhookSecret(db(), t_.data_source_id, *key_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, *secret);
}

TEST_F(WebhookStoreTest, CreatingAgainRotatesTheSecret) {
  std::string first = CreateWebhookSecret(db(), t_.data_source_id, *key_, kNow).value();
  std::string second = CreateWebhookSecret(db(), t_.data_source_id, *key_, kNow + 1).value();
  EXPECT_NE(first, second);
  EXPECT_EQ(LoadWebhookSecret(db(), t_.data_source_id, *key_).value().value_or(""), second);
  EXPECT_EQ(testing::Count(db(), "SELECT COUNT(*) FROM webhook_secrets"), 1);
}

TEST_F(WebhookStoreTest, NoSecretUnknownSourceAndAnotherKey) {
  Result<std::optional<std::string>> none = LoadWebhookSecret(db(), t_.data_source_id, *key_);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());

  Result<std::string> unknown = CreateWebhookSecret(db(), 9999, *key_, kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no data source with id 9999");

  ASSERT_TRUE(CreateWebhookSecret(db(), t_.data_source_id, *key_, kNow).ok());
  SecretKey other = SecretKey::Generate().value();
  Result<std::optional<std::string>> wrong = LoadWebhookSecret(db(), t_.data_source_id, other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "secret was sealed with another key or is corrupt");
}

TEST_F(WebhookStoreTest, ADeliveryIsNewOnceThenAReplayPerDataSource) {
  TenantRow other = EnsureTenant(db(), "fabrikam", kNow).value();
  DataSourceRow other_source =
      EnsureDataSource(db(), other.id, "graph", "graph_json", "{}", kNow).value();

  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow, kKeep).value(), Delivery::kNew);
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow + 5, kKeep).value(),
            Delivery::kReplay);
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-2", kNow, kKeep).value(), Delivery::kNew);
  // The same id from another data source is another delivery.
  EXPECT_EQ(RememberDelivery(db(), other_source.id, "d-1", kNow, kKeep).value(), Delivery::kNew);
}

TEST_F(WebhookStoreTest, ForgottenAndExpiredDeliveriesAreNewAgain) {
  ASSERT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow, kKeep).value(), Delivery::kNew);
  ASSERT_TRUE(ForgetDelivery(db(), t_.data_source_id, "d-1").ok());
  EXPECT_TRUE(ForgetDelivery(db(), t_.data_source_id, "never-seen").ok());
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow, kKeep).value(), Delivery::kNew);

  // Still within the keep window: remembered; past it: forgotten by the next call.
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow + kKeep, kKeep).value(),
            Delivery::kReplay);
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-2", kNow + kKeep + 1, kKeep).value(),
            Delivery::kNew);
  EXPECT_EQ(testing::Count(db(), "SELECT COUNT(*) FROM webhook_deliveries"), 1);
  EXPECT_EQ(RememberDelivery(db(), t_.data_source_id, "d-1", kNow + kKeep + 2, kKeep).value(),
            Delivery::kNew);
}

}  // namespace
}  // namespace vigil
