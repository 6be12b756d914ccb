#include "context/exclusions.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr TimeMs kNow = 1'780'000'000'000;

// The alert types these tests know, with their subjects (the real table is
// analysis/alert_types.h).
std::string_view SubjectOf(std::string_view type) {
  if (type == "mfa.user_not_registered" || type == "stale.user" ||
      type == "privilege.stale_admin") {
    return "user";
  }
  if (type == "license.unused") return "sku";
  if (type == "mfa.not_enforced" || type == "privilege.global_admin_count") return "tenant";
  return "";
}

ExclusionInput Input(std::string kind, std::string value, std::string alert_type = "*",
                     std::string reason = "break-glass account") {
  ExclusionInput in;
  in.kind = std::move(kind);
  in.value = std::move(value);
  in.alert_type = std::move(alert_type);
  in.reason = std::move(reason);
  in.added_by = "alice";
  return in;
}

std::string Refusal(const ExclusionInput& in) {
  Status s = ValidateExclusion(in, SubjectOf);
  return s.ok() ? "OK" : std::string(CodeName(s.code())) + ": " + s.message();
}

TEST(ExclusionsTest, InputIsCheckedWithMessagesThatSayWhatIsWrong) {
  EXPECT_EQ(Refusal(Input("user", "bg@contoso.com")), "OK");
  EXPECT_EQ(Refusal(Input("user", "bg@contoso.com", "mfa.user_not_registered")), "OK");
  EXPECT_EQ(Refusal(Input("group", "0f6a-11", "stale.user")), "OK");
  EXPECT_EQ(Refusal(Input("sku", "SPE_E3", "license.unused")), "OK");

  EXPECT_EQ(Refusal(Input("device", "x")),
            "invalid argument: exclusion kind \"device\" is not one of user, group, sku");
  EXPECT_EQ(Refusal(Input("user", "")),
            "invalid argument: exclusion of a user: the value is empty (the user's object id or "
            "UPN)");
  EXPECT_EQ(Refusal(Input("sku", "")),
            "invalid argument: exclusion of a sku: the value is empty (the SKU's part number)");
  EXPECT_EQ(Refusal(Input("user", "a b@contoso.com")),
            "invalid argument: exclusion of a user: the value \"a b@contoso.com\" contains white "
            "space");
  EXPECT_EQ(Refusal(Input("user", "bg", "*", "")),
            "invalid argument: exclusion: a reason is required");
  EXPECT_EQ(Refusal(Input("user", "bg", "*", "   ")),
            "invalid argument: exclusion: a reason is required");
  EXPECT_EQ(Refusal(Input("user", "bg", "mfa.nope")),
            "invalid argument: exclusion: unknown alert type \"mfa.nope\"");
  EXPECT_EQ(Refusal(Input("user", "bg", "privilege.stale_admin")),
            "invalid argument: privilege alerts cannot be excluded");
  EXPECT_EQ(Refusal(Input("user", "bg", "license.unused")),
            "invalid argument: exclusion: license.unused is about a SKU, so a user exclusion "
            "never matches it");
  EXPECT_EQ(Refusal(Input("group", "g1", "mfa.not_enforced")),
            "invalid argument: exclusion: mfa.not_enforced is about the tenant, so a group "
            "exclusion never matches it");
  EXPECT_EQ(Refusal(Input("sku", "SPE_E3", "stale.user")),
            "invalid argument: exclusion: stale.user is about a user, so a sku exclusion never "
            "matches it");
  ExclusionInput nobody = Input("user", "bg");
  nobody.added_by = "";
  EXPECT_EQ(Refusal(nobody), "invalid argument: exclusion: who adds it is required");
  EXPECT_EQ(Refusal(Input("user", std::string(300, 'a'))),
            "invalid argument: exclusion of a user: the value is longer than 256 characters");
  EXPECT_EQ(Refusal(Input("user", "bg", "*", std::string(600, 'r'))),
            "invalid argument: exclusion: the reason is longer than 500 characters");
}

TEST(ExclusionsTest, WhichAlertTypesAnExclusionCovers) {
  EXPECT_TRUE(ExclusionCovers("*", "mfa.user_not_registered"));
  EXPECT_TRUE(ExclusionCovers("*", "license.unused"));
  EXPECT_FALSE(ExclusionCovers("*", "privilege.stale_admin"));
  EXPECT_FALSE(ExclusionCovers("*", "privilege.global_admin_count"));
  EXPECT_TRUE(ExclusionCovers("stale.user", "stale.user"));
  EXPECT_FALSE(ExclusionCovers("stale.user", "stale.guest"));
  // Even one stored by hand for a privilege type never covers it.
  EXPECT_FALSE(ExclusionCovers("privilege.stale_admin", "privilege.stale_admin"));
}

TEST(ExclusionsTest, AddListAndRemoveOneTenantsExclusions) {
  testing::TestTenant t = testing::NewTestTenant();
  Db* db = t.db.get();
  ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('fabrikam', 0)").ok());
  const int64_t other = db->LastInsertId();

  Result<Exclusion> bg =
      AddExclusion(db, t.tenant_id, Input("user", "BreakGlass@Contoso.com"), kNow, SubjectOf);
  ASSERT_TRUE(bg.ok()) << bg.status().ToString();
  EXPECT_GT(bg->id, 0);
  EXPECT_EQ(bg->kind, "user");
  EXPECT_EQ(bg->value, "breakglass@contoso.com");  // UPNs compare without case: stored lower
  EXPECT_EQ(bg->alert_type, "*");
  EXPECT_EQ(bg->reason, "break-glass account");
  EXPECT_EQ(bg->added_by, "alice");
  EXPECT_EQ(bg->added_at, kNow);
  EXPECT_EQ(ExclusionTarget(*bg), "user:breakglass@contoso.com");

  Result<Exclusion> sku = AddExclusion(db, t.tenant_id,
                                       Input("sku", "SPE_E3", "license.unused", "spare seats"),
                                       kNow + 1, SubjectOf);
  ASSERT_TRUE(sku.ok()) << sku.status().ToString();
  EXPECT_EQ(sku->value, "SPE_E3");  // part numbers as given
  ASSERT_TRUE(
      AddExclusion(db, other, Input("group", "G-1", "stale.user"), kNow, SubjectOf).ok());

  // The same subject and alert type again is refused, whatever the case of a UPN.
  Result<Exclusion> again =
      AddExclusion(db, t.tenant_id, Input("user", "breakglass@contoso.COM"), kNow, SubjectOf);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "user:breakglass@contoso.com is already excluded from every alert type (exclusion " +
                std::to_string(bg->id) + ")");
  // Bad input stores nothing.
  EXPECT_EQ(AddExclusion(db, t.tenant_id, Input("user", "x", "privilege.stale_admin"), kNow,
                         SubjectOf)
                .status()
                .message(),
            "privilege alerts cannot be excluded");

  Result<std::vector<Exclusion>> listed = ListExclusions(db, t.tenant_id);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, bg->id);
  EXPECT_EQ((*listed)[1].id, sku->id);
  EXPECT_EQ((*listed)[1].reason, "spare seats");
  EXPECT_EQ((*listed)[1].added_at, kNow + 1);

  // Another tenant's exclusion cannot be removed through this one.
  Result<std::vector<Exclusion>> others = ListExclusions(db, other);
  ASSERT_TRUE(others.ok());
  ASSERT_EQ(others->size(), 1u);
  EXPECT_EQ(others->front().value, "g-1");
  Result<Exclusion> foreign = RemoveExclusion(db, t.tenant_id, others->front().id);
  EXPECT_EQ(foreign.status().code(), Code::kNotFound);
  EXPECT_EQ(foreign.status().message(), "no exclusion " + std::to_string(others->front().id));
  EXPECT_EQ(ListExclusions(db, other)->size(), 1u);

  Result<Exclusion> removed = RemoveExclusion(db, t.tenant_id, bg->id);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(ExclusionTarget(*removed), "user:breakglass@contoso.com");  // as it was
  EXPECT_EQ(removed->reason, "break-glass account");
  EXPECT_EQ(RemoveExclusion(db, t.tenant_id, bg->id).status().code(), Code::kNotFound);
  listed = ListExclusions(db, t.tenant_id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().kind, "sku");
}

}  // namespace
}  // namespace vigil
