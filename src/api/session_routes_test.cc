// GET /api/v1/session and /api/v1/alert-types through Api::Handle.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/alert_types.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;

TEST(SessionRoutesTest, ATenantTokenIsItsTenantsAndNotAdmin) {
  ApiFixture f;
  const std::string token = f.TenantToken("contoso");
  ApiResponse r = f.Call("GET", "/api/v1/session", token);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = Body(r);
  EXPECT_EQ(body["admin"], false);
  EXPECT_EQ(body["tenant"], "contoso");
  EXPECT_TRUE(body["token"].is_string());
  EXPECT_FALSE(body["token"].get<std::string>().empty());
}

TEST(SessionRoutesTest, AnAdminTokenHasNoTenant) {
  ApiFixture f;
  ApiResponse r = f.Call("GET", "/api/v1/session", f.AdminToken());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["admin"], true);
  EXPECT_TRUE(Body(r)["tenant"].is_null());
}

TEST(SessionRoutesTest, WithoutATokenIs401) {
  ApiFixture f;
  EXPECT_EQ(f.Call("GET", "/api/v1/session", "").status, 401);
  EXPECT_EQ(f.Call("GET", "/api/v1/session", "vigil_" + std::string(64, '0')).status, 401);
}

TEST(SessionRoutesTest, AlertTypesAreTheTableInOrder) {
  ApiFixture f;
  ApiResponse r = f.Call("GET", "/api/v1/alert-types", f.TenantToken("contoso"));
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json items = Body(r)["items"];
  ASSERT_EQ(items.size(), AllAlertTypes().size());
  size_t i = 0;
  for (const AlertTypeInfo& info : AllAlertTypes()) {
    EXPECT_EQ(items[i]["name"], std::string(info.name));
    EXPECT_EQ(items[i]["analysis_type"], std::string(info.analysis_type));
    ++i;
  }
  const nlohmann::json* mfa = nullptr;
  for (const nlohmann::json& item : items) {
    if (item["name"] == "mfa.user_not_registered") mfa = &item;
  }
  ASSERT_NE(mfa, nullptr);
  EXPECT_EQ((*mfa)["subject"], "user");
  EXPECT_FALSE((*mfa)["fires_when"].get<std::string>().empty());
}

}  // namespace
}  // namespace vigil
