#include "providers/entity_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vigil {
namespace {

// Valid UTF-8 text with the characters JSON must escape, as Graph data can
// hold (simdjson validates UTF-8, so records never carry invalid bytes).
rc::Gen<std::string> Text() {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>(
                          "a", "Z", "0", " ", ".", "@", "\"", "\\", "/", "\n", "\t", "\r", "\b",
                          "\f", std::string(1, '\0'), "\x01", "\x1f", "\x7f", "\xc3\xa9",
                          "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "{", "}", "[", "]", ":", ",")),
                      [](const std::vector<std::string>& pieces) {
                        std::string out;
                        for (const std::string& p : pieces) out += p;
                        return out;
                      });
}

rc::Gen<std::optional<TimeMs>> OptionalTime() {
  return rc::gen::map(rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<int64_t>()),
                      [](const std::pair<bool, int64_t>& p) {
                        return p.first ? std::optional<TimeMs>(p.second) : std::nullopt;
                      });
}

rc::Gen<std::vector<std::string>> TextList() {
  return rc::gen::container<std::vector<std::string>>(Text());
}

RC_GTEST_PROP(EntityCodecProperty, UserRoundTrips, ()) {
  UserRecord u;
  u.id = *Text();
  u.upn = *Text();
  u.display_name = *Text();
  u.enabled = *rc::gen::arbitrary<bool>();
  u.guest = *rc::gen::arbitrary<bool>();
  u.created = *OptionalTime();
  u.last_sign_in = *OptionalTime();
  u.last_successful_sign_in = *OptionalTime();
  u.sku_ids = *TextList();
  std::sort(u.sku_ids.begin(), u.sku_ids.end());  // as records.h promises
  u.sku_ids.erase(std::unique(u.sku_ids.begin(), u.sku_ids.end()), u.sku_ids.end());
  const std::string encoded = EncodeUser(u);
  UserRecord back;
  back.sku_ids = {"left over"};
  const Status s = DecodeUser(u.id, encoded, &back);
  RC_ASSERT(s.ok());
  RC_ASSERT(back.id == u.id);
  RC_ASSERT(back.upn == u.upn);
  RC_ASSERT(back.display_name == u.display_name);
  RC_ASSERT(back.enabled == u.enabled);
  RC_ASSERT(back.guest == u.guest);
  RC_ASSERT(back.created == u.created);
  RC_ASSERT(back.last_sign_in == u.last_sign_in);
  RC_ASSERT(back.last_successful_sign_in == u.last_successful_sign_in);
  RC_ASSERT(back.sku_ids == u.sku_ids);  // licenses are part of the user's row
  RC_ASSERT(EncodeUser(back) == encoded);
}

RC_GTEST_PROP(EntityCodecProperty, SkuRoundTrips, ()) {
  SkuRecord sku;
  sku.id = *Text();
  sku.part_number = *Text();
  sku.enabled_units = *rc::gen::arbitrary<int64_t>();
  sku.consumed_units = *rc::gen::arbitrary<int64_t>();
  SkuRecord back;
  RC_ASSERT(DecodeSku(sku.id, EncodeSku(sku), &back).ok());
  RC_ASSERT(back.id == sku.id);
  RC_ASSERT(back.part_number == sku.part_number);
  RC_ASSERT(back.enabled_units == sku.enabled_units);
  RC_ASSERT(back.consumed_units == sku.consumed_units);
}

RC_GTEST_PROP(EntityCodecProperty, RegistrationRoundTrips, ()) {
  RegistrationRecord r;
  r.user_id = *Text();
  r.upn = *Text();
  r.mfa_registered = *rc::gen::arbitrary<bool>();
  r.methods = *TextList();
  if (*rc::gen::arbitrary<bool>()) r.mfa_enforced = *rc::gen::arbitrary<bool>();
  RegistrationRecord back;
  back.mfa_enforced = true;  // replaced, not merged
  RC_ASSERT(DecodeRegistration(r.user_id, EncodeRegistration(r), &back).ok());
  RC_ASSERT(back.user_id == r.user_id);
  RC_ASSERT(back.upn == r.upn);
  RC_ASSERT(back.mfa_registered == r.mfa_registered);
  RC_ASSERT(back.methods == r.methods);
  RC_ASSERT(back.mfa_enforced == r.mfa_enforced);
}

RC_GTEST_PROP(EntityCodecProperty, RolePolicySettingGroupRoundTrip, ()) {
  RoleRecord role{*Text(), *Text(), *rc::gen::arbitrary<bool>()};
  RoleRecord role_back;
  RC_ASSERT(DecodeRole(role.id, EncodeRole(role), &role_back).ok());
  RC_ASSERT(role_back.id == role.id && role_back.name == role.name &&
            role_back.global_admin == role.global_admin);

  PolicyRecord p;
  p.id = *Text();
  p.name = *Text();
  p.state = *Text();
  p.all_users = *rc::gen::arbitrary<bool>();
  p.client_app_types = *TextList();
  p.built_in_controls = *TextList();
  PolicyRecord p_back;
  RC_ASSERT(DecodePolicy(p.id, EncodePolicy(p), &p_back).ok());
  RC_ASSERT(p_back.id == p.id && p_back.name == p.name && p_back.state == p.state &&
            p_back.all_users == p.all_users && p_back.client_app_types == p.client_app_types &&
            p_back.built_in_controls == p.built_in_controls);

  SecurityDefaultsRecord d{*rc::gen::arbitrary<bool>()};
  SecurityDefaultsRecord d_back{!d.enabled};
  RC_ASSERT(DecodeSecurityDefaults(kSecurityDefaultsId, EncodeSecurityDefaults(d), &d_back).ok());
  RC_ASSERT(d_back.enabled == d.enabled);

  GroupRecord g{*Text(), *Text(), *rc::gen::arbitrary<bool>(), *TextList()};
  std::sort(g.member_ids.begin(), g.member_ids.end());  // as stored: sorted, unique
  g.member_ids.erase(std::unique(g.member_ids.begin(), g.member_ids.end()), g.member_ids.end());
  GroupRecord g_back;
  g_back.member_ids = {"left over"};
  RC_ASSERT(DecodeGroup(g.id, EncodeGroup(g), &g_back).ok());
  RC_ASSERT(g_back.id == g.id && g_back.display_name == g.display_name &&
            g_back.security_enabled == g.security_enabled && g_back.member_ids == g.member_ids);
}

TEST(EntityCodecTest, EncodingIsCompactWithFixedKeyOrder) {
  UserRecord u;
  u.id = "u1";
  u.upn = "adele@contoso.com";
  u.display_name = "Adele \"AV\" Vance";
  u.enabled = false;
  u.guest = true;
  u.created = 1700000000000;
  u.sku_ids = {"s1"};
  EXPECT_EQ(EncodeUser(u),
            R"({"upn":"adele@contoso.com","display_name":"Adele \"AV\" Vance","enabled":false,)"
            R"("guest":true,"created":1700000000000,"last_sign_in":null,"sku_ids":["s1"]})");
  u.last_successful_sign_in = 1700000001000;  // written only when known
  EXPECT_EQ(EncodeUser(u),
            R"({"upn":"adele@contoso.com","display_name":"Adele \"AV\" Vance","enabled":false,)"
            R"("guest":true,"created":1700000000000,"last_sign_in":null,)"
            R"("last_successful_sign_in":1700000001000,"sku_ids":["s1"]})");
  EXPECT_EQ(EncodeSku({"s1", "SPE_E3", 25, 20}),
            R"({"part_number":"SPE_E3","enabled_units":25,"consumed_units":20})");
  EXPECT_EQ(
      EncodeRegistration({"u1", "a@b", true, {"fido2", "microsoftAuthenticatorPush"}, {}}),
      R"({"upn":"a@b","mfa_registered":true,"methods":["fido2","microsoftAuthenticatorPush"]})");
  EXPECT_EQ(EncodeRegistration({"u2", "c@d", false, {}, false}),
            R"({"upn":"c@d","mfa_registered":false,"methods":[],"mfa_enforced":false})");
  EXPECT_EQ(EncodeRole({"r1", "Global Administrator", true}),
            R"({"name":"Global Administrator","global_admin":true})");
  EXPECT_EQ(
      EncodePolicy(
          {"p1", "Block legacy", "enabled", true, {"exchangeActiveSync", "other"}, {"block"}}),
      R"({"name":"Block legacy","state":"enabled","all_users":true,)"
      R"("client_app_types":["exchangeActiveSync","other"],"built_in_controls":["block"]})");
  EXPECT_EQ(EncodeSecurityDefaults({true}), R"({"enabled":true})");
  EXPECT_EQ(EncodeGroup({"g1", "Finance", false, {}}),
            R"({"display_name":"Finance","security_enabled":false})");
  EXPECT_EQ(EncodeGroup({"g1", "Break glass", true, {"u1", "u2"}}),
            R"({"display_name":"Break glass","security_enabled":true,"member_ids":["u1","u2"]})");
}

// Rows stored before groups had members must not change: a group without
// members encodes to exactly the bytes (and so the content hash) it had.
TEST(EntityCodecTest, GroupWithoutMembersKeepsItsStoredBytes) {
  GroupRecord g;
  g.id = "g1";
  g.display_name = "All Staff";
  g.security_enabled = true;
  const std::string before = R"({"display_name":"All Staff","security_enabled":true})";
  EXPECT_EQ(EncodeGroup(g), before);
  GroupRecord back;
  ASSERT_TRUE(DecodeGroup("g1", before, &back).ok());
  EXPECT_TRUE(back.member_ids.empty());
  EXPECT_EQ(EncodeGroup(back), before);
}

// Stored members are sorted and unique, whatever order the record had them
// in, so the same membership always gives the same row.
TEST(EntityCodecTest, GroupMembersAreStoredSortedAndUnique) {
  GroupRecord a{"g1", "Admins", true, {"u3", "u1", "u3", "u2"}};
  GroupRecord b{"g1", "Admins", true, {"u1", "u2", "u3"}};
  EXPECT_EQ(EncodeGroup(a), EncodeGroup(b));
  EXPECT_EQ(EncodeGroup(a),
            R"({"display_name":"Admins","security_enabled":true,"member_ids":["u1","u2","u3"]})");
  b.member_ids.pop_back();
  EXPECT_NE(EncodeGroup(a), EncodeGroup(b));  // a membership change is a change of the group

  GroupRecord back;
  ASSERT_TRUE(DecodeGroup("g1", R"({"member_ids":["u2","u1","u2"]})", &back).ok());
  EXPECT_EQ(back.member_ids, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(DecodeGroup("g1", R"({"member_ids":"u1"})", &back).message(),
            "group \"g1\": attributes: member_ids: expected array");
  EXPECT_EQ(DecodeGroup("g1", R"({"member_ids":["u1",2]})", &back).message(),
            "group \"g1\": attributes: member_ids: expected array of strings");
}

TEST(EntityCodecTest, SameRecordSameBytes) {
  UserRecord a;
  a.id = "u1";
  a.upn = "x@y";
  a.last_sign_in = 5;
  UserRecord b = a;
  EXPECT_EQ(EncodeUser(a), EncodeUser(b));
  b.sku_ids = {"a license changes the user's row"};
  EXPECT_NE(EncodeUser(a), EncodeUser(b));
  b = a;
  b.enabled = false;
  EXPECT_NE(EncodeUser(a), EncodeUser(b));
}

TEST(EntityCodecTest, DecodeToleratesMissingAndUnknownMembers) {
  UserRecord u;
  u.upn = "stale";
  u.created = 1;
  ASSERT_TRUE(DecodeUser("u9", R"({"upn":"a@b","future_field":{"x":[1,2]}})", &u).ok());
  EXPECT_EQ(u.id, "u9");
  EXPECT_EQ(u.upn, "a@b");
  EXPECT_EQ(u.display_name, "");
  EXPECT_TRUE(u.enabled);
  EXPECT_EQ(u.created, std::nullopt);
  EXPECT_TRUE(u.sku_ids.empty());  // rows written before licenses were attributes
}

TEST(EntityCodecTest, DecodeUserSortsAndDedupsSkuIds) {
  UserRecord u;
  ASSERT_TRUE(DecodeUser("u1", R"({"upn":"a@b","sku_ids":["s2","s1","s2"]})", &u).ok());
  EXPECT_EQ(u.sku_ids, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(DecodeUser("u1", R"({"sku_ids":"s1"})", &u).message(),
            "user \"u1\": attributes: sku_ids: expected array");
}

TEST(EntityCodecTest, DecodeErrorsNameKindIdAndMember) {
  UserRecord u;
  EXPECT_EQ(DecodeUser("u1", R"({"enabled":"yes"})", &u).message(),
            "user \"u1\": attributes: enabled: expected boolean");
  EXPECT_EQ(DecodeUser("u1", R"({"created":"2020-01-01"})", &u).message(),
            "user \"u1\": attributes: created: expected integer");
  EXPECT_EQ(DecodeUser("u1", R"([1])", &u).message(),
            "user \"u1\": attributes: expected a JSON object");
  EXPECT_EQ(DecodeUser("u1", "", &u).message(),
            "user \"u1\": attributes: malformed JSON: Empty: no JSON found");
  SkuRecord sku;
  EXPECT_EQ(DecodeSku("s1", R"({"enabled_units":1.5})", &sku).message(),
            "sku \"s1\": attributes: enabled_units: expected integer");
  RegistrationRecord r;
  EXPECT_EQ(DecodeRegistration("u1", R"({"methods":["a",2]})", &r).message(),
            "registration \"u1\": attributes: methods: expected array of strings");
  PolicyRecord p;
  EXPECT_EQ(DecodePolicy("p1", R"({"client_app_types":"all"})", &p).message(),
            "policy \"p1\": attributes: client_app_types: expected array");
}

}  // namespace
}  // namespace vigil
