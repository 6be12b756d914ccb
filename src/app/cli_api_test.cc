// `vigil token create`, `vigil tokens`, `vigil token revoke` and `vigil
// webhook secret` as a user runs them: what they print (a credential once,
// alone on stdout), what they refuse, and that what they make works.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "app/cli_test_support.h"
#include "app/database.h"
#include "store/api_tokens.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "store/webhook_store.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::ScopedEnv;
using testing::Vigil;

constexpr const char* kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class CliApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::NewTempDir() + "/vigil.db";
    std::unique_ptr<Db> db = Open();
    ASSERT_NE(db, nullptr);
    tenant_ = EnsureTenant(db.get(), "contoso", 1).value();
    source_ = EnsureDataSource(db.get(), tenant_.id, "graph", "graph_json", "{}", 1).value();
  }

  std::unique_ptr<Db> Open() {
    Result<std::unique_ptr<Db>> db = OpenDatabase(db_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // The token printed by `token create`: stdout minus its newline.
  static std::string Printed(const CliRun& run) {
    EXPECT_FALSE(run.out.empty());
    EXPECT_EQ(run.out.back(), '\n');
    return run.out.substr(0, run.out.size() - 1);
  }

  std::string db_;
  TenantRow tenant_;
  DataSourceRow source_;
  ScopedEnv no_key_file_{kSecretKeyFileEnv, std::nullopt};
  ScopedEnv no_key_{kSecretKeyEnv, std::nullopt};
};

TEST_F(CliApiTest, TokenCreatePrintsTheTokenAloneOnceAndItAuthenticatesForItsTenant) {
  CliRun run = Vigil({"token", "create", "--db", db_, "--name", "psa sync", "--tenant", "contoso"});
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string token = Printed(run);
  EXPECT_TRUE(std::regex_match(token, std::regex("vigil_[0-9a-f]{64}"))) << token;
  EXPECT_EQ(run.err, "created API token 1 \"psa sync\" for tenant contoso; it is shown only now\n");

  std::unique_ptr<Db> db = Open();
  Result<std::optional<ApiTokenRow>> row = AuthenticateApiToken(db.get(), token);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->tenant_id, tenant_.id);
  EXPECT_EQ((*row)->name, "psa sync");
}

TEST_F(CliApiTest, AnAdminTokenSeesEveryTenant) {
  CliRun run = Vigil({"token", "create", "--db", db_, "--name", "ops", "--admin"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err,
            "created API token 1 \"ops\" for every tenant (admin); it is shown only now\n");
  std::unique_ptr<Db> db = Open();
  Result<std::optional<ApiTokenRow>> row = AuthenticateApiToken(db.get(), Printed(run));
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_FALSE((*row)->tenant_id.has_value());
}

TEST_F(CliApiTest, TokenCreateNeedsExactlyOneOfTenantAndAdmin) {
  CliRun neither = Vigil({"token", "create", "--db", db_, "--name", "x"});
  EXPECT_EQ(neither.status, 2);
  EXPECT_EQ(neither.out, "");
  EXPECT_EQ(neither.err,
            "vigil: token create: give exactly one of --tenant T (a token that sees tenant T "
            "only) and --admin (a token that sees every tenant)\n");
  CliRun both =
      Vigil({"token", "create", "--db", db_, "--name", "x", "--tenant", "contoso", "--admin"});
  EXPECT_EQ(both.status, 2);
  EXPECT_EQ(both.out, "");
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
  CliRun bad_name = Vigil({"token", "create", "--db", db_, "--name", "", "--admin"});
  EXPECT_EQ(bad_name.status, 2);
  EXPECT_EQ(bad_name.err, "vigil: token name \"\": must be 1 to 64 printable characters\n");
  EXPECT_EQ(Vigil({"tokens", "--db", db_, "--json"}).out, "[]\n");
}

TEST_F(CliApiTest, AnUnknownTenantFailsNamingItAndCreatesNothing) {
  CliRun run = Vigil({"token", "create", "--db", db_, "--name", "x", "--tenant", "nobody"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "vigil: no tenant named \"nobody\"\n");
  EXPECT_EQ(Vigil({"tokens", "--db", db_, "--json"}).out, "[]\n");
}

TEST_F(CliApiTest, TokensListsWithoutSecretsAndRevokeStopsAToken) {
  const std::string tenant_token =
      Printed(Vigil({"token", "create", "--db", db_, "--name", "psa", "--tenant", "contoso"}));
  const std::string admin_token =
      Printed(Vigil({"token", "create", "--db", db_, "--name", "ops", "--admin"}));

  CliRun table = Vigil({"tokens", "--db", db_});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("ID  NAME  TENANT   CREATED"), std::string::npos) << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex("\n1 +psa +contoso +\\S+Z +-\n")))
      << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex("\n2 +ops +\\(admin\\) +\\S+Z +-\n")))
      << table.out;

  CliRun revoke = Vigil({"token", "revoke", "--db", db_, "1"});
  ASSERT_EQ(revoke.status, 0) << revoke.err;
  EXPECT_EQ(revoke.out, "revoked API token 1\n");
  EXPECT_EQ(Vigil({"token", "revoke", "--db", db_, "1"}).status, 0);  // again: a no-op
  CliRun unknown = Vigil({"token", "revoke", "--db", db_, "99"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err, "vigil: no API token with id 99\n");

  CliRun json = Vigil({"tokens", "--db", db_, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  nlohmann::json rows = nlohmann::json::parse(json.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["name"], "psa");
  EXPECT_EQ(rows[0]["tenant"], "contoso");
  EXPECT_EQ(rows[0]["admin"], false);
  EXPECT_TRUE(rows[0]["revoked_at"].is_string());
  EXPECT_TRUE(rows[1]["tenant"].is_null());
  EXPECT_EQ(rows[1]["admin"], true);
  EXPECT_TRUE(rows[1]["revoked_at"].is_null());
  for (const CliRun& listing : {table, json}) {
    EXPECT_EQ(listing.out.find(tenant_token.substr(6)), std::string::npos);
    EXPECT_EQ(listing.out.find(admin_token.substr(6)), std::string::npos);
    EXPECT_EQ(listing.out.find(tenant_token.substr(6, 8)), std::string::npos)
        << "the lookup prefix is shown";
  }

  std::unique_ptr<Db> db = Open();
  EXPECT_FALSE(AuthenticateApiToken(db.get(), tenant_token).value().has_value());
  EXPECT_TRUE(AuthenticateApiToken(db.get(), admin_token).value().has_value());
}

TEST_F(CliApiTest, WebhookSecretNeedsTheSecretKey) {
  CliRun run = Vigil({"webhook", "secret", "--db", db_, "--source", std::to_string(source_.id)});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("VIGIL_SECRET_KEY"), std::string::npos) << run.err;
}

TEST_F(CliApiTest, WebhookSecretPrintsASecretThatSignsDeliveriesAndRotates) {
  ScopedEnv key(kSecretKeyEnv, kKeyHex);
  const std::string id = std::to_string(source_.id);
  CliRun run = Vigil({"webhook", "secret", "--db", db_, "--source", id});
  ASSERT_EQ(run.status, 0) << run.err;
  const std::string secret = Printed(run);
  EXPECT_TRUE(std::regex_match(secret, std::regex("[0-9a-f]{64}"))) << secret;
  EXPECT_NE(run.err.find("POST /hooks/" + id + " with the headers"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find(secret), std::string::npos) << "the secret is printed twice";

  SecretKey parsed = SecretKey::Parse(kKeyHex, "test").value();
  std::unique_ptr<Db> db = Open();
  EXPECT_EQ(LoadWebhookSecret(db.get(), source_.id, parsed).value().value_or(""), secret);

  CliRun rotated = Vigil({"webhook", "secret", "--db", db_, "--source", id});
  ASSERT_EQ(rotated.status, 0) << rotated.err;
  EXPECT_NE(Printed(rotated), secret);
  EXPECT_EQ(LoadWebhookSecret(db.get(), source_.id, parsed).value().value_or(""), Printed(rotated));
}

TEST_F(CliApiTest, WebhookSecretOfAnUnknownSourceFails) {
  ScopedEnv key(kSecretKeyEnv, kKeyHex);
  CliRun run = Vigil({"webhook", "secret", "--db", db_, "--source", "99"});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "vigil: no data source with id 99\n");
}

}  // namespace
}  // namespace vigil
