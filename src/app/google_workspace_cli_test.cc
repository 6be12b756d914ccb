// A google_workspace data source as an operator sets it up, against
// FakeGoogleServer: `vigil source add --provider google_workspace` (the key
// file sealed, never shown, checked before anything is stored), `vigil source
// test` (token, then one request per API, naming a refused scope or the
// missing domain-wide delegation), a sync through the provider factory and
// the analysis, and `vigil sources` showing what was not available and why.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/cli_test_support.h"
#include "app/provider_factory.h"
#include "common/ids.h"
#include "pipeline/pipeline.h"
#include "providers/google_jwt.h"
#include "store/secret_box.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fake_google.h"
#include "testing/fixtures.h"
#include "testing/rsa_test_key.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

constexpr char kEmail[] = "sync@vigil-test.iam.gserviceaccount.com";
constexpr char kAdmin[] = "admin@example.com";
constexpr char kRoles[] = "/admin/directory/v1/customer/my_customer/roles";
constexpr TimeMs kNow = 1767225600000;  // 2026-01-01T00:00:00Z

const testing::RsaTestKey& Key() {
  static const testing::RsaTestKey* key = new testing::RsaTestKey(testing::NewRsaTestKey());
  return *key;
}

// The PEM body's middle line: if it shows up anywhere, the key leaked.
std::string KeyMarker() {
  std::istringstream lines(Key().private_pem);
  std::string line;
  for (int i = 0; i < 3; ++i) std::getline(lines, line);
  return line;
}

// User i: enrolled in 2SV when even; signed in last on 2025-12-20 when i % 3, never otherwise.
std::string User(int i) {
  return "{\"id\":\"u" + std::to_string(i) + "\",\"primaryEmail\":\"user" + std::to_string(i) +
         "@example.com\",\"name\":{\"fullName\":\"User " + std::to_string(i) +
         "\"},\"isEnrolledIn2Sv\":" + (i % 2 == 0 ? "true" : "false") +
         ",\"isEnforcedIn2Sv\":true,\"isAdmin\":" + (i < 2 ? "true" : "false") +
         ",\"suspended\":false,\"creationTime\":\"2024-01-02T03:04:05.000Z\","
         "\"lastLoginTime\":\"" +
         (i % 3 ? "2025-12-20T10:00:00.000Z" : "1970-01-01T00:00:00.000Z") + "\"}";
}

class GoogleWorkspaceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    const std::string key_file = dir_ + "/vigil.key";
    CliRun key = Vigil({"key", "generate", "--out", key_file});
    ASSERT_EQ(key.status, 0) << key.err;
    key_file_env_.emplace(kSecretKeyFileEnv, key_file);

    google_ = testing::FakeGoogleServer::Start();
    ASSERT_NE(google_, nullptr);
    google_->SetServiceAccount(kEmail, "kid-1", Key().public_pem);
    google_->AllowAdmin(kAdmin);
    std::vector<std::string> users;
    for (int i = 0; i < 12; ++i) users.push_back(User(i));
    google_->SetUsers(users);
    google_->SetRoles({R"({"roleId":"91","roleName":"_SEED_ADMIN_ROLE","isSuperAdminRole":true})"});
    google_->SetRoleAssignments(
        {R"({"roleAssignmentId":"ra1","roleId":"91","assignedTo":"u0","assigneeType":"user"})",
         R"({"roleAssignmentId":"ra2","roleId":"91","assignedTo":"u1","assigneeType":"user"})"});
    google_->SetLicenses(
        "Google-Apps",
        {R"({"productId":"Google-Apps","skuId":"1010020020","skuName":"Enterprise Plus","userId":"user3@example.com"})"});
    key_path_ = dir_ + "/sa.json";
    testing::WriteFile(key_path_, testing::ServiceAccountKeyJson(Key(), kEmail, "kid-1",
                                                                 google_->token_url()));
  }

  std::vector<std::string> AddArgs(const std::string& key_path, const std::string& admin = kAdmin) {
    return {"source", "add", "--db", db_, "--tenant", "acme", "--provider", "google_workspace",
            "--admin-email", admin, "--service-account-key-file", key_path,
            "--api-url", google_->url(), "--licensing-url", google_->url()};
  }

  int64_t AddSource(const std::string& admin = kAdmin) {
    CliRun add = Vigil(AddArgs(key_path_, admin));
    EXPECT_EQ(add.status, 0) << add.err;
    ExpectNoKey(add);
    return add.status == 0 ? std::stoll(add.out) : 0;
  }

  void ExpectNoKey(const CliRun& run) {
    EXPECT_EQ(run.out.find(KeyMarker()), std::string::npos) << run.out;
    EXPECT_EQ(run.err.find(KeyMarker()), std::string::npos) << run.err;
    EXPECT_EQ(run.out.find("PRIVATE KEY"), std::string::npos) << run.out;
  }

  std::string DatabaseBytes() {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().filename().string().rfind("vigil.db", 0) != 0) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      bytes += text.str();
    }
    return bytes;
  }

  // Syncs data source `id` through the provider factory, then analyzes at kNow.
  SyncOutcome SyncNow(int64_t id) {
    std::unique_ptr<vigil::Db> db = OpenSqliteDb(db_).value();
    std::unique_ptr<Clock> clock = NewFixedClock(kNow);
    DataSourceRow source = GetDataSource(db.get(), id).value();
    // The assertion is signed at the real time: FakeGoogleServer checks it as Google does.
    std::unique_ptr<Clock> wall = NewSystemClock();
    Result<std::unique_ptr<Provider>> provider =
        OpenProvider(source, ProviderContext{db.get(), wall.get(), nullptr});
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    if (!provider.ok()) return {provider.status(), {}, {}, {}};
    Trace trace(NewTraceId(), clock.get(), nullptr);
    return RunSyncAndAnalyze(db.get(), *clock, *clock, source.tenant_id, id, provider->get(), {},
                             &trace);
  }

  std::string dir_, db_, key_path_;
  testing::ScopedEnv no_key_{kSecretKeyEnv, std::nullopt};
  std::optional<testing::ScopedEnv> key_file_env_;
  std::unique_ptr<testing::FakeGoogleServer> google_;
};

TEST_F(GoogleWorkspaceCliTest, AddSealsTheKeyFileAndNeverShowsIt) {
  CliRun add = Vigil(AddArgs(key_path_));
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "1\n");
  EXPECT_EQ(add.err.rfind("added data source \"google_workspace\" (google_workspace) of tenant "
                          "\"acme\"; `vigil serve` syncs it every 1h",
                          0),
            0u)
      << add.err;
  CliRun json = Vigil({"sources", "--db", db_, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json listed = nlohmann::json::parse(json.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["provider"], "google_workspace");
  EXPECT_EQ(listed[0]["settings"], nlohmann::json({{"admin_email", kAdmin},
                                                   {"service_account_key", "(sealed)"},
                                                   {"api_url", google_->url()},
                                                   {"licensing_url", google_->url()}}));
  CliRun text = Vigil({"sources", "--db", db_});
  ASSERT_EQ(text.status, 0) << text.err;
  for (const CliRun& run : {add, json, text}) ExpectNoKey(run);

  const std::string bytes = DatabaseBytes();
  EXPECT_EQ(bytes.find(KeyMarker()), std::string::npos);
  EXPECT_EQ(bytes.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(bytes.find("sbox1:"), std::string::npos);  // the search can find text
  std::unique_ptr<vigil::Db> db = OpenSqliteDb(db_).value();
  const nlohmann::json settings =
      nlohmann::json::parse(GetDataSource(db.get(), 1).value().settings);
  Result<std::string> opened =
      Open(LoadSecretKey().value(), settings["service_account_key"].get<std::string>());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(ParseServiceAccountKey("key", *opened).value().client_email, kEmail);
}

TEST_F(GoogleWorkspaceCliTest, ABadKeyFileOrAMissingFlagStoresNothing) {
  const std::string not_a_key = dir_ + "/not-a-key.json";
  testing::WriteFile(not_a_key, R"({"type": "authorized_user", "client_id": "x"})");
  CliRun bad = Vigil(AddArgs(not_a_key));
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err,
            "vigil: --service-account-key-file: \"type\" must be \"service_account\", not "
            "\"authorized_user\"\n");

  nlohmann::json damaged = nlohmann::json::parse(
      testing::ServiceAccountKeyJson(Key(), kEmail, "kid-1", google_->token_url()));
  damaged["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  testing::WriteFile(not_a_key, damaged.dump());
  CliRun pem = Vigil(AddArgs(not_a_key));
  EXPECT_EQ(pem.status, 1);
  EXPECT_EQ(pem.err,
            "vigil: --service-account-key-file: \"private_key\" is not a PEM RSA private key\n");

  CliRun missing = Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider",
                          "google_workspace", "--service-account-key-file", key_path_});
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err, "vigil: --provider google_workspace needs --admin-email\n");
  CliRun email = Vigil(AddArgs(key_path_, "admin"));
  EXPECT_EQ(email.status, 2);
  EXPECT_EQ(email.err,
            "vigil: --admin-email: \"admin\" is not an email address such as admin@example.com\n");
  CliRun no_file = Vigil(AddArgs(dir_ + "/nope.json"));
  EXPECT_EQ(no_file.status, 1);
  EXPECT_NE(no_file.err.find(dir_ + "/nope.json"), std::string::npos) << no_file.err;
  for (const CliRun& run : {bad, pem, missing, email, no_file}) {
    EXPECT_EQ(run.out, "");
    ExpectNoKey(run);
  }
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(GoogleWorkspaceCliTest, SourceTestPassesEveryCheck) {
  const int64_t id = AddSource();
  CliRun test = Vigil({"source", "test", "--db", db_, std::to_string(id)});
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  EXPECT_EQ(test.out, "data source 1 \"google_workspace\": customer my_customer, service account " +
                          std::string(kEmail) + " as " + kAdmin +
                          "\n"
                          "  credentials         ok\n"
                          "  users               ok\n"
                          "  roles               ok\n"
                          "  role assignments    ok\n"
                          "  licenses            ok\n"
                          "all 5 checks passed\n");
  EXPECT_EQ(google_->TokenRequests(), 1);
  EXPECT_EQ(google_->Requests("/admin/directory/v1/users"), 1);
  ExpectNoKey(test);
}

TEST_F(GoogleWorkspaceCliTest, SourceTestNamesTheRefusedScope) {
  const int64_t id = AddSource();
  google_->Deny(kRoles);
  CliRun test = Vigil({"source", "test", "--db", db_, std::to_string(id)});
  EXPECT_EQ(test.status, 1) << test.out;
  EXPECT_NE(test.out.find("  roles               MISSING: needs scope "
                          "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly "
                          "(403 forbidden: Not Authorized to access this resource/api)\n"
                          "  role assignments    ok\n"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("1 of 5 checks failed; Google refused the scopes: "
                          "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly "
                          "(the administrator needs a role"),
            std::string::npos)
      << test.out;
}

TEST_F(GoogleWorkspaceCliTest, SourceTestExplainsAnAdminWithoutDelegation) {
  const int64_t id = AddSource("someone@example.com");
  CliRun test = Vigil({"source", "test", "--db", db_, std::to_string(id)});
  EXPECT_EQ(test.status, 1) << test.out;
  EXPECT_NE(test.out.find("  credentials         MISSING: service account " + std::string(kEmail) +
                          " as someone@example.com: cannot get an access token: HTTP 401 "
                          "unauthorized_client"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("domain-wide delegation is not granted: authorize client id "
                          "109876543210 for the scopes"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("1 of 1 checks failed\n"), std::string::npos) << test.out;
  EXPECT_EQ(google_->Requests("/admin/directory/v1/users"), 0);
  ExpectNoKey(test);
}

TEST_F(GoogleWorkspaceCliTest, ASyncGivesTheUsersAndAlertsAndSourcesShowsWhatWasMissing) {
  const int64_t id = AddSource();
  SyncOutcome first = SyncNow(id);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  ASSERT_TRUE(first.analysis_status.ok()) << first.analysis_status.ToString();
  EXPECT_EQ(first.sync.kinds.at(EntityKind::kUser).created, 12);
  // Without 2-step verification: the admin u1 and the users 3, 5, 7, 9, 11.
  // Never signed in: 0, 3, 6, 9 (u0 an admin too).
  CliRun alerts = Vigil({"alerts", "--db", db_, "--tenant", "acme", "--json"});
  ASSERT_EQ(alerts.status, 0) << alerts.err;
  std::map<std::string, int> types;
  for (const nlohmann::json& a : nlohmann::json::parse(alerts.out)) ++types[a["type"]];
  EXPECT_EQ(types, (std::map<std::string, int>{{"mfa.admin_not_registered", 1},
                                               {"mfa.user_not_registered", 5},
                                               {"privilege.stale_admin", 1},
                                               {"stale.user", 4}}))
      << alerts.out;

  google_->Deny(kRoles);
  SyncOutcome second = SyncNow(id);
  ASSERT_TRUE(second.status.ok()) << second.status.ToString();
  CliRun json = Vigil({"sources", "--db", db_, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json source = nlohmann::json::parse(json.out)[0];
  std::map<std::string, std::string> missing;
  for (const nlohmann::json& a : source["not_available"]) missing[a["kind"]] = a["reason"];
  EXPECT_EQ(missing["role"],
            "roles: permission missing: 403 forbidden: Not Authorized to access this "
            "resource/api: needs scope "
            "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly")
      << json.out;
  EXPECT_EQ(missing["policy"], "Google Workspace has no conditional access policies");
  EXPECT_EQ(missing.count("user"), 0u);
  EXPECT_EQ(missing.count("sku"), 0u);
  CliRun text = Vigil({"sources", "--db", db_});
  EXPECT_NE(text.out.find("    not available: role: roles: permission missing: 403 forbidden"),
            std::string::npos)
      << text.out;
}

// `vigil sync` without --from-dir: the stored Workspace source through its
// own provider (the key unsealed with the secret key), then the analysis.
TEST_F(GoogleWorkspaceCliTest, VigilSyncWithoutADirectorySyncsTheStoredSource) {
  ASSERT_NE(AddSource(), 0);
  CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "acme", "--now",
                       "2026-01-01T00:00:00Z", "--json"});
  ASSERT_EQ(sync.status, 0) << sync.err;
  ExpectNoKey(sync);
  const nlohmann::json outcome = nlohmann::json::parse(sync.out);
  EXPECT_EQ(outcome["data_source"], "google_workspace");
  EXPECT_EQ(outcome["sync"]["kinds"]["user"]["created"], 12) << sync.out;
  CliRun alerts = Vigil({"alerts", "--db", db_, "--tenant", "acme", "--json"});
  ASSERT_EQ(alerts.status, 0) << alerts.err;
  std::map<std::string, int> types;
  const nlohmann::json listed = nlohmann::json::parse(alerts.out);
  for (const nlohmann::json& a : listed) ++types[a["type"]];
  EXPECT_EQ(types, (std::map<std::string, int>{{"mfa.admin_not_registered", 1},
                                               {"mfa.user_not_registered", 5},
                                               {"privilege.stale_admin", 1},
                                               {"stale.user", 4}}))
      << alerts.out;
}

// The invariants of Microsoft 365, on Workspace: a refused scope leaves
// its data's alerts as they were, an empty user list is refused by the
// deletion guard, and an identical resync writes nothing.
TEST_F(GoogleWorkspaceCliTest, WorkspaceKeepsTheSameInvariantsAsMicrosoft365) {
  const int64_t id = AddSource();
  ASSERT_TRUE(SyncNow(id).status.ok());
  auto open_alerts = [&] {
    CliRun run = Vigil({"alerts", "--db", db_, "--tenant", "acme", "--json"});
    EXPECT_EQ(run.status, 0) << run.err;
    std::map<std::string, int64_t> ids;  // "type subject" -> alert id
    for (const nlohmann::json& a : nlohmann::json::parse(run.out)) {
      ids[a["type"].get<std::string>() + " " + a["subject"].get<std::string>()] = a["id"];
    }
    return ids;
  };
  const auto before = open_alerts();
  ASSERT_EQ(before.count("privilege.stale_admin u0"), 1u);

  google_->Deny(kRoles);  // no roles: the privilege batch cannot be complete
  SyncOutcome refused = SyncNow(id);
  ASSERT_TRUE(refused.status.ok()) << refused.status.ToString();
  ASSERT_TRUE(refused.analysis.has_value());
  for (const Batch& b : refused.analysis->run.batches) {
    if (b.analysis_type == "privilege") {
      EXPECT_EQ(b.status, BatchStatus::kIncomplete);
    }
  }
  EXPECT_EQ(open_alerts(), before);
  google_->ClearDeny(kRoles);

  google_->SetUsers({});
  SyncOutcome empty = SyncNow(id);
  EXPECT_FALSE(empty.status.ok());
  EXPECT_NE(empty.status.message().find("refused: this sync would delete 12 of 12"),
            std::string::npos)
      << empty.status.ToString();
  EXPECT_EQ(open_alerts(), before);

  std::vector<std::string> users;
  for (int i = 0; i < 12; ++i) users.push_back(User(i));
  google_->SetUsers(users);
  SyncOutcome again = SyncNow(id);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  for (const auto& [kind, counts] : again.sync.kinds) {
    EXPECT_EQ(counts.created + counts.updated + counts.deleted, 0) << KindName(kind);
  }
  EXPECT_EQ(again.sync.links_added + again.sync.links_removed, 0);
  ASSERT_TRUE(again.analysis.has_value());
  EXPECT_TRUE(again.analysis->reconcile.changes.empty());
  EXPECT_EQ(open_alerts(), before);
}

}  // namespace
}  // namespace vigil
