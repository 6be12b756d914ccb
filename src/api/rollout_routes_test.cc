// /api/v1/rollouts through Api::Handle: what `vigil rollout` does, admin
// only, with bad requests refused by name and nothing stored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/rule_rollout.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;

class RolloutRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken("ops-admin");
    tenant_token_ = f_.TenantToken("contoso");
    f_.TenantToken("fabrikam");
  }

  nlohmann::json Settings() {
    ApiResponse r = f_.Call("GET", "/api/v1/rollouts", admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["settings"];
  }

  ApiFixture f_;
  std::string admin_, tenant_token_;
};

TEST_F(RolloutRoutesTest, CandidatePromoteRollbackAndStatus) {
  ApiResponse set = f_.Call("PUT", "/api/v1/rollouts/stale/candidate", admin_,
                            R"({"version": 2, "all": true})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Body(set), nlohmann::json::parse(
                           R"({"type":"stale","changed":["contoso","fabrikam"],"unchanged":[],"cleared":[]})"));
  ApiResponse promote = f_.Call("POST", "/api/v1/rollouts/stale/promote", admin_,
                                R"({"version": 2, "tenants": ["fabrikam"]})");
  ASSERT_EQ(promote.status, 200) << promote.body;
  EXPECT_EQ(Body(promote)["changed"], nlohmann::json::parse(R"(["fabrikam"])"));

  const nlohmann::json settings = Settings();
  ASSERT_EQ(settings.size(), 2u);
  EXPECT_EQ(settings[1]["tenant"], "fabrikam");
  EXPECT_EQ(settings[1]["active"], 2);
  EXPECT_EQ(settings[1]["previous"], 1);
  EXPECT_TRUE(settings[1]["candidate"].is_null());
  EXPECT_EQ(settings[1]["updated_by"], "ops-admin");
  EXPECT_EQ(settings[0]["candidate"], 2);

  ApiResponse back = f_.Call("POST", "/api/v1/rollouts/stale/rollback", admin_);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Body(back)["changed"], nlohmann::json::parse(R"(["fabrikam"])"));
  // fabrikam is back to the default (version 1, no candidate): not listed.
  ASSERT_EQ(Settings().size(), 1u);
  EXPECT_EQ(Settings()[0]["tenant"], "contoso");

  ApiResponse clear = f_.Call("PUT", "/api/v1/rollouts/stale/candidate", admin_,
                              R"({"version": null, "all": true})");
  ASSERT_EQ(clear.status, 200) << clear.body;
  EXPECT_TRUE(Settings().empty());

  ApiResponse diff = f_.Call("GET", "/api/v1/rollouts/stale/diff?tenant=contoso", admin_);
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_TRUE(Body(diff)["runs"].empty());  // no analysis ran with a candidate
}

TEST_F(RolloutRoutesTest, TenantTokensAreForbidden) {
  EXPECT_EQ(f_.Call("GET", "/api/v1/rollouts", tenant_token_).status, 403);
  EXPECT_EQ(f_.Call("POST", "/api/v1/rollouts/stale/promote", tenant_token_,
                    R"({"version": 2, "all": true})")
                .status,
            403);
  EXPECT_EQ(f_.Call("GET", "/api/v1/rollouts").status, 401);
  EXPECT_TRUE(Settings().empty());
}

TEST_F(RolloutRoutesTest, BadRequestsNameWhatWasWrongAndStoreNothing) {
  struct Case {
    std::string method, path, body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/rollouts/stal/promote", R"({"version": 2, "all": true})", 400,
       "unknown analysis type \"stal\" (known: mfa, license, stale, privilege, policy)"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"version": 3, "all": true})", 400,
       "stale has no version 3 (versions 1-2)"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"all": true})", 400, "version: required"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"version": "2", "all": true})", 400,
       "version: expected a number, got string"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"version": 2, "percent": 0})", 400,
       "percentage 0 is not from 1 to 100"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"version": 2, "percent": 10, "all": true})",
       400, "a rollout targets exactly one of: a list of tenants, a percentage, all tenants"},
      {"POST", "/api/v1/rollouts/stale/promote", R"({"version": 2, "tenants": ["nope"]})", 404,
       "no tenant named \"nope\""},
      {"PUT", "/api/v1/rollouts/stale/candidate", R"({"version": 2, "al": true})", 400,
       "request body: unknown field \"al\" (known: version, tenants, percent, all)"},
      {"GET", "/api/v1/rollouts/stal/diff", "", 400,
       "unknown analysis type \"stal\" (known: mfa, license, stale, privilege, policy)"},
      {"GET", "/api/v1/rollouts/stale/diff?tenant=nope", "", 404, "no tenant named \"nope\""},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call(c.method, c.path, admin_, c.body);
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.body << ": " << r.body;
    EXPECT_EQ(Body(r)["error"]["message"], c.message) << c.path << " " << c.body;
  }
  EXPECT_TRUE(Settings().empty());
}

}  // namespace
}  // namespace vigil
