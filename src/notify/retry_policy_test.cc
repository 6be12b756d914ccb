#include "notify/retry_policy.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(RetryPolicyTest, DoublesFromTheFirstRetryUpToTheCap) {
  DeliveryPolicy p;
  p.first_retry_ms = 1000;
  p.max_retry_ms = 5000;
  EXPECT_EQ(NextAttemptAt(p, 1, std::nullopt, 100), 1100);
  EXPECT_EQ(NextAttemptAt(p, 2, std::nullopt, 100), 2100);
  EXPECT_EQ(NextAttemptAt(p, 3, std::nullopt, 100), 4100);
  EXPECT_EQ(NextAttemptAt(p, 4, std::nullopt, 100), 5100);
  EXPECT_EQ(NextAttemptAt(p, 60, std::nullopt, 100), 5100);
}

TEST(RetryPolicyTest, RetryAfterIsNeverCutShort) {
  DeliveryPolicy p;
  p.first_retry_ms = 1000;
  p.max_retry_ms = 5000;
  EXPECT_EQ(NextAttemptAt(p, 1, 30000, 0), 30000);
  EXPECT_EQ(NextAttemptAt(p, 3, 10, 0), 4000);
}

TEST(RetryPolicyTest, GivesUpOnceTheTimeHasPassed) {
  DeliveryPolicy p;
  p.give_up_ms = 60000;
  EXPECT_FALSE(GiveUp(p, 1000, 60999));
  EXPECT_TRUE(GiveUp(p, 1000, 61000));
}

TEST(RetryPolicyTest, KindDefaults) {
  EXPECT_EQ(DefaultMaxPerSecond("slack"), 1);
  EXPECT_EQ(DefaultMaxPerSecond("teams"), 4);
  EXPECT_EQ(DefaultMaxPerSecond("pagerduty"), 2);
  EXPECT_EQ(DefaultMaxPerSecond("email"), 5);
  EXPECT_EQ(DefaultMaxPerSecond("webhook"), 0);
}

}  // namespace
}  // namespace vigil
