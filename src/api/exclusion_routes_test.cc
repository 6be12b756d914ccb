// A tenant's exclusions through the API as a client sees them: listing,
// adding (who added it is the token), refusing bad input with a message
// that says what is wrong, removing, and never reaching another tenant's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "common/time.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::Body;
using testing::Count;
using testing::Message;
using testing::Unlimited;

constexpr const char* kContoso = "/api/v1/tenants/contoso/exclusions";

class ExclusionRoutesTest : public ::testing::Test {
 protected:
  ExclusionRoutesTest() : f_(Unlimited()) {}

  void SetUp() override {
    admin_ = f_.AdminToken("msp-admin");
    contoso_token_ = f_.TenantToken("contoso", "contoso-ops");
    fabrikam_token_ = f_.TenantToken("fabrikam", "fabrikam-ops");
  }

  int64_t Stored() { return Count(f_.db(), "SELECT COUNT(*) FROM exclusions"); }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
};

TEST_F(ExclusionRoutesTest, AddListAndRemoveWithTheTokenAsWhoAddedIt) {
  ApiResponse empty = f_.Call("GET", kContoso, contoso_token_);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(Body(empty), nlohmann::json::parse(R"({"items": []})"));

  ApiResponse added = f_.Call("POST", kContoso, contoso_token_,
                              R"({"kind": "user", "value": "BreakGlass@Contoso.com",
                                  "alert_type": "mfa.user_not_registered",
                                  "reason": "break-glass account"})");
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string at = FormatIso8601(f_.clock()->NowMs());
  const nlohmann::json expected = nlohmann::json::parse(R"({"id": 1, "tenant": "contoso",
      "kind": "user", "value": "breakglass@contoso.com", "alert_type": "mfa.user_not_registered",
      "reason": "break-glass account", "added_by": "contoso-ops", "added_at": ")" +
                                                        at + R"("})");
  EXPECT_EQ(Body(added), expected);

  // Without an alert type: every type but privilege.*; an admin token adds it as itself.
  ApiResponse all = f_.Call("POST", kContoso, admin_,
                            R"({"kind": "group", "value": "g-1", "reason": "emergency access"})");
  ASSERT_EQ(all.status, 201) << all.body;
  EXPECT_EQ(Body(all)["alert_type"], "*");
  EXPECT_EQ(Body(all)["added_by"], "msp-admin");

  ApiResponse listed = f_.Call("GET", kContoso, admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(Body(listed)["items"].size(), 2u);
  EXPECT_EQ(Body(listed)["items"][0], expected);
  EXPECT_EQ(Body(listed)["items"][1]["id"], 2);

  // The same again is a conflict.
  ApiResponse twice = f_.Call("POST", kContoso, contoso_token_,
                              R"({"kind": "group", "value": "G-1", "reason": "again"})");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(Message(twice), "group:g-1 is already excluded from every alert type (exclusion 2)");

  ApiResponse removed = f_.Call("DELETE", std::string(kContoso) + "/1", contoso_token_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(Body(removed), expected);  // as it was
  ApiResponse gone = f_.Call("DELETE", std::string(kContoso) + "/1", contoso_token_);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Message(gone), "exclusion 1 not found");
  EXPECT_EQ(Stored(), 1);
}

TEST_F(ExclusionRoutesTest, BadInputAnswers400SayingWhatIsWrongAndStoresNothing) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"kind": "user", "value": "bg", "alert_type": "privilege.stale_admin",
           "reason": "r"})",
       "privilege alerts cannot be excluded"},
      {R"({"kind": "user", "value": "bg", "alert_type": "mfa.nope", "reason": "r"})",
       "exclusion: unknown alert type \"mfa.nope\""},
      {R"({"kind": "device", "value": "bg", "reason": "r"})",
       "exclusion kind \"device\" is not one of user, group, sku"},
      {R"({"kind": "user", "value": "bg", "reason": "  "})", "exclusion: a reason is required"},
      {R"({"kind": "sku", "value": "SPE_E3", "alert_type": "stale.user", "reason": "r"})",
       "exclusion: stale.user is about a user, so a sku exclusion never matches it"},
      {R"({"kind": "user", "value": "bg"})", "reason: required"},
      {R"({"kind": "user", "reason": "r"})", "value: required"},
      {R"({"value": "bg", "reason": "r"})", "kind: required"},
      {R"({"kind": "user", "value": 7, "reason": "r"})", "value: expected a string, got number"},
      {R"({"kind": "user", "value": "bg", "reason": "r", "added_by": "mallory"})",
       "request body: unknown field \"added_by\" (known: kind, value, alert_type, reason)"},
  };
  for (const Case& c : cases) {
    ApiResponse r = f_.Call("POST", kContoso, contoso_token_, c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request") << c.body;
    EXPECT_EQ(Message(r), c.message) << c.body;
  }
  EXPECT_EQ(Body(f_.Call("POST", kContoso, contoso_token_, "[1]"))["error"]["code"],
            "invalid_json");
  EXPECT_EQ(Stored(), 0);
}

TEST_F(ExclusionRoutesTest, AnotherTenantsExclusionAnswersAsOneThatDoesNotExist) {
  ApiResponse theirs = f_.Call("POST", "/api/v1/tenants/fabrikam/exclusions", fabrikam_token_,
                               R"({"kind": "user", "value": "bg", "reason": "r"})");
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  const std::string id = std::to_string(Body(theirs)["id"].get<int64_t>());

  // Through contoso's path, even with an admin token: its id is no exclusion of contoso's.
  ApiResponse other = f_.Call("DELETE", std::string(kContoso) + "/" + id, admin_);
  ApiResponse missing = f_.Call("DELETE", std::string(kContoso) + "/987654", admin_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Message(other), "exclusion " + id + " not found");
  EXPECT_EQ(Message(missing), "exclusion 987654 not found");
  EXPECT_EQ(f_.Call("DELETE", std::string(kContoso) + "/x1", admin_).status, 404);
  // Through fabrikam's path with contoso's token: the tenant is not there.
  for (const char* method : {"GET", "POST"}) {
    ApiResponse r = f_.Call(method, "/api/v1/tenants/fabrikam/exclusions", contoso_token_,
                            std::string(method) == "POST"
                                ? R"({"kind": "user", "value": "x", "reason": "r"})"
                                : "");
    EXPECT_EQ(r.status, 404) << method;
    EXPECT_EQ(Message(r), "tenant \"fabrikam\" not found") << method;
  }
  ApiResponse del =
      f_.Call("DELETE", "/api/v1/tenants/fabrikam/exclusions/" + id, contoso_token_);
  EXPECT_EQ(del.status, 404);
  EXPECT_EQ(Stored(), 1);
  EXPECT_TRUE(Body(f_.Call("GET", kContoso, contoso_token_))["items"].empty());
}

}  // namespace
}  // namespace vigil
