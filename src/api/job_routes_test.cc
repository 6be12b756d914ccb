// The job routes through Api::Handle: listing with filters, one job, and
// what a tenant token may see (its tenant's group only).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "queue/job_json.h"
#include "queue/queue.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;

using testing::Body;
using testing::Message;

std::vector<std::string> Ids(const ApiResponse& r) {
  std::vector<std::string> ids;
  const nlohmann::json body = Body(r);
  for (const nlohmann::json& item : body["items"]) ids.push_back(item["id"]);
  return ids;
}

// Jobs, oldest first: sync of contoso, sync of fabrikam, a job without a
// group, analyze of contoso (delayed).
class JobRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso");
    fabrikam_token_ = f_.TenantToken("fabrikam");
    contoso_sync_ = Add("sync", "contoso", "job-c1", 0);
    fabrikam_sync_ = Add("sync", "fabrikam", "job-f1", 0);
    groupless_ = Add("prune", "", "job-p1", 0);
    contoso_analyze_ = Add("analyze", "contoso", "job-c2", 60 * 1000);
  }

  // Adds job `id` for tenant `tenant` ("" = no group), `delay_ms` from now.
  std::string Add(const std::string& name, const std::string& tenant, const std::string& id,
                  int64_t delay_ms) {
    JobOptions options;
    options.job_id = id;
    options.delay_ms = delay_ms;
    if (!tenant.empty()) {
      Result<std::optional<TenantRow>> row = FindTenant(f_.db(), tenant);
      EXPECT_TRUE(row.ok() && row->has_value());
      if (row.ok() && row->has_value()) options.group = std::to_string((*row)->id);
    }
    Result<AddResult> added =
        f_.queue()->Add(name, R"({"trace_id":"trace-)" + id + R"("})", options);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    f_.clock()->Advance(1000);  // distinct creation times: a stable newest-first order
    return added.ok() ? added->job_id : "";
  }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
  std::string contoso_sync_, fabrikam_sync_, groupless_, contoso_analyze_;
};

TEST_F(JobRoutesTest, ATenantTokenListsOnlyItsTenantsJobsNewestFirst) {
  ApiResponse r = f_.Call("GET", "/api/v1/jobs", contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), (std::vector<std::string>{contoso_analyze_, contoso_sync_}));
  const nlohmann::json job = Body(r)["items"][1];
  EXPECT_EQ(job["name"], "sync");
  EXPECT_EQ(job["state"], "waiting");
  EXPECT_EQ(job["tenant"], "contoso");
  EXPECT_EQ(job["trace_id"], "trace-job-c1");
  EXPECT_EQ(job["payload"], (nlohmann::json{{"trace_id", "trace-job-c1"}}));
  EXPECT_TRUE(job["finished_at"].is_null());
  EXPECT_EQ(f_.Call("GET", "/api/v1/jobs?tenant=contoso", contoso_token_).body, r.body);

  ApiResponse all = f_.Call("GET", "/api/v1/jobs", admin_);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Ids(all), (std::vector<std::string>{contoso_analyze_, groupless_, fabrikam_sync_,
                                                contoso_sync_}));
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/jobs?tenant=fabrikam", admin_)),
            std::vector<std::string>{fabrikam_sync_});
}

TEST_F(JobRoutesTest, FiltersByStateAndLimit) {
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/jobs?state=delayed", contoso_token_)),
            std::vector<std::string>{contoso_analyze_});
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/jobs?state=waiting", contoso_token_)),
            std::vector<std::string>{contoso_sync_});
  EXPECT_TRUE(Ids(f_.Call("GET", "/api/v1/jobs?state=failed", admin_)).empty());
  EXPECT_EQ(Ids(f_.Call("GET", "/api/v1/jobs?limit=1", admin_)),
            std::vector<std::string>{contoso_analyze_});
}

TEST_F(JobRoutesTest, QueueCountsAreTheWholeQueueForAdminAndTheTenantsForATenantToken) {
  ApiResponse all = f_.Call("GET", "/api/v1/queue", admin_);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Body(all)["counts"],
            (nlohmann::json{{"waiting", 3}, {"delayed", 1}, {"active", 0}, {"completed", 0},
                            {"failed", 0}}));
  EXPECT_EQ(Body(all)["paused"], false);
  EXPECT_TRUE(Body(all)["capped_at"].is_null());

  ApiResponse mine = f_.Call("GET", "/api/v1/queue", contoso_token_);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Body(mine)["counts"],
            (nlohmann::json{{"waiting", 1}, {"delayed", 1}, {"active", 0}, {"completed", 0},
                            {"failed", 0}}));
  EXPECT_EQ(Body(mine)["capped_at"], 1000);
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/queue", fabrikam_token_))["counts"]["waiting"], 1);
}

TEST_F(JobRoutesTest, BadParametersAnswer400) {
  ApiResponse r = f_.Call("GET", "/api/v1/jobs?state=sleeping", contoso_token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["error"]["code"], "bad_request");
  EXPECT_EQ(Message(r),
            "state: \"sleeping\" is not a job state (waiting, delayed, active, completed, failed)");
  r = f_.Call("GET", "/api/v1/jobs?limit=1001", contoso_token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Message(r), "limit: \"1001\" is not a page size from 1 to 1000");
}

TEST_F(JobRoutesTest, OneJobIsTheSameJsonAsTheCliShows) {
  ApiResponse r = f_.Call("GET", "/api/v1/jobs/" + contoso_sync_, contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  Result<JobInfo> info = f_.queue()->Get(contoso_sync_);
  ASSERT_TRUE(info.ok());
  Result<std::map<std::string, std::string>> names = TenantNamesByGroup(f_.db());
  ASSERT_TRUE(names.ok());
  const nlohmann::json body = Body(r);
  EXPECT_EQ(body, JobToJson(*info, *names));
  std::vector<std::string> keys;
  for (const auto& [key, value] : body.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"attempts_made", "created_at", "error", "finished_at", "id",
                                      "max_attempts", "name", "payload", "return_value", "run_at",
                                      "started_at", "state", "tenant", "trace_id"}));
}

TEST_F(JobRoutesTest, AnotherTenantsJobAnswersExactlyAsAMissingOne) {
  for (const std::string& id : {fabrikam_sync_, groupless_, std::string("no-such-job")}) {
    ApiResponse r = f_.Call("GET", "/api/v1/jobs/" + id, contoso_token_);
    EXPECT_EQ(r.status, 404) << id;
    EXPECT_EQ(Body(r)["error"]["code"], "not_found");
    EXPECT_EQ(Message(r), "job " + id + " not found");
  }
  ApiResponse r = f_.Call("GET", "/api/v1/jobs?tenant=fabrikam", contoso_token_);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Message(r), "tenant \"fabrikam\" not found");
  // The admin sees every job, the groupless one included.
  EXPECT_EQ(f_.Call("GET", "/api/v1/jobs/" + groupless_, admin_).status, 200);
  EXPECT_EQ(Body(f_.Call("GET", "/api/v1/jobs/" + groupless_, admin_))["tenant"], "");
  EXPECT_EQ(f_.Call("GET", "/api/v1/jobs/" + fabrikam_sync_, fabrikam_token_).status, 200);
}

}  // namespace
}  // namespace vigil
