#include <gtest/gtest.h>

#include "analysis/analysis_testing.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::DaysAgo;
using analysis_testing::FindingsOf;
using analysis_testing::Keys;
using analysis_testing::kNow;
using Strings = std::vector<std::string>;

class StaleAnalyzerTest : public ::testing::Test {
 protected:
  std::vector<Finding> Findings(const ContextBuilder& b) {
    return FindingsOf(*analyzer_, b.Build());
  }
  std::unique_ptr<Analyzer> analyzer_ = NewStaleAnalyzer();
};

TEST(StaleRuleTest, BoundaryOfTheStalePeriod) {
  UserRecord user;
  user.created = DaysAgo(1000);
  user.last_sign_in = DaysAgo(90);
  EXPECT_FALSE(IsStale(user, kNow, 90));  // exactly 90 days: not older
  user.last_sign_in = DaysAgo(90) - 1;
  EXPECT_TRUE(IsStale(user, kNow, 90));
  user.last_sign_in = DaysAgo(89);
  EXPECT_FALSE(IsStale(user, kNow, 90));
  EXPECT_TRUE(IsStale(user, kNow, 30));  // the threshold is a parameter
}

TEST(StaleRuleTest, NeverSignedInUsesCreationTime) {
  UserRecord user;
  user.last_sign_in = std::nullopt;
  user.created = DaysAgo(90);
  EXPECT_FALSE(IsStale(user, kNow, 90));
  user.created = DaysAgo(90) - 1;
  EXPECT_TRUE(IsStale(user, kNow, 90));
  user.created = std::nullopt;  // unknown age
  EXPECT_FALSE(IsStale(user, kNow, 90));
}

TEST(StaleRuleTest, RecentSignInWinsOverOldCreation) {
  UserRecord user;
  user.created = DaysAgo(5000);
  user.last_sign_in = DaysAgo(3);
  EXPECT_FALSE(IsStale(user, kNow, 90));
}

TEST_F(StaleAnalyzerTest, TypeAndNeeds) {
  EXPECT_EQ(analyzer_->type(), "stale");
  EXPECT_EQ(analyzer_->needs(), (std::vector<EntityKind>{EntityKind::kUser, EntityKind::kSignIn}));
}

TEST_F(StaleAnalyzerTest, ActiveUsersAreFine) {
  ContextBuilder b;
  b.Member("alice").Guest("gail").LastSignIn(DaysAgo(90));
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(StaleAnalyzerTest, StaleMember) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(91)).Created(DaysAgo(400));
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].alert_type, "stale.user");
  EXPECT_EQ(findings[0].subject, "id-alice");
  EXPECT_EQ(findings[0].subject_name, "alice@contoso.com");
  EXPECT_EQ(findings[0].severity, Severity::kLow);
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"alice@contoso.com\",\"display_name\":\"alice\","
            "\"last_sign_in\":\"2026-03-02T12:00:00Z\",\"created\":\"2025-04-27T12:00:00Z\"}");
}

TEST_F(StaleAnalyzerTest, StaleGuestNeverSignedIn) {
  ContextBuilder b;
  b.Guest("gail").LastSignIn(std::nullopt).Created(DaysAgo(120));
  std::vector<Finding> findings = Findings(b);
  ASSERT_EQ(Keys(findings), Strings{"stale.guest id-gail"});
  EXPECT_EQ(findings[0].details,
            "{\"upn\":\"gail@contoso.com\",\"display_name\":\"gail\",\"last_sign_in\":null,"
            "\"created\":\"2026-02-01T12:00:00Z\"}");
}

TEST_F(StaleAnalyzerTest, NeverSignedInButNewOrOfUnknownAgeIsNotStale) {
  ContextBuilder b;
  b.Member("newbie").LastSignIn(std::nullopt).Created(DaysAgo(10));
  b.Member("unknown").LastSignIn(std::nullopt).Created(std::nullopt);
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(StaleAnalyzerTest, DisabledUsersAreNotStaleAlerts) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(400)).Disabled();
  b.Guest("gail").LastSignIn(DaysAgo(400)).Disabled();
  EXPECT_TRUE(Findings(b).empty());
}

TEST_F(StaleAnalyzerTest, StaleDaysPreferenceChangesResult) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(40)).Guest("gail").LastSignIn(DaysAgo(20));
  EXPECT_TRUE(Findings(b).empty());
  b.ctx().preferences.stale_days = 30;
  EXPECT_EQ(Keys(Findings(b)), Strings{"stale.user id-alice"});
  b.ctx().preferences.stale_days = 14;
  EXPECT_EQ(Keys(Findings(b)), (Strings{"stale.guest id-gail", "stale.user id-alice"}));
}

TEST_F(StaleAnalyzerTest, DetailsDoNotChangeAsTimePasses) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(100));
  std::vector<Finding> today = Findings(b);
  b.ctx().now += 7 * kMsPerDay;
  std::vector<Finding> next_week = Findings(b);
  ASSERT_EQ(today.size(), 1u);
  ASSERT_EQ(next_week.size(), 1u);
  EXPECT_EQ(today[0].details, next_week[0].details);
}

TEST_F(StaleAnalyzerTest, DisabledAlertTypesAreNotProduced) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(100)).Guest("gail").LastSignIn(DaysAgo(100));
  b.ctx().preferences.disabled_alert_types = {"stale.guest"};
  EXPECT_EQ(Keys(Findings(b)), Strings{"stale.user id-alice"});
}

TEST(StaleRuleV2Test, TheLastSuccessfulSignInCountsWhenItIsTheLatest) {
  UserRecord user;
  user.created = DaysAgo(1000);
  user.last_sign_in = DaysAgo(200);
  user.last_successful_sign_in = DaysAgo(10);
  EXPECT_TRUE(IsStale(user, kNow, 90));  // version 1 ignores it
  EXPECT_FALSE(IsStaleV2(user, kNow, 90));
  user.last_successful_sign_in = DaysAgo(300);  // older than the other: the latest counts
  EXPECT_TRUE(IsStaleV2(user, kNow, 90));
  user.last_sign_in = std::nullopt;
  user.last_successful_sign_in = DaysAgo(5);
  EXPECT_FALSE(IsStaleV2(user, kNow, 90));
}

TEST(StaleRuleV2Test, AnAccountCreatedWithinTheWindowIsNotStaleYet) {
  UserRecord user;
  user.created = DaysAgo(20);
  user.last_sign_in = DaysAgo(400);  // a restored account keeps its old sign-in
  EXPECT_TRUE(IsStale(user, kNow, 90));
  EXPECT_FALSE(IsStaleV2(user, kNow, 90));
  user.created = DaysAgo(90) - 1;
  EXPECT_TRUE(IsStaleV2(user, kNow, 90));
}

TEST(StaleRuleV2Test, AgreesWithVersionOneWithoutTheNewFacts) {
  for (int signed_in : {-1, 10, 89, 90, 91, 500}) {
    for (int created : {-1, 91, 400, 5000}) {
      UserRecord user;
      if (signed_in >= 0) user.last_sign_in = DaysAgo(signed_in);
      if (created >= 0) user.created = DaysAgo(created);
      if (user.created && user.last_sign_in && *user.last_sign_in < *user.created) continue;
      EXPECT_EQ(IsStaleV2(user, kNow, 90), IsStale(user, kNow, 90))
          << "signed in " << signed_in << " days ago, created " << created;
    }
  }
}

TEST(StaleAnalyzerV2Test, SameKeysAndDetailsAsVersionOneWhereTheyAgree) {
  ContextBuilder b;
  b.Member("alice").LastSignIn(DaysAgo(200)).Created(DaysAgo(400));
  b.Member("bob").LastSignIn(DaysAgo(200)).LastSuccessfulSignIn(DaysAgo(3)).Created(DaysAgo(400));
  b.Guest("gail").LastSignIn(DaysAgo(300)).Created(DaysAgo(10));
  const std::unique_ptr<Analyzer> v1 = NewStaleAnalyzer();
  const std::unique_ptr<Analyzer> v2 = NewStaleAnalyzerV2();
  EXPECT_EQ(v1->version(), 1);
  EXPECT_EQ(v2->version(), 2);
  EXPECT_EQ(v2->type(), "stale");
  const std::vector<Finding> one = FindingsOf(*v1, b.Build());
  const std::vector<Finding> two = FindingsOf(*v2, b.Build());
  EXPECT_EQ(Keys(one), (Strings{"stale.guest id-gail", "stale.user id-alice", "stale.user id-bob"}));
  ASSERT_EQ(Keys(two), Strings{"stale.user id-alice"});
  EXPECT_EQ(two[0].details, one[1].details);
}

}  // namespace
}  // namespace vigil
