// PrimaryHealth: when FailoverQueue uses its primary, on a clock the test
// moves by hand.
#include "queue/primary_health.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace vigil {
namespace {

using State = PrimaryHealth::State;

class PrimaryHealthTest : public ::testing::Test {
 protected:
  PrimaryHealthTest() : clock_(1000000), health_(Options(), &clock_) {}

  static PrimaryHealthOptions Options() {
    PrimaryHealthOptions o;
    o.retry_ms = 100;
    o.max_retry_ms = 400;
    o.up_after = 3;
    return o;
  }
  // Runs one probe with `outcome`; false when none was due.
  bool Probe(const Status& outcome) {
    if (!health_.StartProbe()) return false;
    health_.ProbeDone(outcome);
    return true;
  }
  // Moves the clock until a probe is due; how long that took.
  int64_t UntilProbeDue() {
    int64_t waited = 0;
    while (!health_.StartProbe()) {
      clock_.Advance(10);
      waited += 10;
      if (waited > 100000) return -1;
    }
    health_.ProbeDone(Status::Internal("probe given back"));  // a failed probe: backs off
    return waited;
  }

  testing::FakeClock clock_;
  PrimaryHealth health_;
};

TEST_F(PrimaryHealthTest, TheFirstOpenDecidesAndOneProbeRunsAtATime) {
  EXPECT_EQ(health_.state(), State::kUnknown);
  ASSERT_TRUE(health_.StartProbe());
  EXPECT_FALSE(health_.StartProbe());  // one under way
  health_.ProbeDone(Status::Ok());
  EXPECT_TRUE(health_.up());
  EXPECT_EQ(health_.changes(), 0);
  EXPECT_FALSE(health_.StartProbe());  // up: nothing to probe
}

TEST_F(PrimaryHealthTest, AnUnavailableCallTakesItDownOnceWithTheCause) {
  ASSERT_TRUE(Probe(Status::Ok()));
  const uint64_t epoch = health_.epoch();
  health_.Note(Status::NotFound("no such job"), epoch);  // an answer: still up
  EXPECT_TRUE(health_.up());
  health_.Note(Status::Unavailable("redis 127.0.0.1:1: no answer within 1000 ms"), epoch);
  EXPECT_EQ(health_.state(), State::kDown);
  EXPECT_EQ(health_.last_error(), "redis 127.0.0.1:1: no answer within 1000 ms");
  // The other calls of that moment fail too: the same fall, not another.
  health_.Note(Status::Unavailable("redis 127.0.0.1:1: connection reset"), epoch);
  EXPECT_EQ(health_.changes(), 1);
  EXPECT_EQ(health_.last_error(), "redis 127.0.0.1:1: no answer within 1000 ms");
}

TEST_F(PrimaryHealthTest, FailedProbesBackOffAndItIsUpOnlyAfterThreeInARow) {
  ASSERT_TRUE(Probe(Status::Ok()));
  health_.Note(Status::Unavailable("down"), health_.epoch());
  // 100 ms after the fall, then 200, 400, 400 (the cap) after failed probes.
  EXPECT_EQ(UntilProbeDue(), 100);
  EXPECT_EQ(UntilProbeDue(), 200);
  EXPECT_EQ(UntilProbeDue(), 400);
  EXPECT_EQ(UntilProbeDue(), 400);
  // Two probes work, the third fails: still down, and counting starts over.
  clock_.Advance(400);
  ASSERT_TRUE(Probe(Status::Ok()));
  EXPECT_FALSE(Probe(Status::Ok()));  // the next one is 100 ms later
  clock_.Advance(100);
  ASSERT_TRUE(Probe(Status::Ok()));
  clock_.Advance(100);
  ASSERT_TRUE(Probe(Status::Unavailable("gone again")));
  EXPECT_EQ(health_.state(), State::kDown);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(400);
    ASSERT_TRUE(Probe(Status::Ok())) << i;
    EXPECT_EQ(health_.up(), i == 2) << i;
  }
  EXPECT_EQ(health_.changes(), 2);  // down once, up once
}

TEST_F(PrimaryHealthTest, ALateFailureOfACallMadeBeforeTheFallDoesNotTakeItDownAgain) {
  ASSERT_TRUE(Probe(Status::Ok()));
  const uint64_t before = health_.epoch();
  health_.Note(Status::Unavailable("down"), before);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(400);
    ASSERT_TRUE(Probe(Status::Ok()));
  }
  ASSERT_TRUE(health_.up());
  // A call that began before the fall and only now timed out.
  health_.Note(Status::Unavailable("redis 127.0.0.1:1: no answer within 1000 ms"), before);
  EXPECT_TRUE(health_.up());
  EXPECT_EQ(health_.changes(), 2);
}

TEST_F(PrimaryHealthTest, AFirstOpenThatFailsIsDownAndTheNextOpenCountsAsAProbe) {
  ASSERT_TRUE(Probe(Status::Unavailable("redis 127.0.0.1:1: connection refused")));
  EXPECT_EQ(health_.state(), State::kDown);
  EXPECT_EQ(health_.last_error(), "redis 127.0.0.1:1: connection refused");
  EXPECT_FALSE(health_.StartProbe());
  clock_.Advance(100);
  ASSERT_TRUE(Probe(Status::Ok()));
  EXPECT_FALSE(health_.up());
}

}  // namespace
}  // namespace vigil
