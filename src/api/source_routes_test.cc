// /api/v1/sources as an API client sees them: the same JSON as `vigil
// sources --json` with secrets sealed, tenant scoping (another tenant's
// source is "not found"), adding (the body's every rule is in
// source_create_test.cc) and testing without a Graph client, and a sync
// enqueued with its trace.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "api/api.h"
#include "common/time.h"
#include "queue/pipeline_jobs.h"
#include "queue/schedules.h"
#include "store/secret_box.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"
#include "testing/scoped_env.h"

namespace vigil {
namespace {

using testing::Body;
using testing::Message;
using testing::Unlimited;

using testing::ApiFixture;
using testing::Count;
using testing::ScopedEnv;

class SourceRoutesTest : public ::testing::Test {
 protected:
  SourceRoutesTest() : f_(Unlimited()) {}

  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso");
    fabrikam_token_ = f_.TenantToken("fabrikam");
    Db* db = f_.db();
    contoso_ = FindTenant(db, "contoso").value()->id;
    fabrikam_ = FindTenant(db, "fabrikam").value()->id;
    const TimeMs now = f_.clock()->NowMs();
    graph_ =
        EnsureDataSource(db, contoso_, "graph", "graph_json", R"({"dir":"/data/contoso"})", now)
            .value()
            .id;
    m365_ = EnsureDataSource(db, contoso_, "m365", "microsoft365",
                             R"({"tenant_id":"contoso.example","client_id":"app.example",)"
                             R"("client_secret":"sbox1:c2VhbGVk","password":"hunter2"})",
                             now)
                .value()
                .id;
    other_ =
        EnsureDataSource(db, fabrikam_, "graph", "graph_json", R"({"dir":"/data/fabrikam"})", now)
            .value()
            .id;
    Schedule schedule;
    schedule.data_source_id = graph_;
    schedule.tenant_id = contoso_;
    schedule.interval_ms = 15 * 60 * 1000;
    schedule.next_run_at = now;
    ASSERT_TRUE(PutSchedule(db, schedule, now).ok());
  }

  int64_t Jobs() { return Count(f_.db(), "SELECT COUNT(*) FROM jobs"); }

  int64_t Sources() { return Count(f_.db(), "SELECT COUNT(*) FROM data_sources"); }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
  int64_t contoso_ = 0, fabrikam_ = 0, graph_ = 0, m365_ = 0, other_ = 0;
};

TEST_F(SourceRoutesTest, ListsShowTheCallersSourcesAsTheCliDoesWithSecretsSealed) {
  ApiResponse all = f_.Call("GET", "/api/v1/sources", admin_);
  ASSERT_EQ(all.status, 200) << all.body;
  const nlohmann::json items = Body(all)["items"];
  ASSERT_EQ(items.size(), 3u);
  const nlohmann::json schedule = {{"every", "15m"},
                                   {"window", nullptr},
                                   {"enabled", true},
                                   {"next_run_at", FormatIso8601(f_.clock()->NowMs())}};
  EXPECT_EQ(items[0], nlohmann::json({{"id", 1},
                                      {"tenant", "contoso"},
                                      {"name", "graph"},
                                      {"provider", "graph_json"},
                                      {"settings", {{"dir", "/data/contoso"}}},
                                      {"schedule", schedule},
                                      {"last_sync", nullptr},
                                      {"not_available", nlohmann::json::array()}}));
  EXPECT_EQ(items[1]["settings"], nlohmann::json({{"tenant_id", "contoso.example"},
                                                  {"client_id", "app.example"},
                                                  {"client_secret", "(sealed)"},
                                                  {"password", "(hidden)"}}));
  EXPECT_EQ(items[2]["tenant"], "fabrikam");
  EXPECT_EQ(all.body.find("sbox1:"), std::string::npos);
  EXPECT_EQ(all.body.find("hunter2"), std::string::npos);

  ApiResponse own = f_.Call("GET", "/api/v1/sources", contoso_token_);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Body(own)["items"], nlohmann::json({items[0], items[1]}));
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/sources?tenant=contoso", admin_))["items"],
            Body(own)["items"]);
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/sources", fabrikam_token_))["items"],
            nlohmann::json({items[2]}));

  ApiResponse other = f_.Call("GET", "/api/v1/sources?tenant=fabrikam", contoso_token_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Message(other), "tenant \"fabrikam\" not found");
}

TEST_F(SourceRoutesTest, OneSourceIsFoundOnlyByItsOwnTenant) {
  ApiResponse r = f_.Call("GET", "/api/v1/sources/" + std::to_string(graph_), contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), Body(f_.Call("GET", "/api/v1/sources", contoso_token_))["items"][0]);

  const std::string other = std::to_string(other_);
  for (const std::string& id : {other, std::string("999"), std::string("x")}) {
    ApiResponse missing = f_.Call("GET", "/api/v1/sources/" + id, contoso_token_);
    EXPECT_EQ(missing.status, 404) << id;
    EXPECT_EQ(Body(missing)["error"]["code"], "not_found");
    EXPECT_EQ(Message(missing), "data source " + id + " not found");
  }
  EXPECT_EQ(f_.Call("GET", "/api/v1/sources/" + other, admin_).status, 200);
}

TEST_F(SourceRoutesTest, TestingWithoutAGraphClientIs503AfterTheScopeCheck) {
  ApiResponse test =
      f_.Call("POST", "/api/v1/sources/" + std::to_string(m365_) + "/test", contoso_token_);
  EXPECT_EQ(test.status, 503);
  EXPECT_EQ(Body(test)["error"]["code"], "unavailable");
  EXPECT_EQ(Message(test), "testing data sources is not configured");

  // Another tenant's: 404 first, so a missing client tells nothing about it.
  ApiResponse other_test =
      f_.Call("POST", "/api/v1/sources/" + std::to_string(other_) + "/test", contoso_token_);
  EXPECT_EQ(other_test.status, 404);
  EXPECT_EQ(Message(other_test), "data source " + std::to_string(other_) + " not found");
}

TEST_F(SourceRoutesTest, AddingCreatesTheSourceForTheResolvedTenant) {
  ScopedEnv key(kSecretKeyEnv, SecretKey::Generate().value().ToKeyFileText());
  ScopedEnv no_key_file(kSecretKeyFileEnv, std::nullopt);
  ApiResponse r = f_.Call("POST", "/api/v1/sources", contoso_token_,
                          R"({"tenant": "contoso", "provider": "microsoft365", "name": "new",
                              "tenant_id": "contoso.example", "client_id": "app.example",
                              "client_secret": "s3cret"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["name"], "new");
  EXPECT_EQ(Body(r)["tenant"], "contoso");
  EXPECT_EQ(Body(r)["id"], 4);
  EXPECT_EQ(Body(r)["settings"]["client_secret"], "(sealed)");
  EXPECT_EQ(Body(r), Body(f_.Call("GET", "/api/v1/sources/4", contoso_token_)));

  r = f_.Call("POST", "/api/v1/sources", admin_,
              R"({"tenant": "contoso", "provider": "microsoft365", "tenant_id": "x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"]["code"], "bad_request");
  EXPECT_EQ(Message(r), "provider microsoft365 needs client_id, client_secret");
  EXPECT_EQ(Sources(), 4);
}

TEST_F(SourceRoutesTest, AddingNamesAMissingTenantAndRefusesAdminOnlyPartsToTenantTokens) {
  ApiResponse r = f_.Call("POST", "/api/v1/sources", admin_, R"({"provider": "graph_json"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "tenant: required");
  r = f_.Call("POST", "/api/v1/sources", admin_, R"({"tenant": "nobody"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "tenant \"nobody\" not found");

  r = f_.Call("POST", "/api/v1/sources", contoso_token_,
              R"({"tenant": "contoso", "provider": "graph_json", "dir": "/etc"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["error"]["code"], "forbidden");
  EXPECT_EQ(Message(r),
            "provider graph_json reads a directory on the server; adding one needs an admin token");
  r = f_.Call("POST", "/api/v1/sources", contoso_token_,
              R"({"tenant": "contoso", "provider": "microsoft365",
                  "graph_url": "http://127.0.0.1:6379"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Message(r),
            "graph_url: only an admin token may point a data source at another "
            "endpoint");
  EXPECT_EQ(Sources(), 3);

  const std::string dir = testing::NewTempDir();
  r = f_.Call("POST", "/api/v1/sources", admin_,
              nlohmann::json(
                  {{"tenant", "contoso"}, {"provider", "graph_json"}, {"name", "added"}, {"dir", dir}})
                  .dump());
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Sources(), 4);
}

TEST_F(SourceRoutesTest, SyncEnqueuesAJobThatCarriesTheTrace) {
  const std::string path = "/api/v1/sources/" + std::to_string(graph_) + "/sync";
  ApiResponse r = f_.Call("POST", path, contoso_token_);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string trace_id = Body(r)["trace_id"];
  const std::string job_id = Body(r)["job_id"];
  Result<JobInfo> job = f_.queue()->Get(job_id);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->name, kSyncJob);
  EXPECT_EQ(job->state, JobState::kWaiting);
  Result<SyncJobPayload> payload = ParseSyncJobPayload(job->payload);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(payload->trace_id, trace_id);
  EXPECT_EQ(payload->tenant_id, contoso_);
  EXPECT_EQ(payload->data_source_id, graph_);
  EXPECT_EQ(payload->trigger, "api");
  EXPECT_FALSE(payload->force);
  // The trace starts with the trigger span.
  EXPECT_EQ(Count(f_.db(),
                  "SELECT COUNT(*) FROM trace_spans WHERE name = 'trigger' AND"
                  " trace_id = '" +
                      trace_id + "'"),
            1);

  r = f_.Call("POST", path, admin_, R"({"force": true})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_NE(Body(r)["trace_id"], trace_id);
  payload = ParseSyncJobPayload(f_.queue()->Get(Body(r)["job_id"].get<std::string>())->payload);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_TRUE(payload->force);
}

TEST_F(SourceRoutesTest, SyncRefusesBadBodiesAndAnotherTenantsSourceWithoutEnqueuing) {
  const std::string path = "/api/v1/sources/" + std::to_string(graph_) + "/sync";
  ApiResponse r = f_.Call("POST", path, contoso_token_, R"({"force": "yes"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "force: expected true or false, got string");
  r = f_.Call("POST", path, contoso_token_, R"({"force": true, "now": 1})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "request body: unknown field \"now\" (known: force)");
  r = f_.Call("POST", path, contoso_token_, "{");
  EXPECT_EQ(Body(r)["error"]["code"], "invalid_json");
  r = f_.Call("POST", "/api/v1/sources/" + std::to_string(other_) + "/sync", contoso_token_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "data source " + std::to_string(other_) + " not found");
  EXPECT_EQ(Jobs(), 0);
}

}  // namespace
}  // namespace vigil
