// A microsoft365 data source end to end, as an operator sets it up: `vigil
// key`/`source add`/`source test` against the fake Graph, then the pipeline
// syncs through the provider factory and analyzes; the alerts equal those of
// the same tenant synced from a Graph directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/cli_test_support.h"
#include "pipeline/pipeline.h"
#include "app/provider_factory.h"
#include "common/ids.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/secret_box.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fake_graph.h"
#include "testing/routing_http_client.h"

namespace vigil {
namespace {

using testing::AlertKeys;
using testing::Vigil;

constexpr char kTenantId[] = "contoso.onmicrosoft.com";
constexpr char kClientId[] = "7f9c2a41-7d1e-4c55-9b0e-2f3a1d4c5b6e";
constexpr char kSecret[] = "s3cret-value-never-shown";

class Microsoft365PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil-m365-" + NewTraceId());
    std::filesystem::create_directories(dir_);
    SyntheticOptions options;
    options.users = 120;
    options.seed = 7;
    now_ = options.now;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), dir_ + "/graph").ok());
    graph_ = testing::FakeGraph::Start();
    graph_->AddTenant(kTenantId, kClientId, kSecret);
    ASSERT_TRUE(graph_->LoadDirectory(kTenantId, dir_ + "/graph").ok());
    Result<SecretKey> key = SecretKey::Generate();
    ASSERT_TRUE(key.ok());
    std::string text = key->ToKeyFileText();
    ASSERT_EQ(setenv("VIGIL_SECRET_KEY", text.c_str(), 1), 0);
    ScrubString(&text);
    std::ofstream(dir_ + "/secret.txt") << kSecret << "\n";
  }
  void TearDown() override {
    unsetenv("VIGIL_SECRET_KEY");
    graph_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Db() const { return dir_ + "/vigil.db"; }

  // `vigil source add` for the fake (or with `where` instead of its URLs);
  // returns the data source id.
  int64_t AddSource(std::vector<std::string> where = {}) {
    if (where.empty()) {
      where = {"--authority-url", graph_->authority_url(), "--graph-url", graph_->graph_url()};
    }
    std::vector<std::string> args = {"source",
                                     "add",
                                     "--db",
                                     Db(),
                                     "--tenant",
                                     "contoso",
                                     "--provider",
                                     "microsoft365",
                                     "--tenant-id",
                                     kTenantId,
                                     "--client-id",
                                     kClientId,
                                     "--client-secret-file",
                                     dir_ + "/secret.txt"};
    args.insert(args.end(), where.begin(), where.end());
    testing::CliRun add = Vigil(args);
    EXPECT_EQ(add.status, 0) << add.err;
    EXPECT_EQ(add.out.find(kSecret), std::string::npos);
    EXPECT_EQ(add.err.find(kSecret), std::string::npos);
    return add.status == 0 ? std::stoll(add.out) : 0;
  }

  // Syncs the data source through the provider factory (its requests
  // through `http` when given), then analyzes; `spans` (when given) receives
  // the trace's spans.
  SyncOutcome SyncNow(int64_t source_id, std::vector<SpanRecord>* spans = nullptr,
                      std::shared_ptr<HttpClient> http = nullptr) {
    std::unique_ptr<vigil::Db> db = OpenSqliteDb(Db()).value();
    std::unique_ptr<Clock> clock = NewFixedClock(now_);
    DataSourceRow source = GetDataSource(db.get(), source_id).value();
    Result<std::unique_ptr<Provider>> provider =
        OpenProvider(source, ProviderContext{db.get(), clock.get(), std::move(http)});
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    if (!provider.ok()) return {provider.status(), {}, {}, {}};
    Trace trace(NewTraceId(), clock.get(), nullptr);
    SyncOutcome outcome = RunSyncAndAnalyze(db.get(), *clock, *clock, source.tenant_id,
                                            source_id, provider->get(), {}, &trace);
    if (spans) *spans = trace.TakeFinished();
    return outcome;
  }

  std::string dir_;
  TimeMs now_ = 0;
  std::unique_ptr<testing::FakeGraph> graph_;
};

TEST_F(Microsoft365PipelineTest, SourceTestPassesEveryCheckWithAllPermissions) {
  const int64_t id = AddSource();
  testing::CliRun test = Vigil({"source", "test", "--db", Db(), std::to_string(id)});
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  EXPECT_NE(test.out.find("all 10 checks passed"), std::string::npos) << test.out;
  EXPECT_EQ(test.out.find(kSecret), std::string::npos);
}

TEST_F(Microsoft365PipelineTest, SourceTestNamesTheMissingPermissions) {
  const int64_t id = AddSource();
  graph_->Deny(kTenantId, "/v1.0/subscribedSkus", "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  graph_->DenySignInActivity(kTenantId);
  testing::CliRun test = Vigil({"source", "test", "--db", Db(), std::to_string(id)});
  EXPECT_EQ(test.status, 1) << test.out;
  EXPECT_NE(test.out.find("licenses            MISSING: needs Organization.Read.All (403 "
                          "Authorization_RequestDenied: Insufficient privileges"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("sign-in activity    MISSING: needs AuditLog.Read.All"),
            std::string::npos)
      << test.out;
  EXPECT_NE(test.out.find("2 of 10 checks failed; grant the app registration: "
                          "AuditLog.Read.All (and an Entra ID P1 tenant), Organization.Read.All"),
            std::string::npos)
      << test.out;
}

TEST_F(Microsoft365PipelineTest, SourceTestChecksTheDeltaLinkAsTheSyncWillFollowIt) {
  const int64_t id = AddSource();
  // Relative links are resolved as the sync resolves them.
  graph_->SetLinks(testing::FakeGraphLinks::kRelativePath);
  testing::CliRun relative = Vigil({"source", "test", "--db", Db(), std::to_string(id)});
  EXPECT_EQ(relative.status, 0) << relative.out << relative.err;
  EXPECT_NE(relative.out.find("  users delta         ok\n"), std::string::npos) << relative.out;

  // A delta link to another origin would fail every sync: a required check.
  testing::FakeGraphFault fault;
  fault.status = 200;
  fault.body = R"({"value":[],"@odata.deltaLink":)"
               R"("https://elsewhere.example/v1.0/users/delta?$deltatoken=x"})";
  graph_->InjectFault("/v1.0/users/delta", fault);
  testing::CliRun elsewhere = Vigil({"source", "test", "--db", Db(), std::to_string(id)});
  EXPECT_EQ(elsewhere.status, 1) << elsewhere.out;
  const std::string origin = "http://127.0.0.1:" + std::to_string(graph_->port());
  EXPECT_NE(elsewhere.out.find("  users delta         MISSING: GET /v1.0/users/delta page 1: "
                               "@odata.deltaLink leads to https://elsewhere.example, outside " +
                               origin + "\n"),
            std::string::npos)
      << elsewhere.out;
  EXPECT_NE(elsewhere.out.find("\n1 of 10 checks failed\n"), std::string::npos) << elsewhere.out;
}

TEST_F(Microsoft365PipelineTest, AWrongSecretFailsTheCredentialsCheck) {
  std::ofstream(dir_ + "/secret.txt") << "not-the-secret\n";
  const int64_t id = AddSource();
  testing::CliRun test = Vigil({"source", "test", "--db", Db(), std::to_string(id)});
  EXPECT_EQ(test.status, 1);
  EXPECT_NE(test.out.find("credentials         MISSING: tenant contoso.onmicrosoft.com: cannot "
                          "get an access token: HTTP 401 invalid_client"),
            std::string::npos)
      << test.out;
  EXPECT_EQ(test.out.find("not-the-secret"), std::string::npos);
}

TEST_F(Microsoft365PipelineTest, LiveSyncGivesTheAlertsOfTheSameDirectory) {
  const int64_t id = AddSource();
  SyncOutcome live = SyncNow(id);
  ASSERT_TRUE(live.status.ok()) << live.status.ToString();
  ASSERT_TRUE(live.analysis_status.ok()) << live.analysis_status.ToString();

  const std::string other = dir_ + "/directory.db";
  testing::CliRun dir_sync = Vigil({"sync", "--db", other, "--tenant", "contoso", "--from-dir",
                                    dir_ + "/graph", "--now", FormatIso8601(now_)});
  ASSERT_EQ(dir_sync.status, 0) << dir_sync.err;
  const auto expected = AlertKeys(other, "contoso");
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(AlertKeys(Db(), "contoso"), expected);
}

// `vigil sync` without --from-dir: the stored live data source, through
// the same provider `vigil serve` would open, then the analysis; what the
// user sees equals a sync of the same tenant's directory.
TEST_F(Microsoft365PipelineTest, VigilSyncWithoutADirectorySyncsTheStoredLiveSource) {
  ASSERT_NE(AddSource(), 0);
  testing::CliRun live =
      Vigil({"sync", "--db", Db(), "--tenant", "contoso", "--now", FormatIso8601(now_), "--json"});
  ASSERT_EQ(live.status, 0) << live.err;
  const nlohmann::json outcome = nlohmann::json::parse(live.out);
  EXPECT_EQ(outcome["data_source"], "microsoft365");
  EXPECT_EQ(outcome["sync"]["kinds"]["user"]["created"], 120) << live.out;
  EXPECT_EQ(live.out.find(kSecret), std::string::npos);

  const std::string other = dir_ + "/directory.db";
  testing::CliRun dir_sync = Vigil({"sync", "--db", other, "--tenant", "contoso", "--from-dir",
                                    dir_ + "/graph", "--now", FormatIso8601(now_), "--json"});
  ASSERT_EQ(dir_sync.status, 0) << dir_sync.err;
  const auto expected = AlertKeys(other, "contoso");
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(AlertKeys(Db(), "contoso"), expected);

  // Again, by name: nothing changed at the fake, so nothing is written.
  testing::CliRun again = Vigil({"sync", "--db", Db(), "--tenant", "contoso", "--source",
                                 "microsoft365", "--now", FormatIso8601(now_), "--json"});
  ASSERT_EQ(again.status, 0) << again.err;
  const nlohmann::json second = nlohmann::json::parse(again.out);
  EXPECT_EQ(second["sync"]["kinds"]["user"]["created"], 0) << again.out;
  EXPECT_EQ(second["sync"]["kinds"]["user"]["updated"], 0) << again.out;
  EXPECT_EQ(AlertKeys(Db(), "contoso"), expected);
}

TEST_F(Microsoft365PipelineTest, VigilSyncWithoutADirectoryNamesWhatIsMissing) {
  const std::string missing = dir_ + "/no-such.db";
  testing::CliRun no_db = Vigil({"sync", "--db", missing, "--tenant", "contoso"});
  EXPECT_EQ(no_db.status, 1);
  EXPECT_NE(no_db.err.find(missing), std::string::npos) << no_db.err;
  EXPECT_FALSE(std::filesystem::exists(missing));

  ASSERT_NE(AddSource(), 0);
  testing::CliRun no_tenant = Vigil({"sync", "--db", Db(), "--tenant", "fabrikam"});
  EXPECT_EQ(no_tenant.status, 1);
  EXPECT_EQ(no_tenant.err,
            "vigil: there is no tenant \"fabrikam\" (sync a directory with --from-dir, or add a "
            "data source with `vigil source add`, to create it)\n");

  testing::CliRun no_source =
      Vigil({"sync", "--db", Db(), "--tenant", "contoso", "--source", "okta"});
  EXPECT_EQ(no_source.status, 1);
  EXPECT_EQ(no_source.err,
            "vigil: tenant \"contoso\" has no data source \"okta\"; its data sources: "
            "\"microsoft365\"\n");

  testing::CliRun format = Vigil(
      {"sync", "--db", Db(), "--tenant", "contoso", "--format", "google_json"});
  EXPECT_EQ(format.status, 2);
  EXPECT_EQ(format.err, "vigil: --format describes a directory: give it with --from-dir\n");

  // A second data source: which one is meant must be said.
  testing::CliRun second = Vigil({"sync", "--db", Db(), "--tenant", "contoso", "--source",
                                  "files", "--from-dir", dir_ + "/graph", "--now",
                                  FormatIso8601(now_)});
  ASSERT_EQ(second.status, 0) << second.err;
  testing::CliRun which = Vigil({"sync", "--db", Db(), "--tenant", "contoso"});
  EXPECT_EQ(which.status, 1);
  EXPECT_EQ(which.err,
            "vigil: tenant \"contoso\" has 2 data sources, \"microsoft365\" and \"files\": name "
            "one with --source\n");

  // Without the secret key the sealed client secret cannot be opened:
  // nothing syncs, and the error says why.
  unsetenv("VIGIL_SECRET_KEY");
  testing::CliRun no_key =
      Vigil({"sync", "--db", Db(), "--tenant", "contoso", "--source", "microsoft365"});
  EXPECT_EQ(no_key.status, 1);
  EXPECT_NE(no_key.err.find("VIGIL_SECRET_KEY"), std::string::npos) << no_key.err;
}

TEST_F(Microsoft365PipelineTest, RelativeLinksSyncTheWholeTenant) {
  graph_->SetLinks(testing::FakeGraphLinks::kAbsolutePath);
  graph_->SetMaxPageSize(50);  // 120 users: three pages
  const int64_t id = AddSource();
  SyncOutcome live = SyncNow(id);
  ASSERT_TRUE(live.status.ok()) << live.status.ToString();
  EXPECT_EQ(live.sync.kinds.at(EntityKind::kUser).created, 120);
  EXPECT_GE(graph_->Requests("/v1.0/users"), 3);
}

TEST_F(Microsoft365PipelineTest, ADataSourceInTheUsGovernmentCloudUsesItsTokenScopeAndGraph) {
  // The fake answers as the US Government cloud; its hosts lead to it.
  graph_->ServeAs("https://graph.microsoft.us");
  Result<std::unique_ptr<HttpClient>> curl = NewCurlHttpClient();
  ASSERT_TRUE(curl.ok());
  auto routed = std::make_shared<testing::RoutingHttpClient>(
      std::shared_ptr<HttpClient>(std::move(curl).value()),
      std::vector<testing::HttpRoute>{
          {"https://login.microsoftonline.us/", graph_->authority_url() + "/"},
          {"https://graph.microsoft.us/v1.0/", graph_->graph_url() + "/"}});
  const int64_t id = AddSource({"--cloud", "usgov"});
  ASSERT_NE(id, 0);
  SyncOutcome live = SyncNow(id, nullptr, routed);
  ASSERT_TRUE(live.status.ok()) << live.status.ToString();
  ASSERT_TRUE(live.analysis_status.ok()) << live.analysis_status.ToString();
  EXPECT_EQ(live.sync.kinds.at(EntityKind::kUser).created, 120);

  EXPECT_EQ(graph_->TokenScopes(), std::vector<std::string>{"https://graph.microsoft.us/.default"});
  const std::vector<std::string> urls = routed->Urls();
  ASSERT_FALSE(urls.empty());
  EXPECT_EQ(
      urls[0].rfind(
          std::string("https://login.microsoftonline.us/") + kTenantId + "/oauth2/v2.0/token", 0),
      0u);
  int graph_requests = 0;
  for (const std::string& url : urls) {
    graph_requests += url.rfind("https://graph.microsoft.us/v1.0/", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(graph_requests + 1, static_cast<int>(urls.size())) << "one token, the rest Graph";
}

TEST_F(Microsoft365PipelineTest, WithoutSignInsStaleAlertsStayAndTheTraceSaysWhy) {
  const int64_t id = AddSource();
  ASSERT_TRUE(SyncNow(id).status.ok());
  const auto before = AlertKeys(Db(), "contoso");
  graph_->DenySignInActivity(kTenantId);
  graph_->ExpireDeltaTokens(kTenantId);  // a full read, which asks for signInActivity
  std::vector<SpanRecord> spans;
  SyncOutcome denied = SyncNow(id, &spans);
  ASSERT_TRUE(denied.status.ok()) << denied.status.ToString();
  std::string reason;
  for (const SpanRecord& s : spans) {
    if (s.name != "provider.fetch") continue;
    auto it = s.attributes.find("not_available.signin");
    if (it != s.attributes.end()) reason = it->second;
  }
  EXPECT_EQ(reason.rfind("signInActivity: permission missing: 403", 0), 0u) << reason;
  // Stale and privilege are INCOMPLETE: their alerts stay exactly as they were.
  EXPECT_EQ(AlertKeys(Db(), "contoso"), before);
}

TEST_F(Microsoft365PipelineTest, AnEmptyUserListIsRefusedAndResolvesNothing) {
  const int64_t id = AddSource();
  ASSERT_TRUE(SyncNow(id).status.ok());
  const auto before = AlertKeys(Db(), "contoso");
  // The tenant suddenly answers with no users at all.
  std::ofstream(dir_ + "/graph/users.json") << R"({"value":[]})";
  ASSERT_TRUE(graph_->LoadDirectory(kTenantId, dir_ + "/graph").ok());
  graph_->ExpireDeltaTokens(kTenantId);
  SyncOutcome empty = SyncNow(id);
  EXPECT_FALSE(empty.status.ok());
  EXPECT_NE(empty.status.message().find("would delete 120 of 120 user entities"),
            std::string::npos)
      << empty.status.message();
  EXPECT_EQ(AlertKeys(Db(), "contoso"), before);
}

}  // namespace
}  // namespace vigil
