#include "notify/message_summary.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Notification Make(std::string change, std::string type, std::string subject,
                  std::string severity = "medium", std::string tenant = "fabrikam") {
  Notification n;
  n.change = std::move(change);
  n.alert.type = std::move(type);
  n.alert.subject_name = std::move(subject);
  n.alert.severity = std::move(severity);
  n.alert.tenant = std::move(tenant);
  return n;
}

TEST(MessageSummaryTest, HeadlineCountsLinesAndWhatWasLeftOut) {
  NotificationGroup group;
  group.tenant = "fabrikam";
  group.notifications.push_back(Make("opened", "privilege.guest_admin", "g@f.com", "high"));
  for (int i = 0; i < 3; ++i) {
    group.notifications.push_back(Make("opened", "stale.user", "s" + std::to_string(i)));
  }
  for (int i = 0; i < 2; ++i) {
    group.notifications.push_back(Make("opened", "mfa.user_not_registered", "m"));
  }
  group.notifications.push_back(Make("resolved", "stale.user", "old@f.com", "low"));
  MessageSummary s = SummarizeGroup(group, 2);
  EXPECT_EQ(s.headline, "fabrikam: 6 new, 1 resolved");
  ASSERT_EQ(s.lines.size(), 2u);
  EXPECT_EQ(s.lines[0].text, "[high] privilege.guest_admin: g@f.com (opened)");
  EXPECT_EQ(s.lines[0].notification, &group.notifications[0]);
  EXPECT_EQ(s.lines[1].text, "[medium] stale.user: s0 (opened)");
  EXPECT_EQ(s.left_out, 5u);
  EXPECT_EQ(s.more, "and 5 more: stale.user 3, mfa.user_not_registered 2");
}

TEST(MessageSummaryTest, NothingLeftOutMeansNoMoreLine) {
  NotificationGroup group;
  group.tenant = "contoso";
  Notification n = Make("severity_changed", "mfa.not_enforced", "contoso", "high");
  n.previous_severity = "medium";
  group.notifications.push_back(n);
  MessageSummary s = SummarizeGroup(group);
  EXPECT_EQ(s.headline, "contoso: 1 severity changed");
  EXPECT_EQ(s.lines[0].text, "[high] mfa.not_enforced: contoso (severity medium -> high)");
  EXPECT_EQ(s.more, "");
  EXPECT_EQ(s.left_out, 0u);
}

TEST(MessageSummaryTest, ADigestNamesItsTenants) {
  NotificationGroup group;
  group.digest = true;
  group.notifications.push_back(Make("opened", "stale.user", "a", "low", "contoso"));
  group.notifications.push_back(Make("resolved", "stale.user", "b", "low", "fabrikam"));
  group.notifications.push_back(Make("repeat", "stale.user", "c", "low", "fabrikam"));
  MessageSummary s = SummarizeGroup(group);
  EXPECT_EQ(s.headline, "Digest: 2 tenants, 1 new, 1 resolved, 1 still open");
  EXPECT_EQ(s.lines[0].text, "contoso: [low] stale.user: a (opened)");
  EXPECT_EQ(s.lines[2].text, "fabrikam: [low] stale.user: c (still open)");
}

}  // namespace
}  // namespace vigil
