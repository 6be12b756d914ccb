#include "providers/graph_delta_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

// The entries of `json`, or the error message.
std::string Parse(const std::string& json, std::vector<UserDeltaEntry>* entries) {
  Status s = ParseUserDelta("GET /v1.0/users/delta page 2", simdjson::padded_string(json), entries);
  EXPECT_TRUE(s.ok() || s.code() == Code::kInvalidArgument) << s.ToString();
  return s.message();
}

TEST(ParseUserDeltaTest, ChangedUsersAndRemovedEntriesInOrder) {
  std::vector<UserDeltaEntry> entries;
  ASSERT_EQ(Parse(R"({
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "@odata.deltaLink": "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x",
    "value": [
      {"id": "u1", "displayName": "Adele", "userPrincipalName": "adele@contoso.com",
       "accountEnabled": false, "userType": "Guest",
       "assignedLicenses": [{"skuId": "s2"}, {"skuId": "s1"}]},
      {"@odata.type": "#microsoft.graph.user", "id": "u2",
       "@removed": {"reason": "changed"}},
      {"id": "u3", "@removed": {"reason": "deleted"}},
      {"id": "u4", "@removed": null}
    ]})",
                  &entries),
            "");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_FALSE(entries[0].removed);
  EXPECT_EQ(entries[0].user.id, "u1");
  EXPECT_EQ(entries[0].user.display_name, "Adele");
  EXPECT_FALSE(entries[0].user.enabled);
  EXPECT_TRUE(entries[0].user.guest);
  EXPECT_EQ(entries[0].user.sku_ids, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_FALSE(entries[0].user.last_sign_in.has_value());
  EXPECT_TRUE(entries[1].removed);
  EXPECT_EQ(entries[1].user.id, "u2");
  EXPECT_TRUE(entries[2].removed);
  EXPECT_EQ(entries[2].user.id, "u3");
  EXPECT_FALSE(entries[3].removed) << "null @removed is no removal";
}

TEST(ParseUserDeltaTest, EmptyPage) {
  std::vector<UserDeltaEntry> entries(3);
  ASSERT_EQ(Parse(R"({"value": []})", &entries), "");
  EXPECT_TRUE(entries.empty());
}

TEST(ParseUserDeltaTest, ErrorsNameThePageAndPosition) {
  std::vector<UserDeltaEntry> entries;
  EXPECT_EQ(Parse(R"({"value": [{"id": "u1", "@removed": "yes"}]})", &entries),
            "GET /v1.0/users/delta page 2: value[0].@removed: expected object");
  EXPECT_EQ(Parse(R"({"value": [{"@removed": {"reason": "deleted"}}]})", &entries),
            "GET /v1.0/users/delta page 2: value[0]: missing required field \"id\"");
  EXPECT_EQ(Parse(R"({"value": [{"id": "u1", "accountEnabled": "no"}]})", &entries),
            "GET /v1.0/users/delta page 2: value[0].accountEnabled: expected boolean");
  EXPECT_EQ(Parse(R"({"value": {}})", &entries),
            "GET /v1.0/users/delta page 2: \"value\" must be an array");
  const std::string truncated = Parse(R"({"value": [{"id": "u1")", &entries);
  EXPECT_EQ(truncated.rfind("GET /v1.0/users/delta page 2: malformed JSON: ", 0), 0u) << truncated;
}

}  // namespace
}  // namespace vigil
