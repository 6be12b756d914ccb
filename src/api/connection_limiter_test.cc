#include "api/connection_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil {
namespace {

TEST(ConnectionLimiterTest, CapsEachClientAndAllOfThem) {
  ConnectionLimiter limiter(3, 2);
  std::string refusal;
  std::vector<ConnectionLimiter::Slot> slots;
  slots.push_back(*limiter.Admit("10.0.0.1", &refusal));
  slots.push_back(*limiter.Admit("10.0.0.1", &refusal));
  EXPECT_FALSE(limiter.Admit("10.0.0.1", &refusal).has_value());
  EXPECT_EQ(refusal,
            "server: 2 connections are open from 10.0.0.1, the most one client may have; "
            "retry later");
  slots.push_back(*limiter.Admit("10.0.0.2", &refusal));
  EXPECT_FALSE(limiter.Admit("10.0.0.3", &refusal).has_value());
  EXPECT_EQ(refusal, "server: 3 connections are open, the most it takes; retry later");
  EXPECT_EQ(limiter.open(), 3);
  EXPECT_EQ(limiter.open_from("10.0.0.1"), 2);
}

TEST(ConnectionLimiterTest, ASlotGivesItsPlaceBackWhenDestroyed) {
  ConnectionLimiter limiter(1, 1);
  std::string refusal;
  {
    std::optional<ConnectionLimiter::Slot> slot = limiter.Admit("10.0.0.1", &refusal);
    ASSERT_TRUE(slot.has_value());
    ConnectionLimiter::Slot moved = std::move(*slot);
    slot.reset();  // the moved-from slot gives nothing back
    EXPECT_EQ(limiter.open(), 1);
    EXPECT_FALSE(limiter.Admit("10.0.0.2", &refusal).has_value());
    EXPECT_EQ(refusal, "server: 1 connection is open, the most it takes; retry later");
  }
  EXPECT_EQ(limiter.open(), 0);
  EXPECT_EQ(limiter.open_from("10.0.0.1"), 0);
  EXPECT_TRUE(limiter.Admit("10.0.0.2", &refusal).has_value());
}

}  // namespace
}  // namespace vigil
