#include "providers/google_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time.h"

namespace vigil {
namespace {

simdjson::padded_string Body(std::string_view json) { return simdjson::padded_string(json); }

TimeMs At(std::string_view iso) { return ParseIso8601(iso).value(); }

// Parses a users page from `json` under `page`; returns the error message
// ("" when OK).
std::string UsersError(std::string_view json, std::string_view page = "users.json") {
  std::vector<UserRecord> users;
  std::vector<RegistrationRecord> regs;
  std::string token;
  Status s = ParseGoogleUsers(page, Body(json), &users, &regs, &token);
  EXPECT_TRUE(s.ok() || s.code() == Code::kInvalidArgument) << s.ToString();
  return s.message();
}

std::string RolesError(std::string_view json) {
  std::vector<RoleRecord> roles;
  std::string token;
  return ParseGoogleRoles("roles.json", Body(json), &roles, &token).message();
}

std::string AssignmentsError(std::string_view json) {
  std::vector<RoleAssignmentRecord> assignments;
  std::string token;
  return ParseGoogleRoleAssignments("roleAssignments.json", Body(json), &assignments, &token)
      .message();
}

std::string LicensesError(std::string_view json) {
  std::vector<GoogleLicenseAssignment> licenses;
  std::string token;
  return ParseGoogleLicenseAssignments("licenseAssignments.json", Body(json), &licenses, &token)
      .message();
}

TEST(ParseGoogleUsersTest, MapsWorkspaceFieldsToRecords) {
  const std::string json = R"({
    "kind": "admin#directory#users", "etag": "\"abc\"",
    "users": [
      {"kind": "admin#directory#user", "id": "1001", "primaryEmail": "ana@acme.example",
       "name": {"givenName": "Ana", "familyName": "Lima", "fullName": "Ana Lima"},
       "isAdmin": true, "isDelegatedAdmin": false, "suspended": false, "archived": false,
       "isEnrolledIn2Sv": true, "isEnforcedIn2Sv": true,
       "creationTime": "2021-03-04T05:06:07.000Z", "lastLoginTime": "2025-12-01T10:00:00.000Z",
       "orgUnitPath": "/Sales", "emails": [{"address": "ana@acme.example", "primary": true}]},
      {"id": "1002", "primaryEmail": "bo@acme.example",
       "name": {"givenName": "Bo", "familyName": "Berg"},
       "suspended": true, "isEnrolledIn2Sv": false, "isEnforcedIn2Sv": false,
       "creationTime": "2020-01-01T00:00:00.000Z", "lastLoginTime": "1970-01-01T00:00:00.000Z"},
      {"id": "1003", "primaryEmail": "cy@acme.example", "name": {"givenName": "Cy"},
       "archived": true},
      {"id": "1004", "primaryEmail": "di@acme.example", "name": null,
       "suspended": null, "archived": null, "isEnrolledIn2Sv": null, "lastLoginTime": null}
    ],
    "nextPageToken": "page-2"})";
  std::vector<UserRecord> users;
  std::vector<RegistrationRecord> regs;
  std::string token;
  ASSERT_TRUE(ParseGoogleUsers("users.json", Body(json), &users, &regs, &token).ok());
  EXPECT_EQ(token, "page-2");
  ASSERT_EQ(users.size(), 4u);
  ASSERT_EQ(regs.size(), 4u);

  EXPECT_EQ(users[0].id, "1001");
  EXPECT_EQ(users[0].upn, "ana@acme.example");
  EXPECT_EQ(users[0].display_name, "Ana Lima");
  EXPECT_TRUE(users[0].enabled);
  EXPECT_FALSE(users[0].guest);
  EXPECT_EQ(users[0].created, At("2021-03-04T05:06:07Z"));
  EXPECT_EQ(users[0].last_sign_in, At("2025-12-01T10:00:00Z"));
  EXPECT_EQ(users[0].last_successful_sign_in, users[0].last_sign_in);
  EXPECT_TRUE(users[0].sku_ids.empty());
  EXPECT_EQ(regs[0].user_id, "1001");
  EXPECT_EQ(regs[0].upn, "ana@acme.example");
  EXPECT_TRUE(regs[0].mfa_registered);
  EXPECT_EQ(regs[0].mfa_enforced, std::optional<bool>(true));
  EXPECT_TRUE(regs[0].methods.empty());

  // Suspended: disabled; the epoch is "never signed in"; no fullName: joined.
  EXPECT_EQ(users[1].display_name, "Bo Berg");
  EXPECT_FALSE(users[1].enabled);
  EXPECT_EQ(users[1].last_sign_in, std::nullopt);
  EXPECT_EQ(users[1].last_successful_sign_in, std::nullopt);
  EXPECT_FALSE(regs[1].mfa_registered);
  EXPECT_EQ(regs[1].mfa_enforced, std::optional<bool>(false));

  // Archived: disabled; a given name alone is the name.
  EXPECT_EQ(users[2].display_name, "Cy");
  EXPECT_FALSE(users[2].enabled);
  EXPECT_EQ(users[2].created, std::nullopt);

  // Nulls are missing: enabled, not enrolled, not enforced, named by email.
  EXPECT_EQ(users[3].display_name, "di@acme.example");
  EXPECT_TRUE(users[3].enabled);
  EXPECT_FALSE(regs[3].mfa_registered);
  EXPECT_EQ(regs[3].mfa_enforced, std::optional<bool>(false));
  EXPECT_EQ(users[3].last_sign_in, std::nullopt);
}

TEST(ParseGoogleUsersTest, PagesAppendAndTheLastPageHasNoToken) {
  std::vector<UserRecord> users;
  std::vector<RegistrationRecord> regs;
  std::string token = "stale";
  ASSERT_TRUE(ParseGoogleUsers("p1", Body(R"({"users":[{"id":"1","primaryEmail":"a@x"}],
                                              "nextPageToken":"t2"})"),
                               &users, &regs, &token)
                  .ok());
  EXPECT_EQ(token, "t2");
  ASSERT_TRUE(ParseGoogleUsers("p2", Body(R"({"users":[{"id":"2","primaryEmail":"b@x"}]})"), &users,
                               &regs, &token)
                  .ok());
  EXPECT_EQ(token, "");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].id, "1");
  EXPECT_EQ(users[1].id, "2");
  EXPECT_EQ(regs[1].user_id, "2");

  // No "users" member (Google leaves it out when there are none), or null:
  // an empty page; a null token is the last page.
  ASSERT_TRUE(
      ParseGoogleUsers("p3", Body(R"({"kind":"admin#directory#users"})"), &users, &regs, &token)
          .ok());
  ASSERT_TRUE(
      ParseGoogleUsers("p4", Body(R"({"users":null,"nextPageToken":null})"), &users, &regs, &token)
          .ok());
  EXPECT_EQ(users.size(), 2u);
  EXPECT_EQ(token, "");
}

TEST(ParseGoogleUsersTest, ErrorsNameThePageAndThePosition) {
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x"},{"id":"2","primaryEmail":"b@x"},
                        {"id":"3","primaryEmail":"c@x"},{"id":"4","primaryEmail":"d@x","suspended":"yes"}]})"),
            "users.json: users[3].suspended: expected boolean");
  EXPECT_EQ(
      UsersError(R"({"users":[{"primaryEmail":"a@x"}]})", "GET /admin/directory/v1/users page 2"),
      "GET /admin/directory/v1/users page 2: users[0]: missing required field \"id\"");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"","primaryEmail":"a@x"}]})"),
            "users.json: users[0]: missing required field \"id\"");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":null}]})"),
            "users.json: users[0]: missing required field \"primaryEmail\"");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x"},{"id":"2","primaryEmail":"b@x"},
                        {"id":"3","primaryEmail":"c@x","lastLoginTime":"never"}]})"),
            "users.json: users[2].lastLoginTime: not an ISO 8601 timestamp: \"never\"");
  EXPECT_EQ(
      UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","creationTime":"2021-13-01"}]})"),
      "users.json: users[0].creationTime: not an ISO 8601 timestamp: \"2021-13-01\"");
  EXPECT_EQ(UsersError(R"({"users":[{"id":7,"primaryEmail":"a@x"}]})"),
            "users.json: users[0].id: expected string");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","name":"Ana"}]})"),
            "users.json: users[0].name: expected object");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","name":{"fullName":1}}]})"),
            "users.json: users[0].name.fullName: expected string");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","isEnforcedIn2Sv":1}]})"),
            "users.json: users[0].isEnforcedIn2Sv: expected boolean");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","isEnrolledIn2Sv":"true"}]})"),
            "users.json: users[0].isEnrolledIn2Sv: expected boolean");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","archived":0}]})"),
            "users.json: users[0].archived: expected boolean");
  EXPECT_EQ(UsersError(R"({"users":["1001"]})"), "users.json: users[0]: expected object");
  EXPECT_EQ(UsersError(R"({"users":{"id":"1"}})"), "users.json: \"users\" must be an array");
  EXPECT_EQ(UsersError(R"({"users":[],"nextPageToken":5})"),
            "users.json: \"nextPageToken\" must be a string");
  EXPECT_EQ(UsersError(R"([])"), "users.json: expected a JSON object");
  EXPECT_EQ(UsersError(R"({"users":[{"id":"1",)").rfind("users.json: ", 0), 0u);
  EXPECT_NE(UsersError(R"({"users":[{"id":"1",)").find("malformed JSON"), std::string::npos);
  EXPECT_NE(UsersError(R"({"users":[]} x)").find("users.json: malformed JSON"), std::string::npos);
  // Unknown members are read, so damage there is reported too.
  EXPECT_NE(UsersError(R"({"users":[{"id":"1","primaryEmail":"a@x","emails":[tru]}]})")
                .find("users.json: users[0].emails[0]: malformed JSON"),
            std::string::npos);
}

TEST(ParseGoogleUsersTest, SizeLimitNamesThePage) {
  const std::string json = R"({"users":[]})";
  std::vector<UserRecord> users;
  std::vector<RegistrationRecord> regs;
  std::string token;
  GraphParseOptions options;
  options.max_file_bytes = json.size() - 1;
  Status s = ParseGoogleUsers("users.json", Body(json), &users, &regs, &token, options);
  EXPECT_EQ(s.message(), "users.json: file of " + std::to_string(json.size()) +
                             " bytes is above the size limit of " +
                             std::to_string(json.size() - 1) + " bytes");
}

TEST(ParseGoogleRolesTest, MapsRolesAndNamesTheSuperAdminRole) {
  const std::string json = R"({"kind":"admin#directory#roles","items":[
    {"roleId":"91447453409034752","roleName":"_SEED_ADMIN_ROLE","isSystemRole":true,
     "isSuperAdminRole":true,"rolePrivileges":[{"privilegeName":"SUPER_ADMIN","serviceId":"x"}]},
    {"roleId":91447453409034753,"roleName":"_GROUPS_ADMIN_ROLE","isSuperAdminRole":false},
    {"roleId":"5","roleName":null}],
    "nextPageToken":"r2"})";
  std::vector<RoleRecord> roles;
  std::string token;
  ASSERT_TRUE(ParseGoogleRoles("roles.json", Body(json), &roles, &token).ok());
  EXPECT_EQ(token, "r2");
  ASSERT_EQ(roles.size(), 3u);
  EXPECT_EQ(roles[0].id, "91447453409034752");
  EXPECT_EQ(roles[0].name, "Super Admin");
  EXPECT_TRUE(roles[0].global_admin);
  EXPECT_EQ(roles[1].id, "91447453409034753");
  EXPECT_EQ(roles[1].name, "_GROUPS_ADMIN_ROLE");
  EXPECT_FALSE(roles[1].global_admin);
  EXPECT_EQ(roles[2].name, "5");
  EXPECT_FALSE(roles[2].global_admin);

  EXPECT_EQ(RolesError(R"({"items":[{"roleName":"x"}]})"),
            "roles.json: items[0]: missing required field \"roleId\"");
  EXPECT_EQ(RolesError(R"({"items":[{"roleId":"1","isSuperAdminRole":"yes"}]})"),
            "roles.json: items[0].isSuperAdminRole: expected boolean");
  EXPECT_EQ(RolesError(R"({"items":[{"roleId":1.5}]})"),
            "roles.json: items[0].roleId: expected string or integer");
  EXPECT_EQ(RolesError(R"({"items":[{"roleId":true}]})"),
            "roles.json: items[0].roleId: expected string or integer");
  EXPECT_EQ(RolesError(R"({"items":"none"})"), "roles.json: \"items\" must be an array");
  EXPECT_EQ(RolesError(R"({"items":[],"nextPageToken":["x"]})"),
            "roles.json: \"nextPageToken\" must be a string");
}

TEST(ParseGoogleRoleAssignmentsTest, MapsAssignmentsUsersAndGroups) {
  const std::string json = R"({"items":[
    {"roleAssignmentId":"11","roleId":"91447453409034752","assignedTo":"1001",
     "assigneeType":"user","scopeType":"CUSTOMER"},
    {"roleAssignmentId":12,"roleId":7,"assignedTo":"1002"},
    {"roleAssignmentId":"13","roleId":"7","assignedTo":"g-55","assigneeType":"group"}]})";
  std::vector<RoleAssignmentRecord> assignments;
  std::string token = "x";
  ASSERT_TRUE(
      ParseGoogleRoleAssignments("roleAssignments.json", Body(json), &assignments, &token).ok());
  EXPECT_EQ(token, "");
  ASSERT_EQ(assignments.size(), 3u);
  EXPECT_EQ(assignments[0].id, "11");
  EXPECT_EQ(assignments[0].role_id, "91447453409034752");
  EXPECT_EQ(assignments[0].principal_id, "1001");
  EXPECT_TRUE(assignments[0].principal_is_user);
  EXPECT_EQ(assignments[1].id, "12");
  EXPECT_EQ(assignments[1].role_id, "7");
  EXPECT_TRUE(assignments[1].principal_is_user);
  EXPECT_FALSE(assignments[2].principal_is_user);

  EXPECT_EQ(AssignmentsError(R"({"items":[{"roleId":"1","assignedTo":"2"}]})"),
            "roleAssignments.json: items[0]: missing required field \"roleAssignmentId\"");
  EXPECT_EQ(AssignmentsError(R"({"items":[{"roleAssignmentId":"1","assignedTo":"2"}]})"),
            "roleAssignments.json: items[0]: missing required field \"roleId\"");
  EXPECT_EQ(
      AssignmentsError(R"({"items":[{"roleAssignmentId":"1","roleId":"2","assignedTo":""}]})"),
      "roleAssignments.json: items[0]: missing required field \"assignedTo\"");
  EXPECT_EQ(
      AssignmentsError(
          R"({"items":[{"roleAssignmentId":"1","roleId":"2","assignedTo":"3","assigneeType":1}]})"),
      "roleAssignments.json: items[0].assigneeType: expected string");
}

TEST(ParseGoogleLicenseAssignmentsTest, ReadsAssignments) {
  const std::string json = R"({"kind":"licensing#licenseAssignmentList","items":[
    {"kind":"licensing#licenseAssignment","productId":"Google-Apps","skuId":"1010020020",
     "skuName":"Google Workspace Enterprise Plus","userId":"ana@acme.example",
     "productName":"Google Workspace","selfLink":"x"}],"nextPageToken":"l2"})";
  std::vector<GoogleLicenseAssignment> licenses;
  std::string token;
  ASSERT_TRUE(
      ParseGoogleLicenseAssignments("licenseAssignments.json", Body(json), &licenses, &token).ok());
  EXPECT_EQ(token, "l2");
  ASSERT_EQ(licenses.size(), 1u);
  EXPECT_EQ(licenses[0].product_id, "Google-Apps");
  EXPECT_EQ(licenses[0].sku_id, "1010020020");
  EXPECT_EQ(licenses[0].sku_name, "Google Workspace Enterprise Plus");
  EXPECT_EQ(licenses[0].user_email, "ana@acme.example");

  EXPECT_EQ(LicensesError(R"({"items":[{"userId":"a@x"}]})"),
            "licenseAssignments.json: items[0]: missing required field \"skuId\"");
  EXPECT_EQ(LicensesError(R"({"items":[{"skuId":"1","userId":null}]})"),
            "licenseAssignments.json: items[0]: missing required field \"userId\"");
  EXPECT_EQ(LicensesError(R"({"items":[{"skuId":1010020020,"userId":"a@x"}]})"),
            "licenseAssignments.json: items[0].skuId: expected string");
  EXPECT_EQ(LicensesError(R"({"items":true})"),
            "licenseAssignments.json: \"items\" must be an array");
}

GoogleLicenseAssignment License(std::string sku, std::string name, std::string email) {
  return GoogleLicenseAssignment{"Google-Apps", std::move(sku), std::move(name), std::move(email)};
}

TEST(ApplyGoogleLicensesTest, JoinsByEmailAndCountsSeats) {
  std::vector<UserRecord> users(3);
  users[0].upn = "Ana@Acme.example";
  users[1].upn = "bo@acme.example";
  users[1].sku_ids = {"old"};
  users[2].upn = "cy@acme.example";
  const std::vector<GoogleLicenseAssignment> licenses = {
      License("1010020020", "Enterprise Plus", "ana@acme.EXAMPLE"),
      License("1010020027", "", "ana@acme.example"),
      License("1010020020", "Enterprise Plus", "ana@acme.example"),
      License("1010020020", "Enterprise Plus", "gone@acme.example"),
      License("1010020027", "Business Starter", "cy@acme.example"),
  };
  std::vector<SkuRecord> skus = {SkuRecord{"stale", "x", 1, 1}};
  ApplyGoogleLicenses(licenses, &users, &skus);

  EXPECT_EQ(users[0].sku_ids, (std::vector<std::string>{"1010020020", "1010020027"}));
  EXPECT_TRUE(users[1].sku_ids.empty());
  EXPECT_EQ(users[2].sku_ids, std::vector<std::string>{"1010020027"});
  ASSERT_EQ(skus.size(), 2u);
  EXPECT_EQ(skus[0].id, "1010020020");
  EXPECT_EQ(skus[0].part_number, "Enterprise Plus");
  EXPECT_EQ(skus[0].consumed_units, 3);  // every assignment, the unknown user's too
  EXPECT_EQ(skus[0].enabled_units, 0);
  EXPECT_EQ(skus[1].id, "1010020027");
  EXPECT_EQ(skus[1].part_number, "Business Starter");
  EXPECT_EQ(skus[1].consumed_units, 2);

  // A SKU with no name anywhere is named by its id.
  ApplyGoogleLicenses({License("77", "", "bo@acme.example")}, &users, &skus);
  ASSERT_EQ(skus.size(), 1u);
  EXPECT_EQ(skus[0].part_number, "77");
  EXPECT_EQ(users[1].sku_ids, std::vector<std::string>{"77"});
  EXPECT_TRUE(users[0].sku_ids.empty());
}

}  // namespace
}  // namespace vigil
