// Google Workspace from files, as a user runs it: `vigil generate --provider
// google_workspace`, `vigil source add --provider google_json`, and a sync
// of that source through the provider factory into the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_test_support.h"
#include "app/provider_factory.h"
#include "common/ids.h"
#include "common/time.h"
#include "pipeline/pipeline.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::Vigil;

constexpr char kNow[] = "2026-01-01T00:00:00Z";

class GoogleFilesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    google_ = dir_ + "/google";
  }

  CliRun Generate(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"generate", "--provider", "google_workspace", "--out", google_,
                                     "--tenant", "acme",       "--users",          "30",    "--now",
                                     kNow};
    args.insert(args.end(), extra.begin(), extra.end());
    return Vigil(args);
  }

  // Syncs data source `id` through OpenProvider, then analyzes.
  SyncOutcome SyncNow(int64_t id) {
    std::unique_ptr<Db> db = OpenSqliteDb(db_).value();
    std::unique_ptr<Clock> clock = NewFixedClock(*ParseIso8601(kNow));
    DataSourceRow source = GetDataSource(db.get(), id).value();
    Result<std::unique_ptr<Provider>> provider = OpenProvider(source);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    if (!provider.ok()) return {provider.status(), {}, {}, {}};
    EXPECT_EQ((*provider)->name(), "google_json");
    Trace trace(NewTraceId(), clock.get(), nullptr);
    return RunSyncAndAnalyze(db.get(), *clock, *clock, source.tenant_id, id, provider->get(), {},
                             &trace);
  }

  std::string dir_, db_, google_;
};

TEST_F(GoogleFilesCliTest, GenerateWritesAWorkspaceDirectory) {
  CliRun gen = Generate();
  ASSERT_EQ(gen.status, 0) << gen.err;
  EXPECT_EQ(gen.out.rfind("wrote Google Workspace tenant acme (30 users, 5 roles, ", 0), 0u)
      << gen.out;
  EXPECT_NE(gen.out.find(") to " + google_ + " as of 2026-01-01T00:00:00Z\n"), std::string::npos)
      << gen.out;
  for (const char* file :
       {"users.json", "roles.json", "roleAssignments.json", "licenseAssignments.json"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(google_ + "/" + file)) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(google_ + "/subscribedSkus.json"));

  CliRun shared = Generate(
      {"--same-people-as-tenant", "contoso", "--same-people-users", "40", "--shared-people", "12"});
  ASSERT_EQ(shared.status, 0) << shared.err;
  EXPECT_NE(shared.out.find(", 12 people shared with Microsoft 365 tenant contoso)"),
            std::string::npos)
      << shared.out;
}

TEST_F(GoogleFilesCliTest, GenerateRefusesWhatItCannotDo) {
  CliRun unknown = Vigil({"generate", "--provider", "okta", "--out", google_});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err,
            "vigil: --provider: unknown provider \"okta\" (known: microsoft365, "
            "google_workspace)\n");
  CliRun misplaced = Vigil({"generate", "--out", google_, "--same-people-as-tenant", "contoso"});
  EXPECT_EQ(misplaced.status, 2);
  EXPECT_EQ(misplaced.err,
            "vigil: --same-people-as-tenant and --shared-people are for --provider "
            "google_workspace\n");
  CliRun alone = Generate({"--shared-people", "3"});
  EXPECT_EQ(alone.status, 2);
  EXPECT_EQ(alone.err, "vigil: --shared-people needs --same-people-as-tenant\n");
  CliRun bad_name = Generate({"--same-people-as-tenant", "no such!"});
  EXPECT_EQ(bad_name.status, 2);
  EXPECT_EQ(bad_name.err.rfind("vigil: --same-people-as-tenant: tenant name", 0), 0u)
      << bad_name.err;
  EXPECT_FALSE(std::filesystem::exists(google_));

  // The default is today's Microsoft 365 tenant.
  CliRun m365 = Vigil({"generate", "--out", dir_ + "/graph", "--users", "10"});
  ASSERT_EQ(m365.status, 0) << m365.err;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_ + "/graph/subscribedSkus.json"));
}

TEST_F(GoogleFilesCliTest, SourceAddChecksAndStoresTheDirectory) {
  CliRun no_dir =
      Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider", "google_json"});
  EXPECT_EQ(no_dir.status, 2);
  EXPECT_EQ(no_dir.err, "vigil: --provider google_json needs --dir\n");
  CliRun foreign = Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider",
                          "google_json", "--dir", dir_, "--client-id", "x"});
  EXPECT_EQ(foreign.status, 2);
  EXPECT_EQ(foreign.err, "vigil: --provider google_json does not take --client-id\n");
  CliRun missing = Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider",
                          "google_json", "--dir", google_});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "vigil: --dir " + google_ + ": no such directory\n");

  ASSERT_EQ(Generate().status, 0);
  CliRun add = Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider", "google_json",
                      "--dir", google_ + "/"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "1\n");
  EXPECT_EQ(add.err.rfind("added data source \"google\" (google_json) of tenant \"acme\"", 0), 0u)
      << add.err;
  CliRun sources = Vigil({"sources", "--db", db_, "--json"});
  ASSERT_EQ(sources.status, 0) << sources.err;
  const nlohmann::json listed = nlohmann::json::parse(sources.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["provider"], "google_json");
  EXPECT_EQ(listed[0]["settings"], nlohmann::json({{"dir", google_}}));
}

TEST_F(GoogleFilesCliTest, AStoredSourceSyncsThroughTheProviderFactory) {
  ASSERT_EQ(Generate().status, 0);
  CliRun add = Vigil({"source", "add", "--db", db_, "--tenant", "acme", "--provider", "google_json",
                      "--dir", google_});
  ASSERT_EQ(add.status, 0) << add.err;
  SyncOutcome first = SyncNow(1);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  EXPECT_EQ(first.sync.kinds.at(EntityKind::kUser).created, 30);
  EXPECT_EQ(first.sync.kinds.at(EntityKind::kRegistration).created, 30);
  EXPECT_GT(first.sync.kinds.at(EntityKind::kSku).created, 0);
  EXPECT_EQ(first.sync.unavailable.at(EntityKind::kSetting),
            "Google Workspace has no security defaults");
  EXPECT_EQ(first.sync.unavailable.at(EntityKind::kPolicy),
            "Google Workspace has no conditional access policies");
  EXPECT_EQ(first.sync.unavailable.at(EntityKind::kGroup), "Google Workspace has no groups synced");

  // An identical resync writes nothing.
  SyncOutcome again = SyncNow(1);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  for (const auto& [kind, counts] : again.sync.kinds) {
    EXPECT_EQ(counts.created + counts.updated + counts.deleted, 0) << KindName(kind);
  }
  EXPECT_EQ(again.sync.links_added + again.sync.links_removed, 0);

  // A damaged file fails the sync naming file and position.
  testing::WriteFile(google_ + "/users.json",
                     R"({"users":[{"id":"1","primaryEmail":"a@x","isEnrolledIn2Sv":"yes"}]})");
  SyncOutcome bad = SyncNow(1);
  EXPECT_FALSE(bad.status.ok());
  EXPECT_NE(bad.status.message().find("users.json: users[0].isEnrolledIn2Sv: expected boolean"),
            std::string::npos)
      << bad.status.ToString();
}

TEST_F(GoogleFilesCliTest, OpenProviderNamesTheSourceAndTheSetting) {
  DataSourceRow source;
  source.name = "google";
  source.provider = "google_json";
  source.settings = R"({"dir": 5})";
  Result<std::unique_ptr<Provider>> p = OpenProvider(source);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "data source \"google\" (google_json): settings: \"dir\": expected a string");
  source.settings = nlohmann::json({{"dir", dir_ + "/nope"}}).dump();
  p = OpenProvider(source);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "data source \"google\" (google_json): directory " + dir_ + "/nope does not exist");
}

}  // namespace
}  // namespace vigil
