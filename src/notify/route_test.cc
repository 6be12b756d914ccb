#include "notify/route.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(GlobMatchesTest, StarQuestionMarkAndLiterals) {
  EXPECT_TRUE(GlobMatches("mfa.*", "mfa.user_not_registered"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("*.guest_admin", "privilege.guest_admin"));
  EXPECT_TRUE(GlobMatches("stale.use?", "stale.user"));
  EXPECT_TRUE(GlobMatches("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(GlobMatches("mfa.*", "privilege.guest_admin"));
  EXPECT_FALSE(GlobMatches("mfa", "mfa.not_enforced"));
  EXPECT_FALSE(GlobMatches("stale.use?", "stale.users"));
  EXPECT_FALSE(GlobMatches("*a*b", "xxaxxbxx"));
}

TEST(RouteTakesTest, FiltersByTenantTypeSeverityAndChange) {
  Route route;
  route.tenant_ids = {1, 2};
  route.types = {"mfa.*", "privilege.global_admin_count"};
  route.min_severity = "medium";
  RouteInput in{1, "mfa.user_not_registered", "medium", "opened"};
  EXPECT_TRUE(RouteTakes(route, std::nullopt, in));
  EXPECT_FALSE(RouteTakes(route, std::nullopt, {3, in.alert_type, in.severity, in.change}));
  EXPECT_FALSE(RouteTakes(route, std::nullopt, {1, "stale.user", "high", "opened"}));
  EXPECT_FALSE(RouteTakes(route, std::nullopt, {1, "mfa.not_enforced", "low", "opened"}));
  EXPECT_FALSE(RouteTakes(route, std::nullopt, {1, "mfa.not_enforced", "high", "updated"}));
  EXPECT_TRUE(RouteTakes(route, std::nullopt, {2, "privilege.global_admin_count", "critical",
                                               "resolved"}));
}

TEST(RouteTakesTest, FlappingAndStableGoWhereverTheAlertGoes) {
  Route route;
  route.changes = {"opened"};
  EXPECT_TRUE(RouteTakes(route, std::nullopt, {1, "stale.user", "low", "flapping"}));
  EXPECT_TRUE(RouteTakes(route, std::nullopt, {1, "stale.user", "low", "stable"}));
  route.min_severity = "high";
  EXPECT_FALSE(RouteTakes(route, std::nullopt, {1, "stale.user", "low", "flapping"}));
}

TEST(RouteTakesTest, AChannelOwnedByATenantTakesOnlyThatTenant) {
  Route route;  // every tenant
  EXPECT_TRUE(RouteTakes(route, 7, {7, "stale.user", "low", "opened"}));
  EXPECT_FALSE(RouteTakes(route, 7, {8, "stale.user", "low", "opened"}));
}

TEST(ValidateRouteTest, NamesTheFieldAndTheValue) {
  Route route;
  EXPECT_TRUE(ValidateRoute(route).ok());
  route.changes = {"opend"};
  EXPECT_EQ(ValidateRoute(route).message(),
            "changes: unknown change \"opend\" (expected one of opened, reopened, resolved, "
            "severity_changed, updated, flapping, stable, repeat)");
  route.changes = {};
  EXPECT_EQ(ValidateRoute(route).message(),
            "changes: empty; the channel would send nothing (expected opened, reopened, resolved, "
            "severity_changed, updated, flapping, stable, repeat)");
  route = Route{};
  route.min_severity = "urgent";
  EXPECT_EQ(ValidateRoute(route).message(),
            "min_severity: unknown severity \"urgent\" (expected low, medium, high or critical)");
  route = Route{};
  route.types = {"mfa.*", ""};
  EXPECT_EQ(ValidateRoute(route).message(), "types: empty glob");
  route = Route{};
  route.group_wait_ms = -1;
  EXPECT_EQ(ValidateRoute(route).message(), "group_wait: negative");
}

}  // namespace
}  // namespace vigil
