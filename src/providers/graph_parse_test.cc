#include "providers/graph_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/time.h"

namespace vigil {
namespace {

simdjson::padded_string Body(std::string_view json) { return simdjson::padded_string(json); }

TimeMs At(std::string_view iso) { return ParseIso8601(iso).value(); }

// Parses users.json from `json`; returns the error message ("" when OK).
std::string UsersError(std::string_view json) {
  std::vector<UserRecord> users;
  Status s = ParseUsers("users.json", Body(json), &users);
  EXPECT_TRUE(s.ok() || s.code() == Code::kInvalidArgument) << s.ToString();
  return s.message();
}

TEST(ParseUsersTest, ReadsGraphShapesAndQuirks) {
  const std::string json = R"({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "@odata.nextLink": null,
    "value": [
      {"id": "u1", "displayName": "Adele Vance", "userPrincipalName": "adele@contoso.com",
       "accountEnabled": true, "userType": "Member", "createdDateTime": "2021-03-04T05:06:07Z",
       "assignedLicenses": [{"disabledPlans": [], "skuId": "sku-b"},
                            {"disabledPlans": [], "skuId": "sku-a"},
                            {"skuId": "sku-b"}],
       "signInActivity": {"lastSignInDateTime": "2025-01-02T00:00:00Z",
                          "lastNonInteractiveSignInDateTime": "2025-01-05T10:00:00.1234567Z",
                          "lastSignInRequestId": "x"},
       "onPremisesSyncEnabled": null, "extra": {"nested": [1, 2, {"deep": true}]}},
      {"id": "u2", "displayName": null, "userPrincipalName": null, "accountEnabled": null,
       "userType": "guest", "createdDateTime": "0001-01-01T00:00:00Z", "assignedLicenses": null,
       "signInActivity": null},
      {"id": "u3", "accountEnabled": false, "userType": "GUEST", "createdDateTime": "",
       "signInActivity": {"lastSignInDateTime": "0001-01-01T00:00:00Z",
                          "lastNonInteractiveSignInDateTime": ""}},
      {"id": "u4", "userType": null, "createdDateTime": null,
       "signInActivity": {"lastSignInDateTime": "2024-06-01T12:00:00Z",
                          "lastNonInteractiveSignInDateTime": null,
                          "lastSuccessfulSignInDateTime": "2024-05-30T08:00:00Z"}},
      {"id": "u5", "userType": "member"}
    ]})";
  std::vector<UserRecord> users;
  ASSERT_TRUE(ParseUsers("users.json", Body(json), &users).ok());
  ASSERT_EQ(users.size(), 5u);

  EXPECT_EQ(users[0].id, "u1");
  EXPECT_EQ(users[0].display_name, "Adele Vance");
  EXPECT_EQ(users[0].upn, "adele@contoso.com");
  EXPECT_TRUE(users[0].enabled);
  EXPECT_FALSE(users[0].guest);
  EXPECT_EQ(users[0].created, At("2021-03-04T05:06:07Z"));
  EXPECT_EQ(users[0].last_sign_in, At("2025-01-05T10:00:00.123Z"));  // the later of the two
  EXPECT_EQ(users[0].sku_ids, (std::vector<std::string>{"sku-a", "sku-b"}));

  EXPECT_EQ(users[1].display_name, "");
  EXPECT_TRUE(users[1].enabled);  // null accountEnabled: Graph had no data, not "disabled"
  EXPECT_TRUE(users[1].guest);
  EXPECT_EQ(users[1].created, std::nullopt);  // 0001-01-01 means never
  EXPECT_EQ(users[1].last_sign_in, std::nullopt);
  EXPECT_TRUE(users[1].sku_ids.empty());

  EXPECT_FALSE(users[2].enabled);
  EXPECT_TRUE(users[2].guest);
  EXPECT_EQ(users[2].created, std::nullopt);
  EXPECT_EQ(users[2].last_sign_in, std::nullopt);

  EXPECT_FALSE(users[3].guest);
  EXPECT_EQ(users[3].last_sign_in, At("2024-06-01T12:00:00Z"));  // not the successful one
  EXPECT_EQ(users[3].last_successful_sign_in, At("2024-05-30T08:00:00Z"));
  EXPECT_EQ(users[0].last_successful_sign_in, std::nullopt);

  EXPECT_FALSE(users[4].guest);
  EXPECT_TRUE(users[4].enabled);
  EXPECT_EQ(users[4].last_sign_in, std::nullopt);  // signInActivity missing
}

TEST(ParseUsersTest, EmptyValueIsAnEmptyList) {
  std::vector<UserRecord> users(3);
  ASSERT_TRUE(ParseUsers("users.json", Body(R"({"value":[]})"), &users).ok());
  EXPECT_TRUE(users.empty());
}

TEST(ParseUsersTest, MalformedJsonNamesTheFile) {
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a"})"),
            "users.json: value: malformed JSON: The JSON document has an improper structure: "
            "missing or superfluous commas, braces, missing keys, etc.");
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a","accountEnabled":tru}]})"),
            "users.json: value[0].accountEnabled: malformed JSON: Problem while parsing an atom "
            "starting with the letter 't'");
  // Damage in a field vigil does not read is found all the same.
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a","mail":nul}]})"),
            "users.json: value[0].mail: malformed JSON: Problem while parsing an atom starting "
            "with the letter 'n'");
  EXPECT_EQ(UsersError(R"({"@odata.context":[1,2x],"value":[]})"),
            "users.json: @odata.context[1]: malformed JSON: Problem while parsing a number");
  EXPECT_EQ(UsersError(""), "users.json: malformed JSON: Empty: no JSON found");
}

TEST(ParseUsersTest, WrongTypeNamesThePosition) {
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a"},{"id":"b"},{"id":"c"},
                                    {"id":"d","accountEnabled":"yes"}]})"),
            "users.json: value[3].accountEnabled: expected boolean");
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a","signInActivity":{"lastSignInDateTime":5}}]})"),
            "users.json: value[0].signInActivity.lastSignInDateTime: expected string");
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a","assignedLicenses":{}}]})"),
            "users.json: value[0].assignedLicenses: expected array");
  EXPECT_EQ(UsersError(R"({"value":[{"id":7}]})"), "users.json: value[0].id: expected string");
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a"},"b"]})"), "users.json: value[1]: expected object");
}

TEST(ParseUsersTest, MissingRequiredFieldNamesIt) {
  EXPECT_EQ(UsersError(R"({"value":[{"displayName":"x"}]})"),
            "users.json: value[0]: missing required field \"id\"");
  EXPECT_EQ(UsersError(R"({"value":[{"id":null}]})"),
            "users.json: value[0]: missing required field \"id\"");
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a","assignedLicenses":[{"skuId":"s"},{}]}]})"),
            "users.json: value[0].assignedLicenses[1]: missing required field \"skuId\"");
}

TEST(ParseUsersTest, BadTimestampQuotesIt) {
  EXPECT_EQ(UsersError(R"({"value":[{"id":"a"},{"id":"b"},
                                    {"id":"c","createdDateTime":"yesterday"}]})"),
            "users.json: value[2].createdDateTime: not an ISO 8601 timestamp: \"yesterday\"");
}

TEST(ParseUsersTest, TopLevelShapeErrors) {
  EXPECT_EQ(UsersError(R"({"value":{}})"), "users.json: \"value\" must be an array");
  EXPECT_EQ(UsersError(R"({"value":null})"), "users.json: \"value\" must be an array");
  EXPECT_EQ(UsersError(R"({"@odata.context":"x"})"),
            "users.json: missing required field \"value\"");
  EXPECT_EQ(UsersError(R"([{"id":"a"}])"), "users.json: expected a JSON object");
}

TEST(ParseUsersTest, RefusesBodiesAboveTheSizeLimit) {
  GraphParseOptions options;
  options.max_file_bytes = 16;
  std::vector<UserRecord> users;
  Status s = ParseUsers("users.json", Body(R"({"value":[{"id":"abc"}]})"), &users, options);
  EXPECT_EQ(s.message(), "users.json: file of 24 bytes is above the size limit of 16 bytes");
  EXPECT_EQ(CheckGraphFileSize("users.json", uint64_t{3} << 30).message(),
            "users.json: file of 3221225472 bytes is above the size limit of 2147483648 bytes");
  EXPECT_TRUE(CheckGraphFileSize("users.json", 1000).ok());
}

TEST(ParseSkusTest, ReadsUnits) {
  std::vector<SkuRecord> skus;
  ASSERT_TRUE(ParseSkus("subscribedSkus.json", Body(R"({"value":[
      {"capabilityStatus":"Enabled","consumedUnits":20,"skuId":"s1","skuPartNumber":"SPE_E3",
       "prepaidUnits":{"enabled":25,"suspended":0,"warning":0}},
      {"skuId":"s2","skuPartNumber":null,"prepaidUnits":null,"consumedUnits":null}]})"),
                        &skus)
                  .ok());
  ASSERT_EQ(skus.size(), 2u);
  EXPECT_EQ(skus[0].id, "s1");
  EXPECT_EQ(skus[0].part_number, "SPE_E3");
  EXPECT_EQ(skus[0].enabled_units, 25);
  EXPECT_EQ(skus[0].consumed_units, 20);
  EXPECT_EQ(skus[1].enabled_units, 0);
  EXPECT_EQ(skus[1].consumed_units, 0);

  Status s = ParseSkus("subscribedSkus.json",
                       Body(R"({"value":[{"skuId":"s1","consumedUnits":"5"}]})"), &skus);
  EXPECT_EQ(s.message(), "subscribedSkus.json: value[0].consumedUnits: expected integer");
  s = ParseSkus("subscribedSkus.json",
                Body(R"({"value":[{"skuId":"s1","prepaidUnits":{"enabled":2.5}}]})"), &skus);
  EXPECT_EQ(s.message(), "subscribedSkus.json: value[0].prepaidUnits.enabled: expected integer");
  s = ParseSkus("subscribedSkus.json", Body(R"({"value":[{"skuPartNumber":"X"}]})"), &skus);
  EXPECT_EQ(s.message(), "subscribedSkus.json: value[0]: missing required field \"skuId\"");
}

TEST(ParseRegistrationsTest, ReadsMfaAndSortsMethods) {
  std::vector<RegistrationRecord> regs;
  ASSERT_TRUE(ParseRegistrations("userRegistrationDetails.json", Body(R"({"value":[
      {"id":"u1","userPrincipalName":"a@x","isMfaRegistered":true,"isAdmin":false,
       "methodsRegistered":["softwareOneTimePasscode","microsoftAuthenticatorPush"]},
      {"id":"u2","isMfaRegistered":null,"methodsRegistered":null}]})"),
                                 &regs)
                  .ok());
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].user_id, "u1");
  EXPECT_EQ(regs[0].upn, "a@x");
  EXPECT_TRUE(regs[0].mfa_registered);
  EXPECT_EQ(regs[0].methods,
            (std::vector<std::string>{"microsoftAuthenticatorPush", "softwareOneTimePasscode"}));
  EXPECT_FALSE(regs[1].mfa_registered);
  EXPECT_TRUE(regs[1].methods.empty());

  Status s =
      ParseRegistrations("userRegistrationDetails.json",
                         Body(R"({"value":[{"id":"u1","methodsRegistered":["a",1]}]})"), &regs);
  EXPECT_EQ(s.message(),
            "userRegistrationDetails.json: value[0].methodsRegistered[1]: expected string");
}

TEST(ParseRoleAssignmentsTest, ReadsPrincipalTypesAndDerivesRoles) {
  std::vector<RoleAssignmentRecord> assignments;
  std::vector<RoleRecord> roles;
  ASSERT_TRUE(ParseRoleAssignments("roleAssignments.json", Body(R"({"value":[
      {"id":"a1","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","principalId":"u1",
       "directoryScopeId":"/","principal":{"@odata.type":"#microsoft.graph.user","id":"u1"}},
      {"id":"a2","roleDefinitionId":"custom-role","principalId":"sp1",
       "principal":{"@odata.type":"#microsoft.graph.servicePrincipal","id":"sp1"}},
      {"id":"a3","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","principalId":"u2"},
      {"id":"a4","roleDefinitionId":"194ae4cb-b126-40b2-bd5b-6091b380977d","principalId":"g1",
       "principal":{"@odata.type":"#microsoft.graph.group"}},
      {"id":"a5","roleDefinitionId":"custom-role","principalId":"u3","principal":null}]})"),
                                   &assignments, &roles)
                  .ok());
  ASSERT_EQ(assignments.size(), 5u);
  EXPECT_EQ(assignments[0].id, "a1");
  EXPECT_EQ(assignments[0].principal_id, "u1");
  EXPECT_TRUE(assignments[0].principal_is_user);
  EXPECT_FALSE(assignments[1].principal_is_user);
  EXPECT_TRUE(assignments[2].principal_is_user);  // no principal: assume a user
  EXPECT_FALSE(assignments[3].principal_is_user);
  EXPECT_TRUE(assignments[4].principal_is_user);

  ASSERT_EQ(roles.size(), 3u);  // distinct, sorted by id
  EXPECT_EQ(roles[0].id, "194ae4cb-b126-40b2-bd5b-6091b380977d");
  EXPECT_EQ(roles[0].name, "Security Administrator");
  EXPECT_EQ(roles[1].id, "62e90394-69f5-4237-9190-012177145e10");
  EXPECT_EQ(roles[1].name, "Global Administrator");
  EXPECT_TRUE(roles[1].global_admin);
  EXPECT_EQ(roles[2].id, "custom-role");
  EXPECT_EQ(roles[2].name, "custom-role");
  EXPECT_FALSE(roles[2].global_admin);

  Status s = ParseRoleAssignments("roleAssignments.json",
                                  Body(R"({"value":[{"id":"a1","roleDefinitionId":"r"}]})"),
                                  &assignments, &roles);
  EXPECT_EQ(s.message(), "roleAssignments.json: value[0]: missing required field \"principalId\"");
  s = ParseRoleAssignments("roleAssignments.json",
                           Body(R"({"value":[{"id":"a1","principalId":"p"}]})"), &assignments,
                           &roles);
  EXPECT_EQ(s.message(),
            "roleAssignments.json: value[0]: missing required field \"roleDefinitionId\"");
}

TEST(ParsePoliciesTest, ReadsConditionsAndGrantControls) {
  std::vector<PolicyRecord> policies;
  ASSERT_TRUE(ParsePolicies("conditionalAccessPolicies.json", Body(R"({"value":[
      {"id":"p1","displayName":"Require MFA","state":"enabled",
       "conditions":{"clientAppTypes":["mobileAppsAndDesktopClients","browser"],
                     "applications":{"includeApplications":["All"]},
                     "users":{"includeUsers":["All"],"excludeUsers":["u9"]}},
       "grantControls":{"operator":"OR","builtInControls":["mfa","compliantDevice"]}},
      {"id":"p2","displayName":"Session only","state":"enabledForReportingButNotEnforced",
       "conditions":{"users":{"includeUsers":["u1"]},"clientAppTypes":null},
       "grantControls":null,"sessionControls":{"signInFrequency":{"value":1}}},
      {"id":"p3","conditions":null}]})"),
                            &policies)
                  .ok());
  ASSERT_EQ(policies.size(), 3u);
  EXPECT_EQ(policies[0].name, "Require MFA");
  EXPECT_EQ(policies[0].state, "enabled");
  EXPECT_TRUE(policies[0].all_users);
  EXPECT_EQ(policies[0].client_app_types,
            (std::vector<std::string>{"browser", "mobileAppsAndDesktopClients"}));
  EXPECT_EQ(policies[0].built_in_controls, (std::vector<std::string>{"compliantDevice", "mfa"}));
  EXPECT_FALSE(policies[1].all_users);
  EXPECT_TRUE(policies[1].client_app_types.empty());
  EXPECT_TRUE(policies[1].built_in_controls.empty());
  EXPECT_EQ(policies[1].state, "enabledForReportingButNotEnforced");
  EXPECT_FALSE(policies[2].all_users);

  Status s = ParsePolicies("conditionalAccessPolicies.json",
                           Body(R"({"value":[{"id":"p1","conditions":{"users":[]}}]})"), &policies);
  EXPECT_EQ(s.message(),
            "conditionalAccessPolicies.json: value[0].conditions.users: expected object");
}

TEST(ParseSecurityDefaultsTest, ReadsASingleObject) {
  SecurityDefaultsRecord defaults;
  ASSERT_TRUE(ParseSecurityDefaults("securityDefaults.json", Body(R"({
      "@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/x/$entity",
      "id":"00000000-0000-0000-0000-000000000005","displayName":"Security Defaults",
      "isEnabled":true})"),
                                    &defaults)
                  .ok());
  EXPECT_TRUE(defaults.enabled);
  ASSERT_TRUE(
      ParseSecurityDefaults("securityDefaults.json", Body(R"({"isEnabled":false})"), &defaults)
          .ok());
  EXPECT_FALSE(defaults.enabled);

  EXPECT_EQ(
      ParseSecurityDefaults("securityDefaults.json", Body(R"({"id":"x"})"), &defaults).message(),
      "securityDefaults.json: missing required field \"isEnabled\"");
  EXPECT_EQ(ParseSecurityDefaults("securityDefaults.json", Body(R"({"isEnabled":"on"})"), &defaults)
                .message(),
            "securityDefaults.json: isEnabled: expected boolean");
  EXPECT_EQ(ParseSecurityDefaults("securityDefaults.json", Body(R"({"value":[]} x)"), &defaults)
                .message(),
            "securityDefaults.json: malformed JSON: JSON document ended early in the middle of "
            "an object or array.");
}

TEST(ParseGroupsTest, ReadsGroups) {
  std::vector<GroupRecord> groups;
  ASSERT_TRUE(ParseGroups("groups.json", Body(R"({"value":[
      {"id":"g1","displayName":"Finance","securityEnabled":true,"mailEnabled":false},
      {"id":"g2","displayName":"Newsletter","securityEnabled":null}]})"),
                          &groups)
                  .ok());
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].display_name, "Finance");
  EXPECT_TRUE(groups[0].security_enabled);
  EXPECT_FALSE(groups[1].security_enabled);
  EXPECT_EQ(
      ParseGroups("groups.json", Body(R"({"value":[{"displayName":"x"}]})"), &groups).message(),
      "groups.json: value[0]: missing required field \"id\"");
}

// Parses groupMembers/g1.json from `json`; returns the error message ("" when OK).
std::string MembersError(std::string_view json) {
  std::vector<std::string> ids;
  Status s = ParseGroupMembers("groupMembers/g1.json", Body(json), &ids);
  EXPECT_TRUE(s.ok() || s.code() == Code::kInvalidArgument) << s.ToString();
  return s.message();
}

TEST(ParseGroupMembersTest, KeepsTheUsersSortedAndUnique) {
  std::vector<std::string> ids = {"left over"};
  ASSERT_TRUE(ParseGroupMembers("groupMembers/g1.json", Body(R"json({
      "@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id)",
      "@odata.nextLink":null,
      "value":[
        {"@odata.type":"#microsoft.graph.user","id":"u2"},
        {"@odata.type":"#microsoft.graph.group","id":"g7"},
        {"@odata.type":"#microsoft.graph.device","id":"d1","extra":{"a":[1]}},
        {"@odata.type":"#Microsoft.Graph.User","id":"u1"},
        {"@odata.type":"#microsoft.graph.orgContact","id":"c1"},
        {"@odata.type":null,"id":"u3"},
        {"id":"u4","displayName":null},
        {"@odata.type":"#microsoft.graph.user","id":"u2"}]})json"),
                                &ids)
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"u1", "u2", "u3", "u4"}));
  ASSERT_TRUE(ParseGroupMembers("groupMembers/g1.json", Body(R"({"value":[]})"), &ids).ok());
  EXPECT_TRUE(ids.empty());
}

TEST(ParseGroupMembersTest, WrongTypesAreNamedWithTheirPath) {
  EXPECT_EQ(MembersError(R"({"value":[{"id":"u1"},{"id":7}]})"),
            "groupMembers/g1.json: value[1].id: expected string");
  EXPECT_EQ(MembersError(R"({"value":[{"@odata.type":"#microsoft.graph.user"}]})"),
            "groupMembers/g1.json: value[0]: missing required field \"id\"");
  EXPECT_EQ(MembersError(R"({"value":[{"id":"u1","@odata.type":true}]})"),
            "groupMembers/g1.json: value[0].@odata.type: expected string");
  EXPECT_EQ(MembersError(R"({"value":["u1"]})"), "groupMembers/g1.json: value[0]: expected object");
  EXPECT_EQ(MembersError(R"({"value":{"id":"u1"}})"),
            "groupMembers/g1.json: \"value\" must be an array");
  EXPECT_EQ(MembersError(R"({"value":[{"id":"u1",]})"),
            "groupMembers/g1.json: value: malformed JSON: The JSON document has an improper "
            "structure: missing or superfluous commas, braces, missing keys, etc.");
}

TEST(ParseKindFileTest, FillsTheMatchingSnapshotMembers) {
  Snapshot snapshot;
  ASSERT_TRUE(
      ParseKindFile(EntityKind::kRole, "roleAssignments.json",
                    Body(R"({"value":[{"id":"a","roleDefinitionId":"r","principalId":"p"}]})"),
                    &snapshot)
          .ok());
  EXPECT_EQ(snapshot.role_assignments.size(), 1u);
  ASSERT_EQ(snapshot.roles.size(), 1u);
  EXPECT_EQ(snapshot.roles[0].id, "r");
  ASSERT_TRUE(ParseKindFile(EntityKind::kSetting, "securityDefaults.json",
                            Body(R"({"isEnabled":true})"), &snapshot)
                  .ok());
  ASSERT_TRUE(snapshot.security_defaults.has_value());
  EXPECT_TRUE(snapshot.security_defaults->enabled);
  EXPECT_TRUE(snapshot.availability.empty());
}

}  // namespace
}  // namespace vigil
