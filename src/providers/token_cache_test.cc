#include "providers/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/fake_clock.h"

namespace vigil {
namespace {

constexpr TimeMs kStart = 1'000'000'000;

// A token endpoint: "t1", "t2", ... each living `lifetime_s`; counts calls
// and remembers when each was asked.
struct FakeEndpoint {
  int64_t lifetime_s = 3600;
  std::atomic<int> calls{0};
  std::vector<TimeMs> asked;

  std::function<Result<IssuedToken>(TimeMs)> Fetch() {
    return [this](TimeMs asked_at) -> Result<IssuedToken> {
      asked.push_back(asked_at);
      return IssuedToken{"t" + std::to_string(++calls), lifetime_s};
    };
  }
};

TEST(TokenCacheTest, KeepsATokenUntilItsRenewalTimeThenFetchesANewOne) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  FakeEndpoint endpoint;  // an hour: renewed 5 minutes before it expires
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  EXPECT_EQ(endpoint.asked, std::vector<TimeMs>{kStart});
  clock.Advance(55 * 60 * 1000 - 1);
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  clock.Advance(1);
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t2");
  EXPECT_EQ(endpoint.calls, 2);
}

TEST(TokenCacheTest, AShortLivedTokenIsRenewedAtNineTenthsOfItsLife) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  FakeEndpoint endpoint;
  endpoint.lifetime_s = 100;
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  clock.Advance(89'999);
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  clock.Advance(1);
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t2");
}

TEST(TokenCacheTest, ALifetimeBeyondADayCountsAsADay) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  FakeEndpoint endpoint;
  endpoint.lifetime_s = int64_t{1} << 60;  // would overflow in milliseconds
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  clock.Advance((24 * 3600 - 5 * 60) * int64_t{1000});
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t2");
}

TEST(TokenCacheTest, DropForgetsOnlyTheTokenStillCached) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  FakeEndpoint endpoint;
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  cache.Drop("t0");  // an older token: the cached one stays
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t1");
  cache.Drop("t1");
  EXPECT_EQ(*cache.Get(endpoint.Fetch()), "t2");
  EXPECT_EQ(endpoint.calls, 2);
}

TEST(TokenCacheTest, AFailedFetchCachesNothing) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  int calls = 0;
  auto refuse = [&calls](TimeMs) -> Result<IssuedToken> {
    ++calls;
    return Status::PermissionDenied("tenant x: cannot get an access token: HTTP 401");
  };
  Result<std::string> first = cache.Get(refuse);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "tenant x: cannot get an access token: HTTP 401");
  EXPECT_FALSE(cache.Get(refuse).ok());
  EXPECT_EQ(calls, 2);
}

TEST(TokenCacheTest, ThreadsThatAskTogetherShareOneFetch) {
  testing::FakeClock clock(kStart);
  TokenCache cache(&clock);
  std::atomic<int> calls{0};
  auto slow = [&calls](TimeMs) -> Result<IssuedToken> {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return IssuedToken{"t" + std::to_string(++calls), 3600};
  };
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = cache.Get(slow).value(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls, 1);
  for (const std::string& token : got) EXPECT_EQ(token, "t1");
}

}  // namespace
}  // namespace vigil
